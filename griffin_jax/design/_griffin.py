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

Resource reuse (docs/model.md 5.3, our reconstruction: an ASSUMPTION). In W mode the weight-side
mux of every multiplier is idle (the offline schedule places the weights). A Griffin built with
``reuse`` gives that mux a second job: through one extra 2:1 select per operand bit it feeds the
multiplier an activation from ``D`` steps further ahead, so W mode reaches the wired ``dg == 0``
offsets ``(dt, dl, 0)`` and their copies ``(dt + D, dl, 0)`` (``reuse_window``; ``D`` is the
wiring's depth). The weight-side staging buffer is not reused: it is per row and the extended
activations are per column, so reuse builds ``D`` more activation staging steps per column. In A
mode both muxes of a multiplier are busy (the weight follows each borrowed activation): no reuse.

Best mode per category. A category's workloads may run more than one mode on the same hardware
(``Accelerator.choices``): Griffin runs W-only models in W mode or in AW mode, A-only models in A
or AW mode, whichever costs less energy on the model (``cost.evaluate`` picks per network; the
configuration is per model, like its weights).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.resources
import os
from collections.abc import Mapping

from griffin_jax._checks import brief
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
FETCHES = ("mux", "offset")
DEFAULT_CORE = Core(rows=8, cols=8, lanes=16)


def reuse_window(wired: Window) -> Window:
    """The W-mode window of an AW core wired with ``wired`` that reuses its idle weight-side
    muxes (module doc): the wired ``dg == 0`` offsets, then each shifted ``D`` steps ahead
    (``D``: ``wired``'s depth), without duplicates, priority in that order. Empty when the
    wiring has no ``dg == 0`` offset."""
    own = [o for o in wired.as_tuples() if o[2] == 0]
    depth = wired.depth
    shifted = [(dt + depth, dl, 0) for dt, dl, _ in own]
    return Window.from_offsets(list(dict.fromkeys(own + shifted)))


def _reused_inputs(hardware: Design) -> set:
    """W-mode offsets a reusing AW core can serve: its ``reuse_window``."""
    return set(reuse_window(hardware.window).as_tuples())


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


def validate_mode(hardware: Design, mode: Design, category: str = "?", reuse: bool = False) -> None:
    """Raise ``ValueError`` unless ``mode`` can run on ``hardware`` (same core and sync, runnable
    exploit, every offset wired; with ``reuse``, a W mode on AW hardware may use its
    ``reuse_window``)."""
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
    if reuse and hardware.exploit == "AW" and mode.exploit == "W":
        reach = _reused_inputs(hardware)
        for off in mode.window.as_tuples():
            if off not in reach:
                raise ValueError(
                    f"{where}: W-mode offset {off} is outside the reuse window "
                    f"{reuse_window(hardware.window).label()} of the wiring {hardware.window}"
                )
        return
    for off in mode.window.as_tuples():
        need = wired_input(hardware.exploit, mode.exploit, off)
        if need not in wired:
            raise ValueError(
                f"{where}: window offset {off} needs mux input {need}, which is not wired "
                f"(wired window {hardware.window})"
            )


def _by_category(value, field: str, shape: str, item) -> tuple:
    """``value`` (a mapping or pairs) as ``((category, item(v)), ...)``; ``ValueError`` naming
    ``Accelerator.<field>`` on another shape, an unknown or a repeated category."""
    if isinstance(value, Mapping):
        value = tuple(value.items())
    try:
        pairs = tuple((c, item(v)) for c, v in value)
    except (TypeError, ValueError):
        raise ValueError(f"Accelerator.{field} must be a mapping or {shape} pairs") from None
    seen = set()
    for cat, _ in pairs:
        check_category(cat)
        if cat in seen:
            raise ValueError(f"Accelerator.{field} lists category {cat!r} twice")
        seen.add(cat)
    return pairs


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
      gate_zero_products: zero-gating hardware (docs/model.md 4.5): a zero detector per operand
        and operand isolation per multiplier; an executed product with a zero operand costs no
        multiplier, tree-input or register switching (``dense_gated``).
      fetch: how a multiplier gets its weight: ``"mux"`` (a weight-side mux over staged rows, or
        none) or ``"offset"`` (Cnvlutin: each lane fetches the weight of its activation by
        offset from its own weight-buffer slice; A hardware with a per-lane time window only).
      mechanism: one line on the published mechanism this approximates.
      reuse: reconfigurable AW hardware whose W mode reuses the idle weight-side muxes to reach
        its ``reuse_window`` (module doc; builds the extra selects and staging steps).
      choices: ``((category, (Design, ...)), ...)`` (a mapping is accepted): further modes the
        hardware can run on a model of the category; ``cost.evaluate`` runs the mode of
        ``mode(category)`` and each of these, and reports the one of least energy.
    """

    name: str
    hardware: Design
    modes: tuple = ()
    structured: str | None = None
    gate_zero_products: bool = False
    mechanism: str = ""
    fetch: str = "mux"
    reuse: bool = False
    choices: tuple = ()

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
        modes = _by_category(self.modes, "modes", "(category, Design)", lambda d: d)
        if not isinstance(self.reuse, bool):
            raise ValueError("Accelerator.reuse must be a bool")
        if self.reuse and (self.hardware.exploit != "AW" or not modes):
            raise ValueError("Accelerator.reuse needs reconfigurable AW hardware (modes given)")
        for cat, design in modes:
            validate_mode(self.hardware, design, cat, self.reuse)
        object.__setattr__(self, "modes", modes)
        object.__setattr__(self, "choices", self._checked_choices())
        if self.structured is not None:
            hw = self.hardware
            if hw.exploit != "W" or hw.window.size or modes:
                raise ValueError(
                    "Accelerator.structured needs W hardware with an empty window and no modes"
                )
        if not isinstance(self.gate_zero_products, bool):
            raise ValueError("Accelerator.gate_zero_products must be a bool")
        if self.fetch not in FETCHES:
            raise ValueError(f"Accelerator.fetch must be one of {FETCHES}, got {self.fetch!r}")
        if self.fetch == "offset":
            hw = self.hardware
            lane_local = all(dl == 0 and dg == 0 for _, dl, dg in hw.window.as_tuples())
            if hw.exploit != "A" or modes or hw.sync != "core" or not lane_local:
                raise ValueError(
                    "Accelerator.fetch='offset' needs fixed A hardware with core sync and a "
                    "per-lane time window (offsets (dt, 0, 0))"
                )

    def _checked_choices(self) -> tuple:
        choices = _by_category(self.choices, "choices", "(category, (Design, ...))", tuple)
        for cat, designs in choices:
            for design in designs:
                validate_mode(self.hardware, design, cat, self.reuse)
        if choices and not self.modes:
            raise ValueError("Accelerator.choices needs reconfigurable hardware (modes given)")
        return choices

    def mode_choices(self, category: str) -> tuple:
        """Every design this accelerator can run on a model of ``category``: ``mode(category)``
        first, then its ``choices`` (duplicates dropped)."""
        extra = dict(self.choices).get(category, ())
        return tuple(dict.fromkeys((self.mode(category), *extra)))

    def running(self, category: str, mode: Design) -> Accelerator:
        """This accelerator configured to run ``mode`` (one of ``mode_choices(category)``) on
        ``category``, with no other choice left."""
        if mode not in self.mode_choices(category):
            raise ValueError(f"{self.name}: {mode} is not a mode it can run on {category!r}")
        if not self.choices:
            return self
        modes = dict(self.modes)
        modes[category] = mode
        return dataclasses.replace(self, modes=tuple(modes.items()), choices=())

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
      windows: ``((category, Window), ...)`` the mode window of every category (``griffin``,
        with reuse).
      balanced: the wiring of ``griffin_balanced`` (run with its default modes).
      meta: everything else the file records (command, date, workloads, tech, core, numbers).
      path: the file it was read from.
      exploits: ``((category, exploit), ...)`` the exploit of each mode window (default: the
        category's own, ``CATEGORY_EXPLOIT``).
      noreuse: ``((category, exploit, Window), ...)`` the modes derived for
        ``griffin_noreuse`` (empty: the ``windows`` that run without reuse, else defaults).
    """

    wired: Window
    windows: tuple
    balanced: Window
    meta: Mapping = dataclasses.field(default_factory=dict)
    path: str = ""
    exploits: tuple = ()
    noreuse: tuple = ()

    def mode_windows(self) -> dict:
        return dict(self.windows)

    def mode_designs(self, core: Core, reuse: bool = True) -> dict:
        """The derived mode of each category as a ``Design`` on ``core``; for the variant
        without reuse, its own derived modes (``noreuse``) or else the ``windows`` that run
        without reuse (the others take their default)."""
        if not reuse and self.noreuse:
            return {c: Design(core=core, exploit=ex, window=w) for c, ex, w in self.noreuse}
        exploits = {c: CATEGORY_EXPLOIT[c] for c in CATEGORIES} | dict(self.exploits)
        out = {}
        hardware = Design(core=core, exploit="AW", window=self.wired)
        for cat, win in self.windows:
            design = Design(core=core, exploit=exploits[cat], window=win)
            try:
                validate_mode(hardware, design, cat, reuse)
            except ValueError:
                continue  # needs the reuse this variant does not build: its default mode
            out[cat] = design
        return out


def _modes_field(data, key: str, exploits_key: str, path: str) -> tuple:
    modes = data[key]
    if not isinstance(modes, Mapping) or set(modes) != set(CATEGORIES):
        raise ValueError(
            f"{path}: {key} must map each category of {CATEGORIES} to a window, got "
            f"{sorted(map(str, modes)) if isinstance(modes, Mapping) else brief(modes)}"
        )
    exploits = data.get(exploits_key, {})
    if not isinstance(exploits, Mapping) or not set(exploits) <= set(CATEGORIES):
        raise ValueError(f"{path}: {exploits_key} must map categories to exploits")
    out = []
    for cat in CATEGORIES:
        ex = exploits.get(cat, CATEGORY_EXPLOIT[cat])
        allowed = (CATEGORY_EXPLOIT[cat], *ALTERNATIVE_EXPLOITS[cat])
        if ex not in allowed:
            raise ValueError(f"{path}: {exploits_key}.{cat} must be one of {allowed}, got {ex!r}")
        out.append((cat, ex, _offsets_field(modes[cat], f"{key}.{cat}", path)))
    return tuple(out)


def _offsets_field(value, field: str, path: str) -> Window:
    if not isinstance(value, list) or not all(
        isinstance(o, list)
        and len(o) == 3
        and all(isinstance(v, int) and not isinstance(v, bool) for v in o)
        for o in value
    ):
        raise ValueError(
            f"{path}: {field} must be a list of [dt, dl, dg] int triples, got {brief(value)}"
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
    modes = _modes_field(data, "modes", "mode_exploits", path)
    noreuse = ()
    if "modes_noreuse" in data:
        noreuse = _modes_field(data, "modes_noreuse", "mode_exploits_noreuse", path)
    balanced = data["balanced"]
    if not isinstance(balanced, Mapping) or "wired" not in balanced:
        raise ValueError(f"{path}: balanced must be a mapping with a 'wired' window")
    bal = _offsets_field(balanced["wired"], "balanced.wired", path)
    # The modes must run on the wiring: checked on a core every offset fits.
    reach = max((abs(o[1]) for o in wired.as_tuples() + bal.as_tuples()), default=0)
    probe = Core(rows=2, cols=3, lanes=2 * reach + 2)
    hardware = Design(core=probe, exploit="AW", window=wired)
    for key, entries, reuse in (("modes", modes, True), ("modes_noreuse", noreuse, False)):
        for cat, ex, win in entries:
            try:
                validate_mode(hardware, Design(core=probe, exploit=ex, window=win), cat, reuse)
            except ValueError as err:
                raise ValueError(f"{path}: {key}.{cat}: {err}") from None
    skip = ("wired", "modes", "mode_exploits", "modes_noreuse", "mode_exploits_noreuse")
    meta = {k: v for k, v in data.items() if k not in skip}
    return DerivedGriffin(
        wired=wired,
        windows=tuple((c, w) for c, _, w in modes),
        balanced=bal,
        meta=meta,
        path=path,
        exploits=tuple((c, ex) for c, ex, _ in modes),
        noreuse=noreuse,
    )


def derived_griffin(path: str | os.PathLike | None = None) -> DerivedGriffin:
    """Read the stored derivation (default: the package's ``design/data/derived_griffin.yaml``);
    ``ValueError`` naming the field on a missing or broken file."""
    return _read_derived(None if path is None else os.fspath(path))


@functools.lru_cache(maxsize=8)
def _read_derived(path: str | None) -> DerivedGriffin:
    from griffin_jax import _yaml

    if path is None:
        package, name = DERIVED_RESOURCE
        ref = importlib.resources.files(package).joinpath(name)
        label, text = str(ref), _read_text(ref.read_text, str(ref))
    else:
        label = path

        def read():
            with open(path, "rb") as f:  # bounded: safe_load refuses what is past the limit
                return f.read(_yaml.MAX_BYTES + 1)

        text = _read_text(read, path)
    return parse_derived(_yaml.safe_load(text, label), label)


def _read_text(read, label: str):
    try:
        return read()
    except OSError as err:
        raise ValueError(f"{label}: cannot read the derived Griffin file: {err}") from None


def _mode_design(core: Core, cat: str, value) -> Design:
    """A mode given as a ``Window`` (the category's own exploit) or a ``Design``."""
    if isinstance(value, Design):
        return value
    if not isinstance(value, Window):
        raise ValueError(
            f"the mode of category {cat!r} must be a Window or a Design, got {brief(value)}"
        )
    return Design(core=core, exploit=CATEGORY_EXPLOIT[cat], window=value)


# The further exploits a Griffin may run per category (module doc: best mode per category).
ALTERNATIVE_EXPLOITS = {"dense": (), "W": ("AW",), "A": ("AW",), "AW": ()}


def griffin_modes(
    core: Core, wired: Window, reuse: bool, windows: Mapping | None = None, fixed=()
) -> tuple:
    """``(modes, choices)`` of a Griffin wired with ``wired``: per category the mode given in
    ``windows`` (a ``Window`` of the category's exploit or a ``Design``) or the default one
    (``default_mode_window``; W with ``reuse``: ``reuse_window``), and as choices the
    default-window mode of each ``ALTERNATIVE_EXPLOITS`` exploit it does not already run
    (none for the categories in ``fixed``: a mode the caller set runs as set)."""
    windows = dict(windows or {})
    for cat in windows:
        check_category(cat)
    modes, choices = {}, {}
    for cat in CATEGORIES:
        exploit = CATEGORY_EXPLOIT[cat]
        if cat in windows:
            modes[cat] = _mode_design(core, cat, windows[cat])
        elif reuse and exploit == "W":
            modes[cat] = Design(core=core, exploit="W", window=reuse_window(wired))
        else:
            modes[cat] = Design(
                core=core, exploit=exploit, window=default_mode_window(wired, exploit)
            )
        alts = [
            Design(core=core, exploit=ex, window=default_mode_window(wired, ex))
            for ex in (CATEGORY_EXPLOIT[cat], *ALTERNATIVE_EXPLOITS[cat])
        ]
        if reuse and exploit == "W":  # a reusing core can still run without reuse
            alts.insert(0, Design(core=core, exploit="W", window=reuse_window(wired)))
        alts = [d for d in alts if d != modes[cat]]
        if alts and cat not in fixed:
            choices[cat] = tuple(alts)
    return modes, choices


def griffin(
    core: Core | None = None,
    wired: Window | None = None,
    windows: Mapping | None = None,
    name: str = "griffin",
    *,
    reuse: bool = True,
    choose: bool = True,
) -> Accelerator:
    """The Griffin hybrid: ONE dual-sparse core reconfigured per model category.

    Hardware: an AW core (activation- and weight-side F:1 muxes per multiplier wired for
    ``wired``, both staging buffers, one scheduler per DPU, extra adder trees for its ``dg``
    offsets). Modes (docs/model.md section 5):

    * ``dense``: exploit none; every mux bypassed, schedulers and staging gated; leakage of the
      full area still paid.
    * ``W``: exploit W with an offline (static) schedule; per-DPU schedulers off; default
      window: the wired offsets with ``dg == 0``, and with ``reuse`` their copies ``D`` steps
      further ahead through the otherwise idle weight-side muxes (``reuse_window``).
    * ``A``: exploit A; one scheduler per column drives the column, the other per-DPU schedulers
      and the redundant activation-side muxes are gated; default window: all wired offsets.
    * ``AW``: everything on; default window: all wired offsets.

    With ``choose``, W-only models may also run in AW mode and A-only models in AW mode
    (``Accelerator.choices``): ``cost.evaluate`` reports the mode of least energy.

    Args:
      core: geometry (default 8 x 8 DPUs x 16 lanes).
      wired: the wired window. Default: the derived wiring (``derived_griffin()``, docs/model.md
        5.2) together with its derived modes; an explicit ``wired`` runs the default modes.
      windows: optional per-category modes (over the defaults): a ``Window`` (the category's
        own exploit) or a ``Design`` of a runnable exploit, wired on this hardware; otherwise
        ``ValueError``. A category given here runs that mode only (no choice).
      reuse: build the W-mode resource reuse (module doc); ``griffin_noreuse`` is ``False``.
      choose: offer the other runnable modes per category (module doc).
    """
    core = DEFAULT_CORE if core is None else core
    base = {}
    if wired is None:
        stored = derived_griffin()
        wired = stored.wired
        base = stored.mode_designs(core, reuse)
    base.update(dict(windows or {}))
    modes, choices = griffin_modes(core, wired, reuse, base, fixed=tuple(windows or ()))
    return Accelerator(
        name=name,
        hardware=Design(core=core, exploit="AW", window=wired),
        modes=modes,
        reuse=reuse,
        choices=choices if choose else (),
        mechanism="Griffin (HPCA'22): one dual-sparse core with per-category gating, scheduler "
        "granularity and modes wired on its mux inputs"
        + (", W mode reusing the idle weight-side muxes" if reuse else "")
        + (", the best runnable mode per model" if choose else ""),
    )


def griffin_noreuse(core: Core | None = None, name: str = "griffin_noreuse") -> Accelerator:
    """The derived Griffin without resource reuse: every mode a subset of the wired inputs
    (``griffin(reuse=False)``), the derived wiring with the modes derived for it."""
    return griffin(core, None, name=name, reuse=False)
