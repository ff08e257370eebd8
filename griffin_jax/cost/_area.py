"""What an accelerator builds (component inventory) and its area (MODEL.md section 4 table).

Models (``b`` operand bits, ``L`` lanes, ``F`` mux fan-in, ``D`` lookahead depth):

* multiplier: the cited INT8 multiplier; ``R C L`` of them.
* adder tree: a balanced tree of ``L - 1`` adders over ``2b``-bit products, one bit wider per
  level; accumulator: an ``acc``-bit adder plus ``acc`` flip-flops; one each per DPU.
* F:1 operand mux of ``b`` bits: ``(F - 1) b`` 2:1 mux cells (a tree of 2:1 cells).
  Activation side: one per multiplier for W and AW hardware; one per column-lane, shared down the
  column, for A hardware. Weight side: one per multiplier for A and AW hardware; none for W (the
  weights are stored pre-scheduled). Activation fan-in ``1 + |window|`` (A, AW) or
  ``1 + |distinct (dt, dl)|`` (W: the activation comes from the own column); weight fan-in
  ``1 + |distinct (dt, dl)|`` (the weight comes from the own row whatever ``dg``).
  2:4 structured datapath: a 4:1 activation mux per multiplier.
* lookahead staging: ``D x L x b`` flip-flops per buffer; activation buffers per column (W, AW),
  weight buffers per row (A, AW); under ``sync="group"`` every DPU keeps its own buffers.
* scheduler (A: one per column; AW: one per DPU; W: none, the schedule is offline):
  ``L x F`` priority cells plus a ``(D + 1) x L`` pending-mask register.
* extra adder tree + accumulator port (an ``acc``-bit adder) per DPU per distinct ``dg != 0``.
"""

from __future__ import annotations

import dataclasses

from griffin_jax.design._core import Design, Window
from griffin_jax.design._griffin import Accelerator

COMPONENTS = ("multipliers", "adder_trees", "accumulators", "act_mux", "wgt_mux", "staging",
              "schedulers", "extra_trees")


def distinct_steps(window: Window) -> int:
    """Number of distinct ``(dt, dl)`` pairs in ``window``."""
    return len({(t, l) for t, l, _ in window.as_tuples()})


def distinct_dg(window: Window) -> int:
    """Number of distinct ``dg != 0`` in ``window`` (each needs its own extra adder tree)."""
    return len({g for _, _, g in window.as_tuples() if g != 0})


def act_fan_in(exploit: str, window: Window) -> int:
    """Activation-side mux fan-in of a design running ``exploit`` with ``window`` (1: no mux)."""
    if exploit in ("A", "AW"):
        return 1 + window.size
    if exploit == "W":
        return 1 + distinct_steps(window)
    return 1


def wgt_fan_in(exploit: str, window: Window) -> int:
    """Weight-side mux fan-in (1: no mux)."""
    return 1 + distinct_steps(window) if exploit in ("A", "AW") else 1


def tree_adder_widths(lanes: int, product_bits: int) -> tuple[int, ...]:
    """Widths of the ``lanes - 1`` adders of a balanced adder tree over ``lanes`` products."""
    widths, n, w = [], lanes, product_bits
    while n > 1:
        widths += [w] * (n // 2)
        n = n // 2 + n % 2
        w += 1
    return tuple(widths)


@dataclasses.dataclass(frozen=True)
class Inventory:
    """Counts of the built parts of an accelerator (its ``hardware`` design)."""

    multipliers: int
    dpus: int
    lanes: int
    bits: int
    acc_bits: int
    act_mux_count: int
    act_mux_fan_in: int
    act_mux_shared: bool  # one per column-lane (A hardware) instead of one per multiplier
    wgt_mux_count: int
    wgt_mux_fan_in: int
    act_buffers: int
    wgt_buffers: int
    depth: int
    schedulers: int
    scheduler_fan_in: int
    extra_trees_per_dpu: int

    @property
    def staging_bits(self) -> int:
        return (self.act_buffers + self.wgt_buffers) * self.depth * self.lanes * self.bits


def inventory(accel: Accelerator, bits: int = 8, acc_bits: int = 32) -> Inventory:
    """The parts ``accel.hardware`` builds (see the module doc for the rules)."""
    if not isinstance(accel, Accelerator):
        raise ValueError(f"accel must be an Accelerator, got {type(accel).__name__}")
    hw: Design = accel.hardware
    core, ex, win = hw.core, hw.exploit, hw.window
    R, C, L = core.rows, core.cols, core.lanes
    mults, dpus = core.multipliers, R * C
    if accel.structured == "2:4":
        return Inventory(mults, dpus, L, bits, acc_bits, mults, 4, False, 0, 1, 0, 0, 0, 0, 1, 0)
    a_f, w_f = act_fan_in(ex, win), wgt_fan_in(ex, win)
    shared = ex == "A"
    a_count = 0 if a_f == 1 else (C * L if shared else mults)
    w_count = 0 if w_f == 1 else mults
    D = win.depth
    per_group = hw.sync == "group"
    act_buf = (dpus if per_group else C) if ex in ("W", "AW") and D else 0
    wgt_buf = (dpus if per_group else R) if ex in ("A", "AW") and D else 0
    scheds = {"A": C, "AW": dpus}.get(ex, 0)
    return Inventory(
        multipliers=mults, dpus=dpus, lanes=L, bits=bits, acc_bits=acc_bits,
        act_mux_count=a_count, act_mux_fan_in=a_f, act_mux_shared=shared,
        wgt_mux_count=w_count, wgt_mux_fan_in=w_f, act_buffers=act_buf, wgt_buffers=wgt_buf,
        depth=D, schedulers=scheds, scheduler_fan_in=1 + win.size,
        extra_trees_per_dpu=distinct_dg(win),
    )


def tree_area(tech, lanes: int) -> float:
    """um^2 of one adder tree over ``lanes`` products."""
    return sum(tech.adder_area(w) for w in tree_adder_widths(lanes, 2 * tech.operand_bits))


def mux_area(tech, fan_in: int) -> float:
    """um^2 of one ``fan_in``:1 operand mux of ``tech.operand_bits`` bits."""
    return (fan_in - 1) * tech.operand_bits * tech.mux2_area


def scheduler_area(tech, lanes: int, fan_in: int, depth: int) -> float:
    """um^2 of one scheduler: ``L x F`` priority cells and a ``(D + 1) x L`` pending mask."""
    return lanes * fan_in * tech.priority_cell_area + (depth + 1) * lanes * tech.dff_area


def area_breakdown(accel: Accelerator, tech) -> dict:
    """Area per component in mm^2 (keys: ``COMPONENTS``)."""
    inv = inventory(accel, tech.operand_bits, tech.accumulator_bits)
    L, acc = inv.lanes, inv.acc_bits
    um2 = {
        "multipliers": inv.multipliers * tech.mult8_area,
        "adder_trees": inv.dpus * tree_area(tech, L),
        "accumulators": inv.dpus * (tech.adder_area(acc) + acc * tech.dff_area),
        "act_mux": inv.act_mux_count * mux_area(tech, inv.act_mux_fan_in),
        "wgt_mux": inv.wgt_mux_count * mux_area(tech, inv.wgt_mux_fan_in),
        "staging": inv.staging_bits * tech.dff_area,
        "schedulers": inv.schedulers * scheduler_area(tech, L, inv.scheduler_fan_in, inv.depth),
        "extra_trees": inv.dpus * inv.extra_trees_per_dpu
        * (tree_area(tech, L) + tech.adder_area(acc)),
    }
    return {k: um2[k] * 1e-6 for k in COMPONENTS}
