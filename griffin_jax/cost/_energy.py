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
    "leakage",
)
MEMORY_ENERGY_COMPONENTS = ("sram", "metadata", "sram_leakage")
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
    structured_ok: bool = False


def layer_counts(accel: Accelerator, mode: Design, events: Events, schedule: Schedule) -> Counts:
    """The ``Counts`` of ``accel`` running ``mode`` on one GEMM (module doc)."""
    ex = mode.exploit
    scheduled = ex in ("A", "AW") and accel.hardware.exploit in ("A", "AW")
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
        staged_rows=events.tiles * events.steps,
        act_value_bits=events.act_value_bits,
        act_meta_bits=events.act_meta_bits,
        wgt_value_bits=wgt_value_bits,
        wgt_meta_bits=wgt_meta_bits,
        out_bits=events.out_bits,
        cycles=schedule.cycles,
        structured_ok=events.structured_ok,
    )


def _minimum(a, b):
    return jnp.minimum(a, b) if isinstance(a, jax.Array) else min(a, b)


def _mux_energy(
    hw: Inventory, structured, ex: str, terms: WindowTerms, c: Counts, p: Prices
) -> tuple:
    act = wgt = 0.0
    a_live, w_live = fan_ins(ex, terms)

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
) -> dict:
    """Energy per component in pJ (keys ``ENERGY_COMPONENTS``) of hardware ``hw`` running a mode
    of ``exploit`` with window ``terms`` through the counted events; ``core_area_mm2``: the
    core-only area (its leakage; the SRAM's leakage comes from its CACTI figures). Plain
    arithmetic: JAX scalars or arrays (over layers) pass through."""
    ex, L, b = exploit, hw.lanes, p.operand_bits
    acc_e = p.acc_adder_energy
    act_mux, wgt_mux = _mux_energy(hw, structured, ex, terms, counts, p)
    D = terms.depth
    # The sides the mode stages (W: activations, A: weights, AW: both), none without a window.
    buffers = (hw.act_buffers if ex in ("W", "AW") else 0) + (
        hw.wgt_buffers if ex in ("A", "AW") else 0
    )
    # A mode: one scheduler per column drives it (on AW hardware the others are gated); the
    # mode's schedule groups are exactly its active schedulers.
    per_sched = L * (1 + terms.size) * p.priority_cell_energy + (D + 1) * L * p.dff_energy
    act, wgt, out = (price_buffer(p.sram, b) for b in (hw.act_sram, hw.wgt_sram, hw.out_sram))
    time_ns = counts.cycles / p.clock_ghz  # mW x ns = pJ
    return {
        "mult": counts.products * p.mult8_energy,
        "adder_trees": counts.busy_dpu_cycles * p.tree_energy,
        "accumulators": counts.busy_dpu_cycles * (acc_e + hw.acc_bits * p.dff_energy),
        "extra_trees": counts.tree_dpu_cycles * (p.tree_energy + acc_e),
        "act_mux": act_mux,
        "wgt_mux": wgt_mux,
        "staging": counts.staged_rows * buffers * L * b * p.dff_energy * _minimum(D, 1),
        "schedulers": counts.scheduler_cycles * per_sched,
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
    hw = inventory(accel, tech.operand_bits, tech.accumulator_bits)
    return energy_components(
        hw,
        mode.exploit,
        window_terms(mode.window),
        layer_counts(accel, mode, events, schedule),
        prices(tech, hw.lanes),
        core_area_mm2,
        structured=accel.structured,
    )
