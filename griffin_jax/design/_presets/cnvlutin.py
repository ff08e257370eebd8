"""Cnvlutin (Albericio et al., ISCA 2016): zero-activation skipping."""

import dataclasses

from griffin_jax.design._core import Core, Design
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset
from griffin_jax.design._shapes import time_queue

# Cnvlutin's bricks hold 16 values, each stored nonzero carries a 4-bit offset (docs/model.md 5).
BRICK = 16


def single_column_core(core: Core) -> Core:
    """Same multiplier count with one column: every row sees the same activations (DaDianNao
    broadcasts one window to all its units), ``rows x cols`` rows."""
    return dataclasses.replace(core, rows=core.rows * core.cols, cols=1)


@register_preset("cnvlutin_like", source="Albericio et al., Cnvlutin, ISCA 2016")
def cnvlutin_like(
    core=None, depth: int = BRICK - 1, fetch: str = "offset", single_column: bool = True
) -> Accelerator:
    """Cnvlutin (ISCA'16) skips zero activations: activations are stored as (value, offset)
    pairs in bricks of 16 and each neuron lane consumes its own stream, fetching the matching
    weights by offset from its own slice of the weight buffer (docs/model.md 5).

    Approximated as exploit A on a core with ONE column and the same multiplier count (8 x 8 x
    16 -> 64 x 1 x 16: all rows share one activation stream, as DaDianNao's units share one
    window), a per-lane time lookahead ``(1,0) .. (15,0)`` (a lane works through its brick of
    16 without waiting for the other lanes, within the window of the shared step pointer, which
    is at least as flexible as resynchronising at brick boundaries), per-lane brick buffers of
    (value, 4-bit offset) entries and weight-buffer slices addressed by the offset: no weight
    mux, no weight staging, no scheduler.

    ``fetch="mux", depth=7, single_column=False`` is the previous model (an 8:1 weight mux per
    multiplier over staged weight rows on the full core), kept for the ablation."""
    core = core_or_default(core)
    if single_column:
        core = single_column_core(core)
    how = "offset-addressed weight slices" if fetch == "offset" else "a weight mux"
    return Accelerator(
        name="cnvlutin_like",
        hardware=Design(core=core, exploit="A", window=time_queue(depth)),
        fetch=fetch,
        mechanism=f"Cnvlutin: zero-activation skipping, per-lane time lookahead of {depth}, {how}",
    )
