"""What an accelerator builds (component inventory) and its area (docs/model.md section 4 table).

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
* pipeline registers (docs/model.md 4.4): a ``2b``-bit product register per multiplier (the
  multiply and the tree take one cycle each, the accumulator register closes the tree's stage)
  and the operand registers that feed the array: ``(R + C) L b`` bits where rows and columns
  share a step pointer, ``2 L b`` per DPU under ``sync="group"``. Priced (area, clock and
  writes) only when ``Prices.clocked_registers``.
* zero detect (zero-gating hardware, docs/model.md 4.5): an OR tree of ``b - 1`` 2-input cells
  per operand entering the array (``(R + C) L``), and per multiplier a gate enable plus ``2b``
  isolation cells that hold its inputs: ``(R + C) L (b - 1) + R C L (2b + 1)`` NAND2-sized cells.
* offset fetch (``fetch="offset"``, Cnvlutin, docs/model.md 5): A hardware whose lanes read
  (value, offset) pairs from per-lane brick buffers (activation staging of ``b + offset`` bits
  per entry) and fetch the matching weights by offset from per-lane weight-buffer slices: no
  weight mux, no weight staging, no scheduler; the weight buffer serves ``C R L`` weights a cycle.

A window enters only through four numbers (``WindowTerms``): its size, its distinct ``(dt, dl)``
pairs, its distinct ``dg != 0`` and its depth. They are ints for a real window; the search passes
floats or JAX scalars (a relaxed box window) to the same ``build_inventory`` and
``area_components``, so relaxed and exact area agree at integer points by construction. A new
area component is one key in ``area_components``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from griffin_jax.cost._memory import BUFFERS, buffer, price_buffer
from griffin_jax.cost._prices import Prices, prices, tree_adder_widths
from griffin_jax.design._core import Core, Design, Window
from griffin_jax.design._griffin import Accelerator

# Core-only components, then the SRAM buffers (docs/model.md 4.3: core-only vs total).
CORE_COMPONENTS = (
    "multipliers",
    "adder_trees",
    "accumulators",
    "registers",
    "act_mux",
    "wgt_mux",
    "bypass",
    "staging",
    "schedulers",
    "extra_trees",
    "zero_detect",
)
MEMORY_COMPONENTS = ("sram_act", "sram_wgt", "sram_out")
COMPONENTS = CORE_COMPONENTS + MEMORY_COMPONENTS


class WindowTerms(NamedTuple):
    """What the cost model reads of a window: ``size`` (offsets), ``steps`` (distinct
    ``(dt, dl)``), ``extra_trees`` (distinct ``dg != 0``), ``depth``. Ints for a real window;
    floats or JAX scalars for a relaxed one."""

    size: Any
    steps: Any
    extra_trees: Any
    depth: Any


def window_terms(window: Window) -> WindowTerms:
    """The ``WindowTerms`` of a real window (ints)."""
    offs = window.as_tuples()
    return WindowTerms(
        size=window.size,
        steps=len({(t, l) for t, l, _ in offs}),
        extra_trees=len({g for _, _, g in offs if g != 0}),
        depth=window.depth,
    )


def distinct_steps(window: Window) -> int:
    """Number of distinct ``(dt, dl)`` pairs in ``window``."""
    return window_terms(window).steps


def distinct_dg(window: Window) -> int:
    """Number of distinct ``dg != 0`` in ``window`` (each needs its own extra adder tree)."""
    return window_terms(window).extra_trees


def fan_ins(exploit: str, terms: WindowTerms) -> tuple:
    """``(activation, weight)`` mux fan-in of a design running ``exploit`` (1: no mux)."""
    if exploit in ("A", "AW"):
        return 1 + terms.size, 1 + terms.steps
    if exploit == "W":
        return 1 + terms.steps, 1
    return 1, 1


def act_fan_in(exploit: str, window: Window) -> int:
    """Activation-side mux fan-in of a design running ``exploit`` with ``window`` (1: no mux)."""
    return fan_ins(exploit, window_terms(window))[0]


def wgt_fan_in(exploit: str, window: Window) -> int:
    """Weight-side mux fan-in (1: no mux)."""
    return fan_ins(exploit, window_terms(window))[1]


def selector_levels(fan_in):
    """Levels of 2:1 cells an operand crosses in a ``F``:1 mux tree: ``ceil(log2 F)`` (0 for
    ``F <= 1``). A JAX ``F`` (a relaxed fan-in) is interpolated linearly between consecutive
    integers, exact at integers; a plain number is exact."""
    if isinstance(fan_in, (int, float, np.integer, np.floating)):
        return math.ceil(math.log2(fan_in)) if fan_in > 1 else 0
    f = jnp.maximum(jnp.asarray(fan_in, jnp.float32), 1.0)
    n = jnp.floor(f)
    frac = f - n
    n_i = n.astype(jnp.int32)
    lo = 32 - jax.lax.clz(n_i - 1)  # bit length of n - 1 = ceil(log2 n) for n >= 1
    hi = 32 - jax.lax.clz(n_i)
    return lo + frac * (hi - lo)


@dataclasses.dataclass(frozen=True)
class Inventory:
    """Counts of the built parts of an accelerator (its ``hardware`` design).

    Counts of parts are ints (they follow from the core and the exploit); the window-dependent
    fields (fan-ins, ``depth``, ``scheduler_fan_in``, ``extra_trees_per_dpu``) are ints for a
    real design and floats or JAX scalars for a relaxed one (``build_inventory``).
    """

    multipliers: int
    dpus: int
    lanes: int
    bits: int
    acc_bits: int
    act_mux_count: int
    act_mux_fan_in: Any
    act_mux_shared: bool  # one per column-lane (A hardware) instead of one per multiplier
    wgt_mux_count: int
    wgt_mux_fan_in: Any
    act_buffers: int
    wgt_buffers: int
    depth: Any
    schedulers: int
    scheduler_fan_in: Any
    extra_trees_per_dpu: Any
    # docs/model.md 4.2: one 2:1 cell per operand bit of every per-multiplier mux, on hardware
    # that can run a mode bypassing that mux (reconfigurable accelerators).
    bypass_cells: Any = 0
    # docs/model.md 4.1: the SRAM buffers (``cost._memory.Buffer``).
    act_sram: Any = None
    wgt_sram: Any = None
    out_sram: Any = None
    # docs/model.md 4.4: product registers (R C L x 2b) and the operand registers feeding them.
    pipeline_register_bits: int = 0
    operand_register_bits: int = 0
    # docs/model.md 4.5: 2-input cells of the zero-detect and operand-isolation logic.
    zero_detect_cells: int = 0
    # bits per staged entry (the operand; Cnvlutin's brick buffers also hold its offset)
    staging_width: int = 0
    offset_fetch: bool = False
    # docs/model.md 5.3 (resource reuse): the activation staging steps a reusing W mode adds
    reuse_staging_bits: Any = 0
    rows: int = 0
    cols: int = 0

    @property
    def staging_bits(self):
        width = self.staging_width or self.bits
        built = (self.act_buffers + self.wgt_buffers) * self.depth * self.lanes * width
        return built + self.reuse_staging_bits

    @property
    def register_bits(self):
        """Clocked bits of the datapath: pipeline, operand, accumulator, staging and scheduler
        registers (docs/model.md 4.4)."""
        return (
            self.pipeline_register_bits
            + self.operand_register_bits
            + self.dpus * self.acc_bits
            + self.staging_bits
            + self.schedulers * (self.depth + 1) * self.lanes
        )


def _built(count: int, size) -> int:
    """``count`` parts, none when their size is an exact 0 (a 1:1 mux, a depth-0 buffer). A
    continuous size keeps the count: the part's area then vanishes with its size."""
    if isinstance(size, (int, np.integer)) and size == 0:
        return 0
    return count


