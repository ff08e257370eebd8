"""Energy of one layer per component (pJ), from events, schedule counts and technology.

Events and their prices (``b`` operand bits, ``L`` lanes, cells priced by ``Tech``):

* ``mult``: every executed product costs one INT8 multiply, except products with a zero operand
  on accelerators with ``gate_zero_products`` (no preset: a design skips zeros of the operand it
  schedules and has no detector for the other one; AW designs execute no such product anyway).
* ``adder_trees`` / ``accumulators``: one full tree evaluation and one accumulate (adder + register
  write) per busy DPU-cycle (a DPU that executed at least one product in that cycle). Busy
  DPU-cycles: ``busy_group_cycles`` for AW (groups are DPUs); for A every busy column-cycle keeps
  the column's real rows busy, and because an A schedule depends on activations only it repeats
  identically in every output-channel tile, so busy DPU-cycles = ``busy / n_tiles * N``
  (exact); for W likewise ``busy / m_tiles * M``; dense and 2:4: ``steps * M * N``.
* ``extra_trees``: every DPU-cycle in which the extra adder tree of a distinct ``dg != 0`` takes
  at least one product costs one full tree evaluation plus one accumulator-port add into the
  neighbour's accumulator. The scheduler counts tree-group-cycles (``tree_group_cycles``: groups
  that took work through that ``dg``, per cycle); they become DPU-cycles exactly like busy
  groups (A: a column-group fires the trees of all the column's real rows; W: a row-group fires
  those of its real columns; AW: groups are DPUs).
* ``act_mux`` / ``wgt_mux``: a selection through a wired F:1 mux with ``F_on`` live inputs costs
  ``b (ceil(log2 F) + F_on - 1)`` 2:1-cell events (the operand crosses the tree's levels and each
  other live input toggles one cell); a mode not using that side goes through the dedicated
  bypass of reconfigurable hardware (docs/model.md 4.2): ``b`` 2:1-cell events, the tree not
  crossed; fixed hardware without a bypass holding its mux on one input (the 2:4 datapath on
  weights that are not 2:4) costs ``b ceil(log2 F)``; inputs outside the mode's window
  are held by gating. Selections happen per executed product for per-multiplier muxes and per
  schedule item for the A core's shared column-lane mux. On AW hardware in A mode the
  column's selection is made once per item and broadcast; every product still crosses its own
  (bypassed) activation mux.
* ``staging``: the buffers are circular (a write pointer, no shifting): every step's ``L x b``
  operand row is written once into each active buffer when it enters the window, so a tile
  writes ``T`` rows per buffer whatever the depth (depth costs area and leakage, and mux
  fan-in). Active buffers: those of the sides the mode stages (W: activations, A: weights, AW:
  both), none when the mode's window is empty.
* ``schedulers``: every active scheduler evaluates ``L x F_mode`` priority cells and clocks its
  ``(D_mode + 1) x L`` pending mask once per cycle it runs. Active: A mode: one per column; AW:
  all. Scheduler-cycles are the scheduler's ``group_cycles`` (cycles x groups under
  ``sync="core"``; each group's own cycles under ``sync="group"``, where a group that finished
  early is idle, not clocked).
* ``sram`` / ``metadata``: bits read (values / masks, indexes, selectors) from the activation
  and weight buffers at each buffer's CACTI read energy per access divided by its port width
  (``cost._memory``), output bits written once at the output buffer's write energy per bit. The
  W-static weight frame (``Events`` gives its bits
  per cycle averaged over a tile's ``N / n_tiles`` real rows; real lanes stay averaged over
  steps) is read once per cycle per real row of DPUs: ``row_cycles`` (sum over tiles of cycles
  x real rows) under ``sync="core"``; under ``sync="group"`` each row reads only while its own
  schedule runs: ``group_cycles`` less the padded rows, each of which (no work) runs exactly
  ``ceil(T / (D + 1))`` cycles (docs/model.md 3.5).
* ``registers`` (docs/model.md 4.4): every clocked flip-flop bit pays ``ff_clock_energy`` each
  cycle its unit is clocked, whether or not its data changes: the product and operand
  registers, the accumulators, the active staging buffers (all their rows) and the active
  schedulers' pending masks. Clock gating is per unit: under ``sync="core"`` every DPU and
  operand register is clocked every cycle the core runs (``clocked_dpu_cycles = cycles x R
  C``, padded DPUs of edge tiles included); under ``sync="group"`` a DPU (with its own operand
  and staging registers) is clocked only while its group's schedule runs; staging buffers and
  schedulers a mode does not use are gated (the idle side of a Griffin mode, all of them in
  its dense mode). Data writes of the new pipeline registers are charged here too: ``2b``
  product-register bits per charged product (a gated product writes none) and the operand
  registers once per clocked cycle, at ``dff_energy`` per bit.
* ``clock``: the clock network, ``clock_network_ratio`` x the clock-pin energy above (the
  network to a gated unit's flops is gated with them).
* ``zero_detect`` (zero-gating hardware, 4.5): the operand detectors and gate enables evaluate
  every clocked cycle, the ``2b`` isolation cells of a multiplier switch once per product it
  passes; with gating, an adder tree switches in proportion to its live inputs
  (``tree_energy x products / L``: a gated input holds).
* ``leakage``: ``leakage_power_density x core-only area x cycles / clock``; ``sram_leakage``:
  the buffers' CACTI leakage power x cycles / clock.
* Core-only energy is ``CORE_ENERGY_COMPONENTS``; total adds ``MEMORY_ENERGY_COMPONENTS``.

Two steps: ``layer_counts`` turns (events, schedule) into the counted events of one layer
(``Counts``), and ``energy_components`` prices them. ``energy_components`` is plain arithmetic
over the hardware ``Inventory``, the mode's ``WindowTerms`` and ``Counts``, so the search's
relaxation builds the same three from continuous parameters and calls it too. A new energy
component is one key in ``energy_components`` (and its count, if new, one field of ``Counts``).
"""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from griffin_jax.cost._area import (
    Inventory,
    WindowTerms,
    fan_ins,
    inventory,
    selector_levels,
    tree_adder_widths,
    window_terms,
)
from griffin_jax.cost._events import Events
from griffin_jax.cost._memory import price_buffer
from griffin_jax.cost._prices import Prices, prices
from griffin_jax.design._core import Design
from griffin_jax.design._griffin import Accelerator

