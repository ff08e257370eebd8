"""The Griffin variants (Shin et al., HPCA 2022): the derived one and two for comparison."""

from griffin_jax.design._griffin import (
    derived_griffin,
    griffin,
    griffin_noreuse,
    griffin_wired_window,
)
from griffin_jax.design._presets._registry import core_or_default, register_preset

_SOURCE = "Shin et al., Griffin, HPCA 2022 (our reconstruction, docs/model.md 5)"

register_preset("griffin", griffin, kind="griffin", source=_SOURCE)
# the same derived wiring without resource reuse (docs/model.md 5.3): reported beside griffin
register_preset("griffin_noreuse", griffin_noreuse, kind="griffin", source=_SOURCE)


@register_preset("griffin_v1", kind="griffin", default=False, source=_SOURCE)
def griffin_v1(core=None):
    """The first version's hand-picked Griffin (``griffin_wired_window()``: ``box(2,1,0)`` plus
    ``(1, 0, +1)``) with the default mode windows, kept by name for comparison with the derived
    one (docs/model.md 5.2); as the first version ran it: no resource reuse, one fixed mode per
    category."""
    return griffin(
        core_or_default(core), griffin_wired_window(), name="griffin_v1", reuse=False, choose=False
    )


@register_preset("griffin_balanced", kind="griffin", default=False, source=_SOURCE)
def griffin_balanced(core=None):
    """The stored derivation's balanced wiring (highest geometric mean over the four categories
    of TOPS/W relative to the dense core, docs/model.md 5.2) with its default mode windows."""
    return griffin(core_or_default(core), derived_griffin().balanced, name="griffin_balanced")