def _maximum(a, b):
    return jnp.maximum(a, b) if isinstance(a, jax.Array) or isinstance(b, jax.Array) else max(a, b)


def offset_bits(depth) -> int:
    """Bits of a Cnvlutin offset: the position of a value in its brick of ``depth + 1``."""
    return selector_levels(depth + 1)


def _buffers(
    core: Core,
    exploit: str,
    structured,
    reconfigurable: bool,
    terms: WindowTerms,
    bits: int,
    fetch: str = "mux",
    bank_rule: str = "values",
    reuse: bool = False,
) -> tuple:
    """The three SRAM buffers of a design (``cost._memory`` module doc: metadata per value)."""
    R, C, L = core.rows, core.cols, core.lanes
    act_meta = 1 if exploit in ("A", "AW") else 0
    if fetch == "offset":  # a (value, offset) pair per stored activation
        act_meta = offset_bits(terms.depth)
    if structured == "2:4":
        wgt_meta = 2
    elif exploit == "W":  # the frame's selector names one of the window's 1 + size inputs
        wgt_meta = selector_levels(1 + terms.size)
    elif exploit == "AW":
        # a reconfigurable AW core also holds W mode's offline frame (selector per weight; its
        # W mode uses the wired offsets with dg = 0, one per distinct (dt, dl))
        # W mode (docs/model.md 5.3): with reuse the frame's selector names one of up to
        # 1 + 2 x steps inputs (the wired ones and their copies D steps ahead)
        w_inputs = 1 + (2 if reuse else 1) * terms.steps
        wgt_meta = _maximum(1, selector_levels(w_inputs)) if reconfigurable else 1
    else:
        wgt_meta = 0
    # per-lane weight slices: every column-lane reads its own R weights (docs/model.md 5)
    wgt_values = C * R * L if fetch == "offset" else R * L
    rule = {"bank_rule": bank_rule}
    return (
        buffer(core.act_kb, bits, act_meta, C * L, **rule),
        buffer(core.wgt_kb, bits, wgt_meta, wgt_values, **rule),
        buffer(core.out_kb, bits, 0, max(R, C), **rule),
    )