# Core-only components, then the SRAM's (docs/model.md 4.3: core-only vs total).
CORE_ENERGY_COMPONENTS = (
    "mult",
    "adder_trees",
    "accumulators",
    "extra_trees",
    "act_mux",
    "wgt_mux",
    "staging",
    "schedulers",
    "registers",
    "clock",
    "zero_detect",
    "leakage",
)
MEMORY_ENERGY_COMPONENTS = ("sram", "metadata", "sram_leakage")
# Counts of the clocked units (docs/model.md 4.4)
CLOCKED = ("clocked_dpu_cycles", "clocked_row_cycles", "clocked_col_cycles")
ENERGY_COMPONENTS = CORE_ENERGY_COMPONENTS + MEMORY_ENERGY_COMPONENTS


@dataclasses.dataclass(frozen=True)
class Schedule:
    """Schedule-dependent counts of one design on one GEMM (the kernel's ``Activity`` of it).

    ``taken``: work through the own slot, then through each offset of the operating window;
    ``tree_group_cycles``: likewise indexed, group-cycles of each distinct ``dg != 0``'s extra
    tree (at its first offset, zero elsewhere); ``busy_group_cycles``, ``group_cycles`` and
    ``row_cycles``: as ``gemm_activity_batch`` documents them. Only ``cycles`` is used for
    designs that run every step (dense, 2:4), which have no schedule.
    """

    cycles: int
    busy_group_cycles: int = 0
    taken: tuple = ()
    tree_group_cycles: tuple = ()
    group_cycles: int = 0
    row_cycles: int = 0

    @classmethod
    def from_activity(cls, activity, index: int) -> Schedule:
        """The counts of design ``index`` of an ``Activity`` (``gemm_activity_batch``)."""
        n = activity.designs[index].window.size + 1
        return cls(
            cycles=int(activity.cycles[index]),
            busy_group_cycles=int(activity.busy_group_cycles[index]),
            taken=tuple(int(x) for x in activity.taken[index, :n]),
            tree_group_cycles=tuple(int(x) for x in activity.tree_group_cycles[index, :n]),
            group_cycles=int(activity.group_cycles[index]),
            row_cycles=int(activity.row_cycles[index]),
        )


