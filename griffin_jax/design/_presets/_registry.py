"""The preset registry: every named accelerator (``preset(name, core)``).

An entry is a builder ``f(core: Core | None = None) -> Accelerator`` with meta data:

* ``kind``: ``"dense"`` (the baseline core), ``"prior"`` (a published design Griffin is compared
  with: the claims' comparators, validation) or ``"griffin"`` (a Griffin variant, reported as
  kind ``griffin``);
* ``default``: listed by the CLI's default ``design.presets``;
* ``source``: the publication the mechanism follows (docs tables cite it).

A new preset is one file (or function) and one ``register_preset`` call; ``PRESETS``,
``PRIOR_PRESETS``, ``GRIFFIN_PRESETS``, the CLI's defaults and checks, the claims' comparator
sets and the generated docs table all read this registry (docs/architecture.md).
"""

from __future__ import annotations

from griffin_jax._registry import Registry
from griffin_jax.design._core import Core, Design, Window
from griffin_jax.design._griffin import DEFAULT_CORE, Accelerator

KINDS = ("dense", "prior", "griffin")


def _check(entry) -> None:
    if entry.meta["kind"] not in KINDS:
        raise ValueError(f"preset {entry.name!r}: kind must be one of {KINDS}")
    if not callable(entry.value):
        raise ValueError(f"preset {entry.name!r}: the registered value must be callable")


PRESET_REGISTRY = Registry("preset", required=("kind",), check=_check)


def register_preset(
    name: str,
    build=None,
    *,
    kind: str = "prior",
    default: bool = True,
    source: str = "",
    replace: bool = False,
):
    """Register ``build(core=None) -> Accelerator`` as preset ``name`` (usable as a
    decorator); ``kind``, ``default`` and ``source``: module doc. Returns ``build``."""
    return PRESET_REGISTRY.register(
        name, build, kind=kind, default=default, source=source, replace=replace
    )


def preset(name: str, core: Core | None = None) -> Accelerator:
    """Build the preset ``name`` (one of ``PRESETS``) on ``core`` (default 8 x 8 x 16)."""
    if name not in PRESET_REGISTRY:
        raise ValueError(
            f"preset name must be one of {PRESET_REGISTRY.names()}, got {name!r} "
            f"({PRESET_REGISTRY.unknown(name).split('; ')[1]})"
        )
    acc = PRESET_REGISTRY.get(name)(core)
    if not isinstance(acc, Accelerator):
        raise ValueError(f"preset {name!r} built {type(acc).__name__}, not an Accelerator")
    return acc


def preset_names(**where) -> tuple:
    """Registered preset names (``where``: meta filters, e.g. ``kind="prior"``)."""
    return PRESET_REGISTRY.names(**where)


def core_or_default(core) -> Core:
    core = DEFAULT_CORE if core is None else core
    if not isinstance(core, Core):
        raise ValueError(f"core must be a Core, got {type(core).__name__}")
    return core


def custom(
    name: str,
    core: Core,
    exploit: str,
    window: Window | None = None,
    sync: str = "core",
    mechanism: str = "custom fixed design",
) -> Accelerator:
    """A fixed (non-reconfigurable) accelerator that runs ``Design(core, exploit, window)``."""
    window = Window.empty() if window is None else window
    return Accelerator(
        name=name,
        hardware=Design(core=core, exploit=exploit, window=window, sync=sync),
        mechanism=mechanism,
    )