def build_inventory(
    core: Core,
    exploit: str,
    terms: WindowTerms,
    *,
    sync: str = "core",
    structured: str | None = None,
    bits: int = 8,
    acc_bits: int = 32,
    reconfigurable: bool = False,
    fetch: str = "mux",
    gated: bool = False,
    bank_rule: str = "values",
    reuse: bool = False,
) -> Inventory:
    """The parts a design ``(core, exploit, window with terms)`` builds (module doc).

    Which parts exist depends only on ``exploit``, ``structured``, ``reconfigurable``,
    ``fetch``, ``gated`` and ``sync`` (static); their sizes follow ``terms``, which may be
    continuous: a part whose size is zero (fan-in 1, depth 0) costs nothing whatever its count.
    ``reconfigurable`` hardware also builds the bypass cells of docs/model.md 4.2; ``gated``
    hardware the zero-detect logic of 4.5; ``fetch="offset"`` is Cnvlutin's weight fetch (module
    doc); ``bank_rule``: how the SRAM buffers are banked (``cost._memory``); ``reuse``
    (reconfigurable AW only): the W-mode resource reuse of docs/model.md 5.3, one extra 2:1 select
    per operand bit of every multiplier (counted with the bypass cells) and ``D`` more
    activation staging steps per activation buffer.
    """
    R, C, L = core.rows, core.cols, core.lanes
    mults, dpus = core.multipliers, R * C
    a_f, w_f = (4, 1) if structured == "2:4" else fan_ins(exploit, terms)
    reuse = bool(reuse) and reconfigurable and exploit == "AW" and structured is None
    sram = _buffers(core, exploit, structured, reconfigurable, terms, bits, fetch, bank_rule, reuse)
    per_group = sync == "group"
    registers = {
        "rows": R,
        "cols": C,
        "pipeline_register_bits": mults * 2 * bits,
        "operand_register_bits": (dpus * 2 if per_group else R + C) * L * bits,
        "zero_detect_cells": ((R + C) * L * (bits - 1) + mults * (2 * bits + 1)) if gated else 0,
    }
    if structured == "2:4":
        return Inventory(
            *(mults, dpus, L, bits, acc_bits, mults, 4, False, 0, 1, 0, 0, 0, 0, 1, 0, 0),
            *sram,
            **registers,
        )
    shared = exploit == "A"
    offset = fetch == "offset"
    a_count = _built({"A": C * L, "W": mults, "AW": mults}.get(exploit, 0), a_f - 1)
    w_count = 0 if offset else _built(mults if exploit in ("A", "AW") else 0, w_f - 1)
    act_side = exploit in ("W", "AW") or offset  # offset: the brick buffers stage activations
    act_buf = _built((dpus if per_group else C) if act_side else 0, terms.depth)
    wgt_side = exploit in ("A", "AW") and not offset
    wgt_buf = _built((dpus if per_group else R) if wgt_side else 0, terms.depth)
    scheds = 0 if offset else {"A": C, "AW": dpus}.get(exploit, 0)
    # A shared column-lane mux serves every row: it needs no per-multiplier bypass.
    per_mult_muxes = (0 if shared else a_count) + w_count
    return Inventory(
        multipliers=mults,
        dpus=dpus,
        lanes=L,
        bits=bits,
        acc_bits=acc_bits,
        act_mux_count=a_count,
        act_mux_fan_in=a_f,
        act_mux_shared=shared,
        wgt_mux_count=w_count,
        wgt_mux_fan_in=w_f,
        act_buffers=act_buf,
        wgt_buffers=wgt_buf,
        depth=terms.depth,
        schedulers=scheds,
        scheduler_fan_in=1 + terms.size,
        extra_trees_per_dpu=terms.extra_trees,
        bypass_cells=(per_mult_muxes + (mults if reuse else 0)) * bits if reconfigurable else 0,
        act_sram=sram[0],
        wgt_sram=sram[1],
        out_sram=sram[2],
        staging_width=bits + offset_bits(terms.depth) if offset else bits,
        offset_fetch=offset,
        reuse_staging_bits=act_buf * terms.depth * L * bits if reuse else 0,
        **registers,
    )


