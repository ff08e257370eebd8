"""Cambricon-X (Zhang et al., MICRO 2016): zero-weight skipping with an indexing module."""

import math

from griffin_jax.design._core import Design, Window
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset
from griffin_jax.workloads._categories import DEFAULT_W_DENSITY


def indexing_depth(density: float = DEFAULT_W_DENSITY) -> int:
    """Look-ahead steps of the indexing module (ASSUMPTION, docs/model.md 5): the span it
    selects from, ``depth + 1`` rows of ``L`` activations, is the smallest that holds ``L``
    nonzero weights on average at ``density`` (``ceil(1 / density)`` rows), so that a PE's
    multipliers find work in most cycles. At the default weight density 0.34: 3 rows, depth 2."""
    return max(math.ceil(1.0 / density) - 1, 1)


@register_preset("cambricon_x_like", source="Zhang et al., Cambricon-X, MICRO 2016")
def cambricon_x_like(core=None, depth: int | None = None) -> Accelerator:
    """Cambricon-X (MICRO'16) skips zero weights: weights are stored compressed with step
    indexes and each PE's indexing module picks the activations that match its nonzero weights
    from a buffered span. Approximated as exploit W with an offline schedule over
    ``box(time=depth, lane=(L-1)//2)``: every multiplier may take the activation of any lane of
    the next ``depth`` steps (the span of the indexing module), so the activation selector has
    ``1 + depth (L - 1)`` inputs. The indexing module's fan-in was not found in a readable
    source: ``depth`` is ``indexing_depth()`` (ASSUMPTION). ``depth=1`` is the previous model
    (a one-step span, at most 2x), kept for the ablation."""
    core = core_or_default(core)
    depth = indexing_depth() if depth is None else depth
    win = Window.box(time=depth, lane=(core.lanes - 1) // 2)
    return Accelerator(
        name="cambricon_x_like",
        hardware=Design(core=core, exploit="W", window=win),
        mechanism=f"Cambricon-X: compressed weights, activation selection over {depth} steps "
        "of all lanes (static W)",
    )
