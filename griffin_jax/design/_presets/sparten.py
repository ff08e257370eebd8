"""SparTen (Gondimalla et al., MICRO 2019): per-unit inner joins of bitmask-compressed vectors."""

import dataclasses
import math

from griffin_jax.design._core import Core, Design, Window
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset


def single_lane_core(core: Core) -> Core:
    """Same multiplier count with one lane per DPU: lanes split over rows and columns."""
    a = max(d for d in range(1, int(math.isqrt(core.lanes)) + 1) if core.lanes % d == 0)
    return dataclasses.replace(
        core, rows=core.rows * (core.lanes // a), cols=core.cols * a, lanes=1
    )


@register_preset("sparten_like", source="Gondimalla et al., SparTen, MICRO 2019")
def sparten_like(core=None, depth: int = 15) -> Accelerator:
    """SparTen (MICRO'19): every compute unit runs an inner join of two bitmask-compressed
    vectors and performs one effectual MAC per cycle; compute units run decoupled from each
    other. Approximated as exploit AW on a core with ONE lane per DPU and the same multiplier
    count (8 x 8 x 16 -> 32 x 32 x 1), a deep time lookahead ``box(time=depth)`` standing in for
    the prefix-sum/priority-encoder join over a chunk, a per-DPU scheduler, and
    ``sync="group"`` (each DPU its own step pointer: docs/model.md 3.4's idealised decoupling).
    SparTen's greedy filter balancing is not modelled."""
    core = single_lane_core(core_or_default(core))
    return Accelerator(
        name="sparten_like",
        hardware=Design(core=core, exploit="AW", window=Window.box(time=depth), sync="group"),
        mechanism=f"SparTen: per-unit inner join, 1 MAC/unit/cycle, time lookahead {depth}",
    )