def _div(a, b):
    """Exact integer division for ints (the conversions below are exact), else true division."""
    if isinstance(a, int) and isinstance(b, int):
        return a // b
    return a / b


def group_to_dpu_cycles(exploit: str, group_cycles, M, N, m_tiles, n_tiles):
    """Schedule-group-cycles -> DPU-cycles. AW groups are DPUs. An A group is a column and its
    schedule (activations only) repeats identically in every output-channel tile, so summing
    each tile's real rows gives ``/ n_tiles * N`` exactly; W likewise with columns and M.
    Ints or arrays."""
    if exploit == "A":
        return _div(group_cycles * N, n_tiles)
    if exploit == "W":
        return _div(group_cycles * M, m_tiles)
    return group_cycles


def _group_to_dpu_cycles(mode: Design, events: Events, group_cycles: int) -> int:
    return group_to_dpu_cycles(
        mode.exploit, group_cycles, events.M, events.N, events.m_tiles, events.n_tiles
    )


def busy_dpu_cycles(mode: Design, events: Events, schedule: Schedule) -> int:
    """DPU-cycles in which a DPU executed at least one product (module doc)."""
    if mode.exploit == "none" or events.structured is not None:
        return events.steps * events.M * events.N
    return _group_to_dpu_cycles(mode, events, schedule.busy_group_cycles)


def extra_tree_cycles(mode: Design, events: Events, schedule: Schedule) -> int:
    """DPU-cycles in which an extra adder tree (of any distinct ``dg != 0``) fired, summed over
    the trees: each tree of each DPU counts once per cycle it takes at least one product."""
    return _group_to_dpu_cycles(mode, events, sum(schedule.tree_group_cycles))


def group_offset_products(mode: Design, events: Events, schedule: Schedule) -> int:
    """Products executed through offsets with ``dg != 0`` (into extra adder trees)."""
    offsets = mode.window.as_tuples()
    items = sum(
        schedule.taken[1 + i]
        for i, o in enumerate(offsets)
        if o[2] != 0 and 1 + i < len(schedule.taken)
    )
    return _group_to_dpu_cycles(mode, events, items)