def inventory(
    accel: Accelerator, bits: int = 8, acc_bits: int = 32, bank_rule: str = "values"
) -> Inventory:
    """The parts ``accel.hardware`` builds (see the module doc for the rules)."""
    if not isinstance(accel, Accelerator):
        raise ValueError(f"accel must be an Accelerator, got {type(accel).__name__}")
    hw: Design = accel.hardware
    return build_inventory(
        hw.core,
        hw.exploit,
        window_terms(hw.window),
        sync=hw.sync,
        structured=accel.structured,
        bits=bits,
        acc_bits=acc_bits,
        reconfigurable=accel.reconfigurable,
        fetch=accel.fetch,
        gated=accel.gate_zero_products,
        bank_rule=bank_rule,
        reuse=accel.reuse,
    )


def tree_area(tech, lanes: int) -> float:
    """um^2 of one adder tree over ``lanes`` products."""
    return sum(tech.adder_area(w) for w in tree_adder_widths(lanes, 2 * tech.operand_bits))


def mux_area(p, fan_in):
    """um^2 of one ``fan_in``:1 operand mux of ``operand_bits`` bits (``p``: Prices or Tech)."""
    return (fan_in - 1) * p.operand_bits * p.mux2_area


def scheduler_area(p, lanes: int, fan_in, depth):
    """um^2 of one scheduler: ``L x F`` priority cells and a ``(D + 1) x L`` pending mask."""
    return lanes * fan_in * p.priority_cell_area + (depth + 1) * lanes * p.dff_area


def area_components(inv: Inventory, p: Prices) -> dict:
    """Area per component in um^2 (keys ``COMPONENTS``) of the parts ``inv`` at ``p``'s prices;
    plain arithmetic, so ``inv`` may hold JAX scalars."""
    if p.lanes != inv.lanes:
        raise ValueError(f"prices are for {p.lanes} lanes, the inventory has {inv.lanes}")
    acc = inv.acc_bits
    return {
        "multipliers": inv.multipliers * p.mult8_area,
        "adder_trees": inv.dpus * p.tree_area,
        "accumulators": inv.dpus * (p.acc_adder_area + acc * p.dff_area),
        "act_mux": inv.act_mux_count * mux_area(p, inv.act_mux_fan_in),
        "wgt_mux": inv.wgt_mux_count * mux_area(p, inv.wgt_mux_fan_in),
        "staging": inv.staging_bits * p.dff_area,
        "schedulers": inv.schedulers
        * scheduler_area(p, inv.lanes, inv.scheduler_fan_in, inv.depth),
        "extra_trees": inv.dpus * inv.extra_trees_per_dpu * (p.tree_area + p.acc_adder_area),
        "bypass": inv.bypass_cells * p.mux2_area,
        "registers": (
            (inv.pipeline_register_bits + inv.operand_register_bits) * p.dff_area
            if p.clocked_registers
            else 0.0
        ),
        "zero_detect": inv.zero_detect_cells * p.nand2_area,
        **{
            f"sram_{k}": price_buffer(p.sram, getattr(inv, f"{k}_sram")).area_mm2 * 1e6
            for k in BUFFERS
        },
    }


def area_breakdown(accel: Accelerator, tech) -> dict:
    """Area per component in mm^2 (keys: ``COMPONENTS``)."""
    inv = inventory(accel, tech.operand_bits, tech.accumulator_bits, tech.bank_rule)
    um2 = area_components(inv, prices(tech, inv.lanes))
    return {k: um2[k] * 1e-6 for k in COMPONENTS}
