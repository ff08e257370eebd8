"""Accelerators as built hardware plus per-category operating modes; the Griffin hybrid.

An ``Accelerator`` separates *what is built* (``hardware``: a ``Design`` whose exploit and window
say which operand muxes, staging buffers, schedulers and extra adder trees exist; this is what
area and leakage are charged for) from *how it runs* a model of each category (``mode(category)``:
the ``Design`` that is scheduled, and whose exploit decides which parts are switched on). A fixed
prior-art preset runs its hardware design on every category; Griffin reconfigures.

Model categories (docs/model.md section 5): ``"dense"``, ``"W"`` (weight-only sparse), ``"A"``
(activation-only sparse), ``"AW"`` (dual sparse).

Mode windows must be wired. How a mode's offset maps onto the AW hardware's mux inputs
(hardware offset ``(dt, dl, dg)`` at DPU ``(r, c)``, lane ``l``: the activation of column
``c + dg`` at step ``t0 + dt``, lane ``l + dl``; the weight of row ``r`` at the same step and lane;
the product accumulates into DPU ``(r, c + dg)`` through the extra adder tree of that ``dg``):

* mode ``AW`` offset ``(dt, dl, dg)`` uses hardware input ``(dt, dl, dg)`` itself;
* mode ``A`` (groups are columns, ``dg`` moves along columns) offset ``(dt, dl, dg)`` needs the
  same activation source, weight source and accumulator path: hardware input ``(dt, dl, dg)``;
* mode ``W`` (groups are rows, ``dg`` would move along rows) offset ``(dt, dl, 0)`` needs the
  activation of the own column at ``(dt, dl)``: hardware input ``(dt, dl, 0)``; the weight is
  placed by the offline schedule (weight mux bypassed). An offset with ``dg != 0`` would need an
  accumulation path between DPU rows, which the AW core does not have: rejected;
* mode ``none`` (dense) uses no offsets.
A hardware ``A`` or ``W`` core can run its own exploit with a sub-window, or dense.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import os
from collections.abc import Mapping

from griffin_jax.design._core import Core, Design, Window
from griffin_jax.workloads._workload import CATEGORIES, check_category

# The exploit a category's mode runs when nothing else is asked for.
CATEGORY_EXPLOIT = {"dense": "none", "W": "W", "A": "A", "AW": "AW"}
# Which mode exploits a hardware exploit can run.
_RUNNABLE = {
    "none": ("none",),
    "W": ("none", "W"),
    "A": ("none", "A"),
    "AW": ("none", "W", "A", "AW"),
}
STRUCTURED = (None, "2:4")
DEFAULT_CORE = Core(rows=8, cols=8, lanes=16)


def wired_input(hw_exploit: str, mode_exploit: str, offset) -> tuple:
    """The hardware mux input ``(dt, dl, dg)`` a mode offset needs (module doc); ``ValueError``
    if no wiring of this hardware kind can serve it."""
    dt, dl, dg = offset
    if mode_exploit == "W" and hw_exploit == "AW":
        if dg != 0:
            raise ValueError(
                f"W-mode offset {offset}: dg != 0 needs accumulation between DPU rows, which "
                "the AW core does not wire"
            )
        return (dt, dl, 0)
    return (dt, dl, dg)


def validate_mode(hardware: Design, mode: Design, category: str = "?") -> None:
    """Raise ``ValueError`` unless ``mode`` can run on ``hardware`` (same core and sync, runnable
    exploit, every offset wired)."""
    where = f"mode for category {category!r}"
    if not isinstance(mode, Design):
        raise ValueError(f"{where} must be a Design, got {type(mode).__name__}")
    if mode.core != hardware.core:
        raise ValueError(
            f"{where}: core {mode.core} differs from the hardware core {hardware.core}"
        )
    if mode.exploit not in _RUNNABLE[hardware.exploit]:
        raise ValueError(
            f"{where}: exploit {mode.exploit!r} cannot run on {hardware.exploit!r} hardware "
            f"(runnable: {_RUNNABLE[hardware.exploit]})"
        )
    if mode.exploit == "none":
        if mode.window.size:
            raise ValueError(f"{where}: a dense mode takes no window, got {mode.window}")
        return
    if mode.sync != hardware.sync:
        raise ValueError(
            f"{where}: sync {mode.sync!r} differs from the hardware's {hardware.sync!r}"
        )
    wired = set(hardware.window.as_tuples())
    for off in mode.window.as_tuples():
        need = wired_input(hardware.exploit, mode.exploit, off)
        if need not in wired:
            raise ValueError(
                f"{where}: window offset {off} needs mux input {need}, which is not wired "
                f"(wired window {hardware.window})"
            )


@dataclasses.dataclass(frozen=True)
class Accelerator:
    """A named accelerator: built ``hardware`` and the ``Design`` it runs per model category.

    Fields:
      name: label used in reports.
      hardware: what is built (area, leakage, wired mux inputs).
      modes: ``((category, Design), ...)`` (a mapping is accepted); a category not listed runs
        ``hardware`` itself, which is what every fixed (non-reconfigurable) preset does.
      structured: ``None`` or ``"2:4"`` (fixed 2:4 structured-sparsity datapath; see
        ``griffin_jax.design._presets.stc_2to4``).
      gate_zero_products: products with a zero operand that the design executes cost no
        multiplier energy (operand isolation) when True. No preset sets it: see the cost model.
      mechanism: one line on the published mechanism this approximates.
    """

    name: str
    hardware: Design
    modes: tuple = ()
    structured: str | None = None
    gate_zero_products: bool = False
    mechanism: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Accelerator.name must be a non-empty str, got {self.name!r}")
        if not isinstance(self.hardware, Design):
            raise ValueError(
                f"Accelerator.hardware must be a Design, got {type(self.hardware).__name__}"
            )
        if self.structured not in STRUCTURED:
            raise ValueError(
                f"Accelerator.structured must be one of {STRUCTURED}, got {self.structured!r}"
            )
        modes = self.modes
        if isinstance(modes, Mapping):
            modes = tuple(modes.items())
        try:
            modes = tuple((c, d) for c, d in modes)
        except (TypeError, ValueError):
            raise ValueError(
                "Accelerator.modes must be a mapping or (category, Design) pairs"
            ) from None
        seen = set()
        for cat, design in modes:
            check_category(cat)
            if cat in seen:
                raise ValueError(f"Accelerator.modes lists category {cat!r} twice")
            seen.add(cat)
            validate_mode(self.hardware, design, cat)
        object.__setattr__(self, "modes", modes)
        if self.structured is not None:
            hw = self.hardware
            if hw.exploit != "W" or hw.window.size or modes:
                raise ValueError(
                    "Accelerator.structured needs W hardware with an empty window and no modes"
                )
        if not isinstance(self.gate_zero_products, bool):
            raise ValueError("Accelerator.gate_zero_products must be a bool")

    @property
    def core(self) -> Core:
        return self.hardware.core

    @property
    def reconfigurable(self) -> bool:
        return bool(self.modes)

    def mode(self, category: str) -> Design:
        """The design this accelerator runs on a model of ``category``."""
        check_category(category)
        return dict(self.modes).get(category, self.hardware)


def default_mode_window(wired: Window, mode_exploit: str) -> Window:
    """The largest window a mode can use on an AW core wired with ``wired`` (priority kept)."""
    if mode_exploit == "none":
        return Window.empty()
    if mode_exploit == "W":
        return Window.from_offsets([o for o in wired.as_tuples() if o[2] == 0])
    return Window.from_offsets(wired.as_tuples())


def griffin_wired_window() -> Window:
    """The first version's hand-picked Griffin wiring (kept for comparison, preset
    ``griffin_v1``): ``box(2, 1, 0)`` (time 2, lanes +-1) plus one neighbour-DPU input
    ``(1, 0, +1)``: 8-input operand muxes, the same fan-in as the TensorDash / Bit-Tactical
    presets. ``griffin()`` now uses the derived wiring (``derived_griffin``)."""
    return Window.from_offsets(Window.box(2, 1, 0).as_tuples() + ((1, 0, 1),))


# The stored result of the derivation (docs/model.md 5.2), package data read with yaml.
# package data, outside the Hydra config tree (it is a result, not a config group)
DERIVED_RESOURCE = ("griffin_jax.design", "data/derived_griffin.yaml")


@dataclasses.dataclass(frozen=True)
class DerivedGriffin:
    """Griffin as the design-space exploration derived it (docs/model.md 5.2).

    Fields:
      wired: the wired window (the best dual-sparse AW design's window).
      windows: ``((category, Window), ...)`` the mode window of every category.
      balanced: the wiring of ``griffin_balanced`` (run with its default mode windows).
      meta: everything else the file records (command, date, workloads, tech, core, numbers).
      path: the file it was read from.
    """

    wired: Window
    windows: tuple
    balanced: Window
    meta: Mapping = dataclasses.field(default_factory=dict)
    path: str = ""

    def mode_windows(self) -> dict:
        return dict(self.windows)


def _offsets_field(value, field: str, path: str) -> Window:
    if not isinstance(value, list) or not all(
        isinstance(o, list)
        and len(o) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in o)
        for o in value
    ):
        raise ValueError(
            f"{path}: {field} must be a list of [dt, dl, dg] int triples, got {value!r}"
        )
    try:
        return Window.from_offsets(value)
    except ValueError as err:
        raise ValueError(f"{path}: {field}: {err}") from None


def parse_derived(data, path: str = "derived.yaml") -> DerivedGriffin:
    """A ``DerivedGriffin`` from the mapping a derived-Griffin YAML file holds; ``ValueError``
    naming the field when one is missing or malformed (the file format: docs/model.md 5.2)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: must hold a mapping, got {type(data).__name__}")
    for key in ("wired", "modes", "balanced"):
        if key not in data:
            raise ValueError(f"{path}: missing field {key!r}")
    wired = _offsets_field(data["wired"], "wired", path)
    if not wired.size:
        raise ValueError(f"{path}: wired must hold at least one offset")
    modes = data["modes"]
    if not isinstance(modes, Mapping) or set(modes) != set(CATEGORIES):
        raise ValueError(
            f"{path}: modes must map each category of {CATEGORIES} to a window, got "
            f"{sorted(modes) if isinstance(modes, Mapping) else modes!r}"
        )
    windows = tuple((cat, _offsets_field(modes[cat], f"modes.{cat}", path)) for cat in CATEGORIES)
    balanced = data["balanced"]
    if not isinstance(balanced, Mapping) or "wired" not in balanced:
        raise ValueError(f"{path}: balanced must be a mapping with a 'wired' window")
    bal = _offsets_field(balanced["wired"], "balanced.wired", path)
    # The modes must run on the wiring: checked on a core every offset fits.
    reach = max((abs(o[1]) for o in wired.as_tuples() + bal.as_tuples()), default=0)
    probe = Core(rows=2, cols=3, lanes=2 * reach + 2)
    hardware = Design(core=probe, exploit="AW", window=wired)
    for cat, win in windows:
        try:
            validate_mode(hardware, Design(core=probe, exploit=CATEGORY_EXPLOIT[cat], window=win))
        except ValueError as err:
            raise ValueError(f"{path}: modes.{cat}: {err}") from None
    meta = {k: v for k, v in data.items() if k not in ("wired", "modes")}
    return DerivedGriffin(wired=wired, windows=windows, balanced=bal, meta=meta, path=path)


def derived_griffin(path: str | os.PathLike | None = None) -> DerivedGriffin:
    """Read the stored derivation (default: the package's ``design/data/derived_griffin.yaml``);
    ``ValueError`` naming the field on a missing or broken file."""
    return _read_derived(None if path is None else os.fspath(path))


@functools.lru_cache(maxsize=8)
def _read_derived(path: str | None) -> DerivedGriffin:
    import yaml

    if path is None:
        package, name = DERIVED_RESOURCE
        ref = importlib.resources.files(package).joinpath(name)
        label, text = str(ref), _read_text(ref.read_text, str(ref))
    else:
        label = path

        def read():
            with open(path, encoding="utf-8") as f:
                return f.read()

        text = _read_text(read, path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(f"{label}: not valid YAML: {str(err).splitlines()[0]}") from None
    return parse_derived(data, label)


def _read_text(read, label: str) -> str:
    try:
        return read()
    except OSError as err:
        raise ValueError(f"{label}: cannot read the derived Griffin file: {err}") from None


def griffin(
    core: Core | None = None,
    wired: Window | None = None,
    windows: Mapping[str, Window] | None = None,
    name: str = "griffin",
) -> Accelerator:
    """The Griffin hybrid: ONE dual-sparse core reconfigured per model category.

    Hardware: an AW core (activation- and weight-side F:1 muxes per multiplier wired for
    ``wired``, both staging buffers, one scheduler per DPU, extra adder trees for its ``dg``
    offsets). Modes (docs/model.md section 5):

    * ``dense``: exploit none; every mux bypassed, schedulers and staging gated; leakage of the
      full area still paid.
    * ``W``: exploit W with an offline (static) schedule; weight-side muxes bypassed, per-DPU
      schedulers off; default window: the wired offsets with ``dg == 0``.
    * ``A``: exploit A; one scheduler per column drives the column, the other per-DPU schedulers
      and the redundant activation-side muxes are gated; default window: all wired offsets.
    * ``AW``: everything on; default window: all wired offsets.

    Args:
      core: geometry (default 8 x 8 DPUs x 16 lanes).
      wired: the wired window. Default: the derived wiring (``derived_griffin()``, docs/model.md
        5.2) together with its derived mode windows; an explicit ``wired`` runs the default
        mode windows above.
      windows: optional per-category mode windows (over the defaults), each a subset of the
        wired inputs under the module's mapping; ``ValueError`` otherwise.
    """
    core = DEFAULT_CORE if core is None else core
    base = {}
    if wired is None:
        stored = derived_griffin()
        wired, base = stored.wired, stored.mode_windows()
    hardware = Design(core=core, exploit="AW", window=wired)
    windows = dict(windows or {})
    for cat in windows:
        check_category(cat)
    base.update(windows)
    modes = {}
    for cat in CATEGORIES:
        exploit = CATEGORY_EXPLOIT[cat]
        win = base.get(cat, default_mode_window(wired, exploit))
        modes[cat] = Design(core=core, exploit=exploit, window=win)
    return Accelerator(
        name=name,
        hardware=hardware,
        modes=modes,
        mechanism="Griffin (HPCA'22): one dual-sparse core with per-category gating, scheduler "
        "granularity and mode windows that are subsets of the wired mux inputs",
    )