def _frame_row_cycles(mode: Design, events: Events, schedule: Schedule) -> int:
    """Row-cycles in which a real row of DPUs reads a W-static weight frame (module doc)."""
    if mode.sync == "group":
        idle = -(-events.steps // (mode.window.depth + 1))
        padded_rows = events.m_tiles * (events.n_tiles * events.rows - events.N)
        return schedule.group_cycles - padded_rows * idle
    return schedule.row_cycles


def tree_energy(tech, lanes: int) -> float:
    return sum(tech.adder_energy(w) for w in tree_adder_widths(lanes, 2 * tech.operand_bits))


def mux_select_energy(p, wired_fan_in, live_fan_in):
    """pJ of one operand selection through a wired ``F``:1 mux with ``F_on`` live inputs
    (``p``: a ``Tech`` or ``Prices``)."""
    return p.operand_bits * p.mux2_energy * (selector_levels(wired_fan_in) + live_fan_in - 1)


def mux_bypass_energy(p, wired_fan_in):
    """pJ of one operand crossing an ``F``:1 mux held on one input (hardware without a bypass
    path: the operand still crosses the tree's levels)."""
    return mux_select_energy(p, wired_fan_in, 1)


def bypass_path_energy(p):
    """pJ of one operand through the dedicated bypass of docs/model.md 4.2: one 2:1 cell per
    bit; the operand does not cross the mux tree."""
    return p.operand_bits * p.mux2_energy


@dataclasses.dataclass(frozen=True)
class Counts:
    """Counted events of one layer (ints or floats; arrays over layers in the relaxation).

    ``products``: multiplies charged; ``executed`` / ``items``: products and schedule items;
    ``act_reads``: activation reads of the GEMM per output-channel tile (``M K n_tiles``);
    ``busy_dpu_cycles`` / ``tree_dpu_cycles``: as ``busy_dpu_cycles`` / ``extra_tree_cycles``;
    ``scheduler_cycles``: cycles of the active schedulers summed over them; ``staged_rows``:
    operand rows written per active staging buffer (``tiles x steps``); ``act_value_bits`` /
    ``act_meta_bits`` / ``wgt_value_bits`` / ``wgt_meta_bits``: bits read from the activation
    and weight buffers; ``out_bits``: bits written to the output buffer; ``cycles``: cycles run;
    ``clocked_dpu_cycles`` / ``clocked_row_cycles`` / ``clocked_col_cycles``: DPU-, row- and
    column-cycles in which the unit is clocked (``clocked_unit_cycles``, docs/model.md 4.4);
    ``structured_ok``: a 2:4 datapath's weights fit the pattern.
    """

    products: Any
    executed: Any
    items: Any
    act_reads: Any
    busy_dpu_cycles: Any
    tree_dpu_cycles: Any
    scheduler_cycles: Any
    staged_rows: Any
    act_value_bits: Any
    act_meta_bits: Any
    wgt_value_bits: Any
    wgt_meta_bits: Any
    out_bits: Any
    cycles: Any
    clocked_dpu_cycles: Any
    clocked_row_cycles: Any
    clocked_col_cycles: Any
    structured_ok: bool = False


def clocked_unit_cycles(mode: Design, events: Events, schedule: Schedule) -> tuple:
    """``(DPU, row, column)`` cycles in which the core clocks them (docs/model.md 4.4): rows and
    columns are the units of the operand registers and the staging buffers (per DPU under
    ``sync="group"``). A layer that uses fewer rows (``N < R``) or columns (``M < C``) than the
    core has gates the others for the whole layer; the padded DPUs of an edge tile stay
    clocked. Under ``sync="group"`` a group is clocked while its own schedule runs; a group
    beyond the layer's rows or columns has no work and would run ``ceil(T / (D + 1))`` cycles
    per tile (docs/model.md 3.5), which are taken out."""
    R, C = events.rows, events.cols
    ru, cu = min(R, events.N), min(C, events.M)
    ex = mode.exploit
    if mode.sync == "group" and ex != "none" and events.structured is None:
        idle = -(-events.steps // (mode.window.depth + 1)) * events.tiles
        if ex == "AW":  # groups are DPUs
            dpu = schedule.group_cycles - (R * C - ru * cu) * idle
        elif ex == "A":  # groups are columns of R DPUs
            dpu = (schedule.group_cycles - (C - cu) * idle) * ru
        else:  # W: groups are rows of C DPUs
            dpu = (schedule.group_cycles - (R - ru) * idle) * cu
        dpu = max(dpu, 0)
        return dpu, dpu, dpu  # every DPU its own operand registers and staging buffers
    return schedule.cycles * ru * cu, schedule.cycles * ru, schedule.cycles * cu


def layer_counts(accel: Accelerator, mode: Design, events: Events, schedule: Schedule) -> Counts:
    """The ``Counts`` of ``accel`` running ``mode`` on one GEMM (module doc)."""
    ex = mode.exploit
    offset = accel.fetch == "offset"
    scheduled = ex in ("A", "AW") and accel.hardware.exploit in ("A", "AW") and not offset
    wgt_value_bits, wgt_meta_bits = events.wgt_value_bits, events.wgt_meta_bits
    if events.wgt_frame_bits or events.wgt_frame_meta_bits:
        # Events averages the frame over a tile's real rows; charge it per real row-cycle.
        per_row = events.n_tiles / events.N
        rows = _frame_row_cycles(mode, events, schedule)
        wgt_value_bits += rows * events.wgt_frame_bits * per_row
        wgt_meta_bits += rows * events.wgt_frame_meta_bits * per_row
    return Counts(
        products=events.effectual
        + (0 if accel.gate_zero_products else events.zero_operand_products),
        executed=events.executed,
        items=events.items,
        act_reads=events.M * events.K * events.n_tiles,
        busy_dpu_cycles=busy_dpu_cycles(mode, events, schedule),
        tree_dpu_cycles=extra_tree_cycles(mode, events, schedule),
        scheduler_cycles=schedule.group_cycles if scheduled else 0,
        # offset fetch: the brick buffers receive the nonzero (value, offset) pairs only
        staged_rows=events.items / events.lanes if offset else events.tiles * events.steps,
        act_value_bits=events.act_value_bits,
        act_meta_bits=events.act_meta_bits,
        wgt_value_bits=wgt_value_bits,
        wgt_meta_bits=wgt_meta_bits,
        out_bits=events.out_bits,
        cycles=schedule.cycles,
        **dict(zip(CLOCKED, clocked_unit_cycles(mode, events, schedule))),
        structured_ok=events.structured_ok,
    )


def _minimum(a, b):
    return jnp.minimum(a, b) if isinstance(a, jax.Array) else min(a, b)


def _mux_energy(
    hw: Inventory, structured, ex: str, terms: WindowTerms, c: Counts, p: Prices, reuse=False
) -> tuple:
    act = wgt = 0.0
    a_live, w_live = fan_ins(ex, terms)
    if reuse:
        # docs/model.md 5.3: the wired steps stay on the activation mux, the copies D steps
        # ahead go through the reused weight-side mux and one more 2:1 select. Charged for
        # every executed product on both muxes (an upper bound: the kernel's counts do not
        # say which half an item came through).
        own = _minimum(terms.steps, hw.wgt_mux_fan_in - 1)
        act = c.executed * mux_select_energy(p, hw.act_mux_fan_in, 1 + own)
        wgt = c.executed * (
            mux_select_energy(p, hw.wgt_mux_fan_in, 1 + terms.steps - own) + bypass_path_energy(p)
        )
        return act, wgt

    def bypass(F):  # reconfigurable hardware has the dedicated path of docs/model.md 4.2
        return bypass_path_energy(p) if hw.bypass_cells else mux_bypass_energy(p, F)

    if hw.act_mux_count:
        F = hw.act_mux_fan_in
        if structured is not None:
            per = mux_select_energy(p, F, F) if c.structured_ok else mux_bypass_energy(p, F)
            act = c.executed * per
        elif hw.act_mux_shared:
            if ex == "A":
                act = c.items * mux_select_energy(p, F, a_live)
            else:  # every activation read crosses the shared mux once per tile
                act = c.act_reads * mux_bypass_energy(p, F)
        elif ex in ("W", "AW"):
            act = c.executed * mux_select_energy(p, F, a_live)
        elif ex == "A":
            act = c.items * mux_select_energy(p, F, a_live) + c.executed * bypass(F)
        else:
            act = c.executed * bypass(F)
    if hw.wgt_mux_count:
        F = hw.wgt_mux_fan_in
        if ex in ("A", "AW"):
            wgt = c.executed * mux_select_energy(p, F, w_live)
        else:
            wgt = c.executed * bypass(F)
    return act, wgt


def energy_components(
    hw: Inventory,
    exploit: str,
    terms: WindowTerms,
    counts: Counts,
    p: Prices,
    core_area_mm2,
    *,
    structured: str | None = None,
    reuse: bool = False,
) -> dict:
    """Energy per component in pJ (keys ``ENERGY_COMPONENTS``) of hardware ``hw`` running a mode
    of ``exploit`` with window ``terms`` through the counted events; ``core_area_mm2``: the
    core-only area (its leakage; the SRAM's leakage comes from its CACTI figures); ``reuse``: a
    W mode that reaches past the wiring through the reused weight-side muxes (docs/model.md
    5.3). Plain arithmetic: JAX scalars or arrays (over layers) pass through."""
    ex, L, b = exploit, hw.lanes, p.operand_bits
    acc_e = p.acc_adder_energy
    reuse = bool(reuse) and ex == "W" and bool(hw.reuse_staging_bits)
    act_mux, wgt_mux = _mux_energy(hw, structured, ex, terms, counts, p, reuse)
    D = terms.depth
    # The sides the mode stages (W: activations, A: weights, AW: both; the offset fetch stages
    # activations in its brick buffers), none without a window.
    act_side = ex in ("W", "AW") or (ex == "A" and hw.offset_fetch)
    buffers = (hw.act_buffers if act_side else 0) + (hw.wgt_buffers if ex in ("A", "AW") else 0)
    # reuse: each staged row is written again as it moves into the D extra steps
    buffers = buffers + (hw.act_buffers if reuse else 0)
    # A mode: one scheduler per column drives it (on AW hardware the others are gated); the
    # mode's schedule groups are exactly its active schedulers.
    per_sched = L * (1 + terms.size) * p.priority_cell_energy + (D + 1) * L * p.dff_energy
    act, wgt, out = (price_buffer(p.sram, x) for x in (hw.act_sram, hw.wgt_sram, hw.out_sram))
    time_ns = counts.cycles / p.clock_ghz  # mW x ns = pJ
    width = hw.staging_width or b
    # per row and per column (per DPU under sync="group"): an operand register and the rows of
    # the side's staging buffer when the mode stages that side (active buffers)
    act_unit = L * b + (hw.depth * L * width if act_side and hw.act_buffers else 0)
    if reuse:  # the extra staging steps are clocked only while a reusing W mode runs
        act_unit = act_unit + hw.depth * L * width
    wgt_unit = L * b + (hw.depth * L * b if ex in ("A", "AW") and hw.wgt_buffers else 0)
    rows, cols = counts.clocked_row_cycles, counts.clocked_col_cycles
    gated = bool(hw.zero_detect_cells)
    registers = clock = 0.0
    if p.clocked_registers:
        clocked_bits = (
            counts.clocked_dpu_cycles * (L * 2 * b + hw.acc_bits)
            + cols * act_unit
            + rows * wgt_unit
            + counts.scheduler_cycles * (D + 1) * L
        )
        registers = clocked_bits * p.ff_clock_energy + p.dff_energy * (
            counts.products * 2 * b + (rows + cols) * L * b
        )
        clock = p.clock_network_ratio * clocked_bits * p.ff_clock_energy
    zero_detect = 0.0
    if gated:  # detectors per clocked operand, enables per clocked DPU-lane, isolation per product
        zero_detect = p.nand2_energy * (
            (rows + cols) * L * (b - 1) + counts.clocked_dpu_cycles * L + counts.products * 2 * b
        )
    tree_events = counts.products / L if gated else counts.busy_dpu_cycles
    return {
        "mult": counts.products * p.mult8_energy,
        "adder_trees": tree_events * p.tree_energy,
        "accumulators": counts.busy_dpu_cycles * (acc_e + hw.acc_bits * p.dff_energy),
        "extra_trees": counts.tree_dpu_cycles * (p.tree_energy + acc_e),
        "act_mux": act_mux,
        "wgt_mux": wgt_mux,
        "staging": counts.staged_rows * buffers * L * width * p.dff_energy * _minimum(D, 1),
        "schedulers": counts.scheduler_cycles * per_sched,
        "registers": registers,
        "clock": clock,
        "zero_detect": zero_detect,
        "leakage": p.leakage_power_density * core_area_mm2 * time_ns,
        "sram": (
            counts.act_value_bits * act.read_pj_per_bit
            + counts.wgt_value_bits * wgt.read_pj_per_bit
            + counts.out_bits * out.write_pj_per_bit
        ),
        "metadata": (
            counts.act_meta_bits * act.read_pj_per_bit + counts.wgt_meta_bits * wgt.read_pj_per_bit
        ),
        "sram_leakage": (act.leakage_mw + wgt.leakage_mw + out.leakage_mw) * time_ns,
    }


def layer_energy(
    accel: Accelerator, mode: Design, events: Events, schedule: Schedule, tech, core_area_mm2: float
) -> dict:
    """Deprecated: use ``cost.layer_costs`` / ``cost.evaluate`` (a layer's report has its
    ``energy`` per component), or ``cost.energy_components`` on an inventory, ``layer_counts``
    and ``prices``, which is what this computes.

    Energy per component (pJ; keys ``ENERGY_COMPONENTS``) of ``accel`` running ``mode`` on
    one GEMM whose ``events`` and ``schedule`` are given; ``core_area_mm2``: the core-only area
    (for its leakage)."""
    warnings.warn(
        "cost.layer_energy is deprecated: use cost.layer_costs or cost.evaluate (their reports "
        "hold the energy per component), or cost.energy_components on cost.inventory, "
        "cost.layer_counts and cost.prices",
        DeprecationWarning,
        stacklevel=2,
    )
    hw = inventory(accel, tech.operand_bits, tech.accumulator_bits, tech.bank_rule)
    return energy_components(
        hw,
        mode.exploit,
        window_terms(mode.window),
        layer_counts(accel, mode, events, schedule),
        prices(tech, hw.lanes),
        core_area_mm2,
        structured=accel.structured,
        reuse=accel.reuse
        and mode.exploit == "W"
        and not set(mode.window.as_tuples()) <= set(accel.hardware.window.as_tuples()),
    )
