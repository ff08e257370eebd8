"""Cambricon-X (Zhang et al., MICRO 2016): zero-weight skipping with an indexing module."""

from griffin_jax.design._core import Design, Window
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset


@register_preset("cambricon_x_like", source="Zhang et al., Cambricon-X, MICRO 2016")
def cambricon_x_like(core=None) -> Accelerator:
    """Cambricon-X (MICRO'16) skips zero weights: weights are stored compressed with step
    indexes and each PE's indexing module picks the matching activations from a buffered window.
    Approximated as exploit W with an offline schedule and a wide activation selector: one step
    of lookahead reaching ``(L-1)//2`` lanes each way, so the mux has about ``L`` inputs
    (16 on the default core). The real indexing module reaches further in time; this keeps its
    distinguishing cost, a wide activation selector per multiplier."""
    core = core_or_default(core)
    win = Window.box(time=1, lane=(core.lanes - 1) // 2)
    return Accelerator(
        name="cambricon_x_like",
        hardware=Design(core=core, exploit="W", window=win),
        mechanism="Cambricon-X: compressed weights, wide activation selection (static W)",
    )
