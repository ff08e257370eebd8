"""A differentiable surrogate of the cost model over continuous box-window parameters.

Choice: an *analytic* surrogate (option (a) of the search issue), with no calibration on exact
evaluations, so that it costs no exact evaluation at all. Why: area and every schedule-independent
energy term of the cost model (``griffin_jax.cost``) are closed-form functions of the window's
fan-in and depth, so they relax exactly; only three schedule counts per layer (cycles, busy
DPU-cycles, products through ``dg != 0`` offsets) need the scheduler, and for those a fluid
recursion on the layer's real pending masks tracks the exact kernel closely (and is exact for
time-only windows, see below). An interpolation of exact anchor points would instead spend part of
the evaluation budget before the search starts and would not scale with the number of knobs.

Continuous parameters ``theta = (d1, d2, d3)`` stand for ``Window.box(time=d1, lane=d2,
group=d3)``:

* **Area and window-dependent energy** (``relaxed_area``, ``layer_energy_terms``): the cost
  model's formulas with window size ``S = d1 (2 d2 + 1)(2 d3 + 1)``, distinct ``(dt, dl)`` pairs
  ``d1 (2 d2 + 1)``, distinct ``dg != 0`` count ``2 d3`` and depth ``D = d1`` as real numbers; the
  mux selector's ``ceil(log2 F)`` levels are interpolated linearly between consecutive integer
  fan-ins. At integer points these equal ``griffin_jax.cost`` to rounding (tested).
* **Cycles** (``tile_cycles``): per tile, ``tau(r)``, the cycle after which the shared step pointer
  has passed step ``r``, obeys ``tau(r) = max(done(r), tau(r - D - 1) + 1)`` (MODEL.md 3.3: the
  pointer jumps at most ``D + 1`` steps, and only over drained steps), and a multiplier that
  serves its own lane earliest-first finishes step ``r``'s item at
  ``C(r) = max(C(r - 1), tau(r - D - 1)) + x(r)``. For time-only windows (``d2 = d3 = 0``) every
  lane is such a queue and the recursion is *exact*. Lane and group borrowing is modelled as
  pooling: ``x`` is replaced by its average over the multiplier's window neighbourhood, with soft
  box weights ``clip(reach + 1 - |offset|, 0, 1)`` (exactly the box at integer reach; lanes wrap,
  groups do not). A fractional depth interpolates ``tau`` between the two neighbouring lags.
* **Busy DPU-cycles**: a group with mean lane load ``rho = work / (cycles L)`` is taken busy in a
  cycle unless all its ``L`` lanes idle: ``cycles (1 - (1 - rho)^L)``.
* **Products through ``dg != 0``**: the work not executed through the own slot, taken as
  ``work (1 - cycles / T)`` (each cycle serves one front step through the own slots), times the
  share ``2 d3 / (2 d3 + 1)`` of window offsets with ``dg != 0``.

Everything is pure JAX: ``jax.grad`` of the objective with respect to ``theta`` is finite (and
non-zero where the design matters), and ``jax.vmap`` runs many restarts at once.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np

from griffin_jax.cost._area import tree_adder_widths
from griffin_jax.cost._evaluate import category_masks
from griffin_jax.cost._events import layer_events
from griffin_jax.cost._tech import Tech, load_tech
from griffin_jax.design._core import Core, Design, Window
from griffin_jax.design._griffin import check_category
from griffin_jax.search._space import Space

OBJECTIVES = ("tops_per_w", "edp", "perf_under_area")
# Whether larger is better.
MAXIMISE = {"tops_per_w": True, "edp": False, "perf_under_area": True}
# Weight of the relative area overshoot in the relaxed perf_under_area loss (the loss is in log
# units: 1% over budget costs as much as a 20% slower design, so the search stays inside).
AREA_PENALTY = 20.0


def check_objective(objective: str, area_budget_mm2=None) -> str:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if objective == "perf_under_area":
        if (area_budget_mm2 is None or isinstance(area_budget_mm2, bool)
                or not isinstance(area_budget_mm2, (int, float)) or not area_budget_mm2 > 0):
            raise ValueError("area_budget_mm2 must be a positive number for objective "
                             f"'perf_under_area', got {area_budget_mm2!r}")
    elif area_budget_mm2 is not None:
        raise ValueError(f"area_budget_mm2 is only used by 'perf_under_area', got "
                         f"{area_budget_mm2!r} with objective {objective!r}")
    return objective


# -- workloads ------------------------------------------------------------------------------------
def check_workloads(workloads) -> list:
    """Validate a workload mix: ``[(name, layers, category, weight), ...]`` with ``layers`` as
    ``[(layer_name, a_mask bool [M, K], w_mask bool [K, N], multiplicity), ...]``. Returns it as
    a list of tuples with the masks densified for the category (``cost.category_masks``)."""
    if isinstance(workloads, (str, bytes)) or not isinstance(workloads, Sequence) or not workloads:
        raise ValueError("workloads must be a non-empty list of (name, layers, category, weight)")
    out = []
    for i, item in enumerate(workloads):
        if not isinstance(item, (tuple, list)) or len(item) != 4:
            raise ValueError(f"workloads[{i}] must be (name, layers, category, weight)")
        name, layers, category, weight = item
        try:
            check_category(category)
        except ValueError as e:
            raise ValueError(f"workloads[{i}] ({name}): {e}") from None
        if (isinstance(weight, bool) or not isinstance(weight, (int, float, np.number))
                or not weight > 0 or not math.isfinite(weight)):
            raise ValueError(f"workloads[{i}] ({name}): weight must be a positive number, "
                             f"got {weight!r}")
        if not isinstance(layers, Sequence) or not layers:
            raise ValueError(f"workloads[{i}] ({name}): layers must be a non-empty list")
        checked = []
        for j, layer in enumerate(layers):
            if not isinstance(layer, (tuple, list)) or len(layer) != 4:
                raise ValueError(f"workloads[{i}] ({name}) layers[{j}] must be "
                                 "(layer_name, a_mask, w_mask, multiplicity)")
            lname, a, w, mult = layer
            if isinstance(mult, bool) or not isinstance(mult, (int, np.integer)) or mult < 1:
                raise ValueError(f"workloads[{i}] ({name}) layers[{j}]: multiplicity must be an "
                                 f"int >= 1, got {mult!r}")
            try:
                a, w = category_masks(a, w, category)
            except ValueError as e:
                raise ValueError(f"workloads[{i}] ({name}) layers[{j}]: {e}") from None
            checked.append((str(lname), a, w, int(mult)))
        out.append((str(name), checked, category, float(weight)))
    return out


# -- metrics --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Metrics:
    """Mix totals of one design (weights applied): energy (pJ), cycles, dense-core cycles,
    dense-equivalent ops, area (mm^2), clock (GHz). Floats, or JAX scalars in the relaxation."""

    energy_pj: float
    cycles: float
    dense_cycles: float
    ops: float
    area_mm2: float
    clock_ghz: float

    @property
    def tops_per_w(self):
        return self.ops / self.energy_pj

    @property
    def edp(self):
        """Energy-delay product in pJ x ns."""
        return self.energy_pj * self.cycles / self.clock_ghz

    @property
    def speedup(self):
        return self.dense_cycles / self.cycles

    def value(self, objective: str):
        """The objective in its natural units (constraint not applied)."""
        return {"tops_per_w": self.tops_per_w, "edp": self.edp,
                "perf_under_area": self.speedup}[objective]


jax.tree_util.register_dataclass(
    Metrics, data_fields=["energy_pj", "cycles", "dense_cycles", "ops", "area_mm2"],
    meta_fields=["clock_ghz"])


def relaxed_loss(m: Metrics, objective: str, area_budget_mm2=None):
    """Scalar to minimise: the log of the objective (sign by direction), plus, for
    ``perf_under_area``, ``AREA_PENALTY`` times the relative overshoot of the area budget."""
    if objective == "tops_per_w":
        return jnp.log(m.energy_pj) - jnp.log(m.ops)
    if objective == "edp":
        return jnp.log(m.energy_pj) + jnp.log(m.cycles)
    over = jnp.maximum(m.area_mm2 / area_budget_mm2 - 1.0, 0.0)
    return jnp.log(m.cycles) - jnp.log(m.dense_cycles) + AREA_PENALTY * over


# -- constants ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Consts:
    """Per-cell figures of a technology on one core (Python floats; static under jit)."""

    R: int
    C: int
    L: int
    bits: int
    acc_bits: int
    mult8_area: float
    mult8_energy: float
    tree_area: float
    tree_energy: float
    acc_adder_area: float
    acc_adder_energy: float
    dff_area: float
    dff_energy: float
    mux2_area: float
    mux2_energy: float
    prio_area: float
    prio_energy: float
    read_bit: float
    write_bit: float
    leak: float
    clock_ghz: float


def make_consts(core: Core, tech: Tech) -> Consts:
    widths = tree_adder_widths(core.lanes, 2 * tech.operand_bits)
    return Consts(
        R=core.rows, C=core.cols, L=core.lanes, bits=tech.operand_bits,
        acc_bits=tech.accumulator_bits, mult8_area=tech.mult8_area,
        mult8_energy=tech.mult8_energy,
        tree_area=sum(tech.adder_area(w) for w in widths),
        tree_energy=sum(tech.adder_energy(w) for w in widths),
        acc_adder_area=tech.adder_area(tech.accumulator_bits),
        acc_adder_energy=tech.adder_energy(tech.accumulator_bits),
        dff_area=tech.dff_area, dff_energy=tech.dff_energy, mux2_area=tech.mux2_area,
        mux2_energy=tech.mux2_energy, prio_area=tech.priority_cell_area,
        prio_energy=tech.priority_cell_energy, read_bit=tech.sram_read_energy_per_bit,
        write_bit=tech.sram_write_energy_per_bit, leak=tech.leakage_power_density,
        clock_ghz=tech.clock_ghz,
    )


def selector_levels(fan_in):
    """``ceil(log2 F)`` at integer ``F >= 1``, linear in between (continuous, piecewise)."""
    f = jnp.maximum(jnp.asarray(fan_in, jnp.float32), 1.0)
    n = jnp.floor(f)
    frac = f - n
    n_i = n.astype(jnp.int32)
    lo = 32 - jax.lax.clz(n_i - 1)  # bit length of n - 1 = ceil(log2 n) for n >= 1
    hi = 32 - jax.lax.clz(n_i)
    return lo + frac * (hi - lo)


def window_terms(theta):
    """``(S, St, Ng, D)``: window size, distinct (dt, dl) pairs, distinct dg != 0, depth."""
    d1, d2, d3 = theta[0], theta[1], theta[2]
    st = d1 * (2.0 * d2 + 1.0)
    return st * (2.0 * d3 + 1.0), st, 2.0 * d3, d1


def _fan_ins(exploit, S, St):
    if exploit in ("A", "AW"):
        return 1.0 + S, 1.0 + St
    if exploit == "W":
        return 1.0 + St, 1.0
    return 1.0, 1.0


def _n_sched(exploit, k: Consts):
    return {"A": k.C, "AW": k.R * k.C}.get(exploit, 0)


def relaxed_area(exploit: str, theta, k: Consts):
    """Area in mm^2 of the fixed design ``(exploit, box(theta))`` (``cost.area_breakdown``
    with continuous window terms). ``theta`` float ``[3]``; ignored for ``exploit="none"``."""
    theta = jnp.asarray(theta, jnp.float32)
    R, C, L, b = k.R, k.C, k.L, k.bits
    dpus, mults = R * C, R * C * L
    base = (mults * k.mult8_area + dpus * k.tree_area
            + dpus * (k.acc_adder_area + k.acc_bits * k.dff_area))
    if exploit == "none":
        return jnp.float32(base * 1e-6)
    S, St, Ng, D = window_terms(theta)
    fa, fw = _fan_ins(exploit, S, St)
    act_count = C * L if exploit == "A" else mults
    wgt_count = mults if exploit in ("A", "AW") else 0
    bufs = (C if exploit in ("W", "AW") else 0) + (R if exploit in ("A", "AW") else 0)
    um2 = (base
           + act_count * (fa - 1.0) * b * k.mux2_area
           + wgt_count * (fw - 1.0) * b * k.mux2_area
           + bufs * D * L * b * k.dff_area
           + _n_sched(exploit, k) * (L * (1.0 + S) * k.prio_area + (D + 1.0) * L * k.dff_area)
           + dpus * Ng * (k.tree_area + k.acc_adder_area))
    return um2 * 1e-6


# -- per-layer data -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class LayerData:
    """One (workload, layer) under one exploit.

    ``pending`` bool ``[n, P, G, T, L]``: the distinct tiles' pending work (A: one per column
    tile, W: one per row tile, AW: every tile; MODEL.md table 3.1); ``group_work`` float
    ``[n, P, G]``: pending items per group. Static fields: ``weight`` (workload weight x layer
    multiplicity), ``tile_mult`` (tiles each distinct tile stands for) and the schedule-independent
    ``events`` of ``cost.layer_events`` as a tuple of numbers (see ``_EVENT_FIELDS``).
    """

    pending: jax.Array
    group_work: jax.Array
    weight: float
    tile_mult: int
    events: tuple


_EVENT_FIELDS = ("M", "N", "K", "steps", "m_tiles", "n_tiles", "executed", "items",
                 "act_value_bits", "act_meta_bits", "wgt_value_bits", "wgt_meta_bits",
                 "wgt_frame_bits", "out_bits", "ops")

jax.tree_util.register_dataclass(
    LayerData, data_fields=["pending", "group_work"],
    meta_fields=["weight", "tile_mult", "events"])


def pending_tiles(exploit: str, core: Core, a: np.ndarray, w: np.ndarray):
    """``(pending bool [n, P, G, T, L], tile_mult)`` of one GEMM (edge tiles zero-padded)."""
    R, C, L = core.rows, core.cols, core.lanes
    M, K = a.shape
    N = w.shape[1]
    T = -(-K // L)
    mt, nt = -(-M // C), -(-N // R)
    ap = np.zeros((mt * C, T * L), bool)
    ap[:M, :K] = a
    wp = np.zeros((T * L, nt * R), bool)
    wp[:K, :N] = w
    at = ap.reshape(mt, C, T, L)  # [m tile, column, step, lane]
    wt = wp.reshape(T, L, nt, R).transpose(2, 3, 0, 1)  # [n tile, row, step, lane]
    if exploit == "A":  # an A schedule repeats identically in every output-channel tile
        return at[:, None], nt
    if exploit == "W":
        return wt[:, None], mt
    both = at[:, None, None] & wt[None, :, :, None]  # [mt, nt, R, C, T, L]
    return both.reshape(mt * nt, R, C, T, L), 1


def layer_data(exploit: str, core: Core, a, w, weight: float, bits: int) -> LayerData:
    if exploit == "none":
        design = Design(core=core, exploit="none")
    else:
        design = Design(core=core, exploit=exploit, window=Window.box(1, 0, 0))
    ev = layer_events(design, a, w, bits=bits)
    events = tuple(float(getattr(ev, f)) for f in _EVENT_FIELDS)
    if exploit == "none":
        empty = np.zeros((0, 1, 1, 1, 1), bool)
        return LayerData(jnp.asarray(empty), jnp.zeros((0, 1, 1), jnp.float32), weight, 1,
                         events)
    pend, mult = pending_tiles(exploit, core, a, w)
    return LayerData(jnp.asarray(pend), jnp.asarray(pend.sum((3, 4)), jnp.float32), weight,
                     mult, events)


# -- the schedule model ---------------------------------------------------------------------------
def soft_box(reach, n: int):
    """Weights ``[2n + 1]`` of offsets ``-n..n``: 1 inside ``|offset| <= reach``, linear fall-off
    over one unit beyond it (the exact box at integer ``reach``)."""
    d = jnp.arange(-n, n + 1, dtype=jnp.float32)
    return jnp.clip(reach + 1.0 - jnp.abs(d), 0.0, 1.0)


def pooled_load(pending, d2, d3, lane_max: int, group_max: int):
    """Average pending work over each multiplier's (lane, group) neighbourhood.

    ``pending`` ``[n, P, G, T, L]``; lanes wrap, groups do not (a neighbour outside the core has no
    work and no multiplier, so it counts in neither sum). Returns float ``[n, P, G, T, L]``.
    """
    x = pending.astype(jnp.float32)
    G = x.shape[2]
    kl = soft_box(d2, lane_max)
    kg = soft_box(d3, group_max)
    lanes = sum(kl[i] * jnp.roll(x, lane_max - i, axis=-1) for i in range(2 * lane_max + 1))
    pad = jnp.pad(lanes, ((0, 0), (0, 0), (group_max, group_max), (0, 0), (0, 0)))
    exists = jnp.pad(jnp.ones((G,), jnp.float32), (group_max, group_max))
    num = sum(kg[i] * pad[:, :, i:i + G] for i in range(2 * group_max + 1))
    den = sum(kg[i] * exists[i:i + G] for i in range(2 * group_max + 1)) * kl.sum()
    return num / den[None, None, :, None, None]


def tile_cycles(load, d1, depth_max: int):
    """Cycles of each tile from its (pooled) load ``[n, P, G, T, L]`` and depth ``d1`` (module
    doc recursion; exact for 0/1 load, i.e. time-only windows, at integer ``d1``). Returns
    float ``[n]``."""
    n = load.shape[0]
    H = depth_max + 2
    lag_w = jnp.clip(1.0 - jnp.abs(jnp.arange(H, dtype=jnp.float32) - d1), 0.0, 1.0)

    def step(carry, x_r):
        done, hist = carry  # hist[:, j] = tau(r - 1 - j)
        lag = hist @ lag_w  # tau(r - D - 1), interpolated for a fractional D
        done = jnp.maximum(done, lag[:, None, None, None]) + x_r
        tau = jnp.maximum(jnp.maximum(done.max((1, 2, 3)), lag + 1.0), hist[:, 0])
        return (done, jnp.concatenate([tau[:, None], hist[:, :-1]], axis=1)), None

    init = (jnp.zeros(load.shape[:3] + load.shape[4:], jnp.float32),
            jnp.zeros((n, H), jnp.float32))
    (_, hist), _ = jax.lax.scan(step, init, jnp.moveaxis(load, 3, 0))
    return hist[:, 0]


def schedule_counts(ld: LayerData, theta, lane_max: int, group_max: int, depth_max: int):
    """Relaxed ``(cycles, busy group-cycles, items through dg != 0)`` of one layer instance."""
    L = ld.pending.shape[-1]
    T = ld.pending.shape[3]
    load = pooled_load(ld.pending, theta[1], theta[2], lane_max, group_max)
    cyc = tile_cycles(load, theta[0], depth_max)  # [n]
    rho = jnp.clip(ld.group_work / (cyc[:, None, None] * L), 0.0, 1.0)
    busy = (cyc[:, None, None] * (1.0 - (1.0 - rho) ** L)).sum()
    work = ld.group_work.sum((1, 2))
    dg_share = 2.0 * theta[2] / (2.0 * theta[2] + 1.0)
    dg_items = (work * (1.0 - cyc / T)).sum() * dg_share
    m = ld.tile_mult
    return cyc.sum() * m, busy * m, dg_items * m


def layer_energy_terms(exploit: str, theta, ev: dict, cycles, busy, dg_items, k: Consts):
    """Energy (pJ) of one layer instance without leakage: the formulas of
    ``cost.layer_energy`` for a fixed (non-reconfigurable) design, with the schedule counts
    given and continuous window terms. ``ev``: the ``_EVENT_FIELDS`` of ``cost.layer_events``."""
    b, L = k.bits, k.L
    S, St, Ng, D = window_terms(jnp.asarray(theta, jnp.float32))
    fa, fw = _fan_ins(exploit, S, St)
    acc_e = k.acc_adder_energy
    if exploit == "none":
        busy_dpu = ev["steps"] * ev["M"] * ev["N"]
    elif exploit == "A":
        busy_dpu = busy * ev["N"] / ev["n_tiles"]
        dg_items = dg_items * ev["N"] / ev["n_tiles"]
    elif exploit == "W":
        busy_dpu = busy * ev["M"] / ev["m_tiles"]
        dg_items = dg_items * ev["M"] / ev["m_tiles"]
    else:
        busy_dpu = busy

    def select(fan):  # one selection through a fan:1 mux with every input live
        return b * k.mux2_energy * (selector_levels(fan) + fan - 1.0)

    if exploit == "none":
        act_mux = wgt_mux = staging = sched = extra = 0.0
    else:
        act_mux = (ev["items"] if exploit == "A" else ev["executed"]) * select(fa)
        wgt_mux = ev["executed"] * select(fw) if exploit in ("A", "AW") else 0.0
        bufs = (k.C if exploit in ("W", "AW") else 0) + (k.R if exploit in ("A", "AW") else 0)
        tiles = ev["m_tiles"] * ev["n_tiles"]
        staging = tiles * ev["steps"] * bufs * L * b * k.dff_energy * jnp.minimum(D, 1.0)
        sched = cycles * _n_sched(exploit, k) * (L * (1.0 + S) * k.prio_energy
                                                 + (D + 1.0) * L * k.dff_energy)
        extra = dg_items / L * (k.tree_energy + acc_e)
    frame_meta = 0.0
    if exploit == "W":  # selector metadata per frame slot: ceil(log2(1 + |window|)) bits
        frame_meta = ev["wgt_frame_bits"] / b * selector_levels(1.0 + S)
    value_bits = ev["act_value_bits"] + ev["wgt_value_bits"] + cycles * ev["wgt_frame_bits"]
    meta_bits = ev["act_meta_bits"] + ev["wgt_meta_bits"] + cycles * frame_meta
    return (ev["executed"] * k.mult8_energy
            + busy_dpu * (k.tree_energy + acc_e + k.acc_bits * k.dff_energy)
            + extra + act_mux + wgt_mux + staging + sched
            + value_bits * k.read_bit + ev["out_bits"] * k.write_bit
            + meta_bits * k.read_bit)


# -- the relaxation of a workload mix -------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Relaxation:
    """The surrogate of one workload mix on one space: per exploit, the layers' data.

    ``layers[exploit]``: tuple of ``LayerData``. Built by ``relax``; evaluate with ``metrics``,
    ``loss``, or their batched forms. Static: the space, technology constants and reach maxima.
    """

    space: Space
    consts: Consts
    layers: dict

    def metrics(self, exploit: str, theta) -> Metrics:
        """Relaxed mix ``Metrics`` at ``theta`` float ``[3]`` (JAX scalars; differentiable)."""
        return _metrics(self.layers[exploit], jnp.asarray(theta, jnp.float32), exploit,
                        self.consts, *_maxima(self.space))

    def loss(self, exploit: str, theta, objective: str, area_budget_mm2=None):
        """Relaxed loss (``relaxed_loss``) at ``theta [3]``."""
        check_objective(objective, area_budget_mm2)
        return relaxed_loss(self.metrics(exploit, theta), objective, area_budget_mm2)

    def batch_metrics(self, exploit: str, thetas) -> Metrics:
        """``metrics`` over ``thetas [B, 3]``; fields of shape ``[B]`` (numpy)."""
        out = _batch_metrics(self.layers[exploit], jnp.asarray(thetas, jnp.float32), exploit,
                             self.consts, *_maxima(self.space))
        return jax.tree_util.tree_map(np.asarray, out)

    def point_metrics(self, points) -> list:
        """Relaxed ``Metrics`` (Python floats) of integer ``DesignPoint``s."""
        out = [None] * len(points)
        by_ex: dict = {}
        for i, p in enumerate(points):
            by_ex.setdefault(p.exploit, []).append(i)
        for ex, idx in by_ex.items():
            m = self.batch_metrics(ex, np.array([points[i].theta for i in idx], np.float32))
            for j, i in enumerate(idx):
                out[i] = Metrics(*(float(getattr(m, f)[j]) for f in
                                   ("energy_pj", "cycles", "dense_cycles", "ops", "area_mm2")),
                                 clock_ghz=m.clock_ghz)
        return out


def _maxima(space: Space) -> tuple[int, int, int]:
    return max(space.lane[1], 0), max(space.group[1], 0), space.time[1]


def _metrics_impl(layers, theta, exploit, k, lane_max, group_max, depth_max) -> Metrics:
    energy = cycles = dense = ops = 0.0
    for ld in layers:
        ev = dict(zip(_EVENT_FIELDS, ld.events))
        tiles = ev["m_tiles"] * ev["n_tiles"]
        if exploit == "none":  # the dense core runs every step: exact, no schedule
            cyc, busy, dg = tiles * ev["steps"], 0.0, 0.0
        else:
            cyc, busy, dg = schedule_counts(ld, theta, lane_max, group_max, depth_max)
        e = layer_energy_terms(exploit, theta, ev, cyc, busy, dg, k)
        energy = energy + ld.weight * e
        cycles = cycles + ld.weight * cyc
        dense = dense + ld.weight * tiles * -(-ev["K"] // k.L)
        ops = ops + ld.weight * ev["ops"]
    area = relaxed_area(exploit, theta, k)
    energy = energy + k.leak * area * cycles / k.clock_ghz
    f32 = jnp.float32
    return Metrics(f32(energy), f32(cycles), f32(dense), f32(ops), f32(area), k.clock_ghz)


_STATIC = (2, 3, 4, 5, 6)
_metrics = jax.jit(_metrics_impl, static_argnums=_STATIC)


@functools.partial(jax.jit, static_argnums=_STATIC)
def _batch_metrics(layers, thetas, exploit, k, lane_max, group_max, depth_max) -> Metrics:
    return jax.vmap(lambda t: _metrics_impl(layers, t, exploit, k, lane_max, group_max,
                                            depth_max))(thetas)


def relax(workloads, space: Space | None = None, tech="horowitz45") -> Relaxation:
    """Build the surrogate of a workload mix (format: ``check_workloads``) on ``space``.

    The masks are densified per workload category (``cost.category_masks``) exactly as the
    exact path does, so both evaluate the same GEMMs.
    """
    space = Space() if space is None else space
    if not isinstance(space, Space):
        raise ValueError(f"space must be a Space, got {type(space).__name__}")
    tech = load_tech(tech)
    wls = check_workloads(workloads)
    layers = {}
    for ex in space.exploits:
        layers[ex] = tuple(
            layer_data(ex, space.core, a, w, weight * mult, tech.operand_bits)
            for _, lays, _, weight in wls for _, a, w, mult in lays)
    return Relaxation(space=space, consts=make_consts(space.core, tech), layers=layers)
