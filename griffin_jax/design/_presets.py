"""Named prior-art presets and the Griffin hybrid, all built from the same parts (docs/model.md s.
5).

Fairness rule: every preset built from one ``core`` has the same peak, ``core.multipliers`` INT8
MACs per cycle (default 8 x 8 DPUs x 16 lanes = 1024). ``sparten_like`` keeps that count with one
lane per DPU and more DPUs. Each preset is an *approximation* of the published mechanism inside
this project's borrowing model; the comments say what is kept and what is not.
"""

from __future__ import annotations

import dataclasses
import math

from griffin_jax.design._core import Core, Design, Window
from griffin_jax.design._griffin import (
    DEFAULT_CORE,
    Accelerator,
    derived_griffin,
    griffin,
    griffin_wired_window,
)

__all__ = [
    "DEFAULT_CORE",
    "PRESETS",
    "PRIOR_PRESETS",
    "preset",
    "custom",
    "dense",
    "cnvlutin_like",
    "cambricon_x_like",
    "bit_tactical_like",
    "tensordash_like",
    "sparten_like",
    "stc_2to4",
    "griffin",
    "griffin_v1",
    "griffin_balanced",
    "GRIFFIN_PRESETS",
    "l_shape",
    "t_shape",
]


def _core(core):
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


def l_shape(lookahead: int, lookaside: int) -> Window:
    """Bit-Tactical's L: ``(1,0) .. (h,0)`` then ``(1,-1) .. (1,-d)`` (docs/model.md 3.2)."""
    return Window.from_offsets(
        [(t, 0) for t in range(1, lookahead + 1)] + [(1, -s) for s in range(1, lookaside + 1)]
    )


def t_shape() -> Window:
    """Our 8-input T: a lookaside bar at ``dt = 1`` over lanes -2..+2 and a time stem at the own
    lane down to ``dt = 3``; priority: the stem first (stay in lane), then the bar nearest-first.

    TensorDash's exact connectivity is not reproduced (its paper was not available to us); only
    its published budget, an 8-input mux per multiplier input, and a T-like reach are kept."""
    return Window.from_offsets([(1, 0), (2, 0), (3, 0), (1, -1), (1, 1), (1, -2), (1, 2)])


def dense(core: Core | None = None) -> Accelerator:
    """The optimized dense core: no muxes, no staging, no schedulers; T cycles per tile."""
    return custom(
        "dense",
        _core(core),
        "none",
        mechanism="dense baseline: R x C DPUs of L INT8 multipliers, adder tree, INT32 accumulator",
    )


def cnvlutin_like(core: Core | None = None, depth: int = 7) -> Accelerator:
    """Cnvlutin (ISCA'16) skips zero activations: activations are stored as nonzero + offset and
    each lane consumes its own stream, fetching the matching weights by offset. Approximated as
    exploit A with a per-lane time lookahead ``(1,0) .. (depth,0)`` (no lane crossing; lanes
    resynchronise through the shared step pointer after at most ``depth + 1`` steps) and an
    8-input weight mux by default."""
    win = Window.from_offsets([(t, 0) for t in range(1, depth + 1)])
    return Accelerator(
        name="cnvlutin_like",
        hardware=Design(core=_core(core), exploit="A", window=win),
        mechanism=f"Cnvlutin: zero-activation skipping, per-lane time lookahead of {depth}",
    )


def cambricon_x_like(core: Core | None = None) -> Accelerator:
    """Cambricon-X (MICRO'16) skips zero weights: weights are stored compressed with step
    indexes and each PE's indexing module picks the matching activations from a buffered window.
    Approximated as exploit W with an offline schedule and a wide activation selector: one step
    of lookahead reaching ``(L-1)//2`` lanes each way, so the mux has about ``L`` inputs
    (16 on the default core). The real indexing module reaches further in time; this keeps its
    distinguishing cost, a wide activation selector per multiplier."""
    core = _core(core)
    win = Window.box(time=1, lane=(core.lanes - 1) // 2)
    return Accelerator(
        name="cambricon_x_like",
        hardware=Design(core=core, exploit="W", window=win),
        mechanism="Cambricon-X: compressed weights, wide activation selection (static W)",
    )


def bit_tactical_like(
    core: Core | None = None, lookahead: int = 2, lookaside: int = 5
) -> Accelerator:
    """Bit-Tactical (ASPLOS'19) front end: weights are scheduled offline (static W) into an
    L-shaped window of lookahead 2 and lookaside 5, so each multiplier needs an 8-input
    activation mux (1 own + 2 + 5) and the weight memory holds the pre-scheduled weights plus
    ``ceil(log2 8) = 3`` bits of selector metadata. The bit-serial back end is not modelled."""
    core = _core(core)
    side = min(lookaside, core.lanes - 1)
    return Accelerator(
        name="bit_tactical_like",
        hardware=Design(core=core, exploit="W", window=l_shape(lookahead, side)),
        mechanism=f"Bit-Tactical: static weight schedule, L-shape h={lookahead} d={side}",
    )


def tensordash_like(core: Core | None = None) -> Accelerator:
    """TensorDash (MICRO'20): an 8-input multiplexer per multiplier input and a hardware
    scheduler that moves both operands of an effectual pair together. Approximated as exploit
    AW, dynamic (one scheduler per DPU), with the 8-input ``t_shape()`` window on both operand
    sides and shared step pointer."""
    return Accelerator(
        name="tensordash_like",
        hardware=Design(core=_core(core), exploit="AW", window=t_shape()),
        mechanism="TensorDash: dynamic dual-side scheduling over an 8-input T window",
    )


def _single_lane_core(core: Core) -> Core:
    """Same multiplier count with one lane per DPU: lanes split over rows and columns."""
    a = max(d for d in range(1, int(math.isqrt(core.lanes)) + 1) if core.lanes % d == 0)
    return dataclasses.replace(
        core, rows=core.rows * (core.lanes // a), cols=core.cols * a, lanes=1
    )


def sparten_like(core: Core | None = None, depth: int = 15) -> Accelerator:
    """SparTen (MICRO'19): every compute unit runs an inner join of two bitmask-compressed
    vectors and performs one effectual MAC per cycle; compute units run decoupled from each
    other. Approximated as exploit AW on a core with ONE lane per DPU and the same multiplier
    count (8 x 8 x 16 -> 32 x 32 x 1), a deep time lookahead ``box(time=depth)`` standing in for
    the prefix-sum/priority-encoder join over a chunk, a per-DPU scheduler, and
    ``sync="group"`` (each DPU its own step pointer: docs/model.md 3.4's idealised decoupling).
    SparTen's greedy filter balancing is not modelled."""
    core = _single_lane_core(_core(core))
    return Accelerator(
        name="sparten_like",
        hardware=Design(core=core, exploit="AW", window=Window.box(time=depth), sync="group"),
        mechanism=f"SparTen: per-unit inner join, 1 MAC/unit/cycle, time lookahead {depth}",
    )


def stc_2to4(core: Core | None = None) -> Accelerator:
    """NVIDIA's sparse tensor core (Ampere, 2:4 structured sparsity). Weights pruned 2-of-4
    along K are stored as the two kept values per group of four plus a 2-bit index each; every
    multiplier has a 4:1 activation mux that picks the matching activation, so the core covers
    2 L positions of K per step.

    Exact rule used by the cost model: if EVERY aligned group of four consecutive ``k`` (per
    output channel; the last group may be shorter) holds at most two nonzero weights, the layer
    runs on the compacted reduction ``K' = sum over groups of min(2, group length)`` with
    ``ceil(K'/L)`` steps per tile and compressed weights; otherwise it runs dense (``T`` steps,
    dense weights, muxes on their fixed input). Activation sparsity is never exploited."""
    return Accelerator(
        name="stc_2to4",
        hardware=Design(core=_core(core), exploit="W", window=Window.empty()),
        structured="2:4",
        mechanism="NVIDIA sparse tensor core: fixed 2:1 compaction of 2:4-structured weights",
    )


def griffin_v1(core: Core | None = None) -> Accelerator:
    """The first version's hand-picked Griffin (``griffin_wired_window()``: ``box(2,1,0)`` plus
    ``(1, 0, +1)``) with the default mode windows, kept by name for comparison with the derived
    one (docs/model.md 5.2)."""
    return griffin(_core(core), griffin_wired_window(), name="griffin_v1")


def griffin_balanced(core: Core | None = None) -> Accelerator:
    """The stored derivation's balanced wiring (highest geometric mean over the four categories
    of TOPS/W relative to the dense core, docs/model.md 5.2) with its default mode windows."""
    return griffin(_core(core), derived_griffin().balanced, name="griffin_balanced")


PRESETS = {
    "dense": dense,
    "cnvlutin_like": cnvlutin_like,
    "cambricon_x_like": cambricon_x_like,
    "bit_tactical_like": bit_tactical_like,
    "tensordash_like": tensordash_like,
    "sparten_like": sparten_like,
    "stc_2to4": stc_2to4,
    "griffin": griffin,
    "griffin_v1": griffin_v1,
    "griffin_balanced": griffin_balanced,
}
# The Griffin variants (reconfigurable AW hardware); studies report them as kind "griffin".
GRIFFIN_PRESETS = ("griffin", "griffin_v1", "griffin_balanced")
# The published sparse designs Griffin is compared with.
PRIOR_PRESETS = (
    "cnvlutin_like",
    "cambricon_x_like",
    "bit_tactical_like",
    "tensordash_like",
    "sparten_like",
    "stc_2to4",
)


def preset(name: str, core: Core | None = None) -> Accelerator:
    """Build the preset ``name`` (one of ``PRESETS``) on ``core`` (default 8 x 8 x 16)."""
    if name not in PRESETS:
        raise ValueError(f"preset name must be one of {tuple(PRESETS)}, got {name!r}")
    return PRESETS[name](core)
