"""A differentiable surrogate of the cost model over continuous box-window parameters.

Choice: an *analytic* surrogate (option (a) of the search issue), with no calibration on exact
evaluations, so that it costs no exact evaluation at all. Why: area and every schedule-independent
energy term of the cost model (``griffin_jax.cost``) are closed-form functions of the window's
fan-in and depth, so they relax exactly; only four schedule counts per layer (cycles, busy
group-cycles, extra-adder-tree group-cycles, row-cycles) need the scheduler, and for those a fluid
recursion on the layer's real pending masks tracks the exact kernel closely (cycles are exact for
time-only windows, see below). An interpolation of exact anchor points would instead spend part of
the evaluation budget before the search starts and would not scale with the number of knobs.

Continuous parameters ``theta = (d1, d2, d3)`` stand for ``Window.box(time=d1, lane=d2,
group=d3)``:

* **Area and energy** (``relaxed_area``, ``layer_energy_terms``): no formula of their own. The
  relaxed design is the cost model's ``Inventory`` built by ``cost.build_inventory`` from the
  box's ``WindowTerms`` as real numbers (``box_terms``: size ``S = d1 (2 d2 + 1)(2 d3 + 1)``,
  distinct ``(dt, dl)`` pairs ``d1 (2 d2 + 1)``, distinct ``dg != 0`` count ``2 d3``, depth
  ``D = d1``), priced by ``cost.area_components`` and, with the relaxed schedule counts below as
  ``cost.Counts``, by ``cost.energy_components``; the mux selector's ``ceil(log2 F)`` levels are
  interpolated linearly between consecutive integer fan-ins (``cost.selector_levels``). At
  integer points relaxed and exact costs are therefore equal by construction (tested).
* **Cycles** (``tile_cycles``): per tile, ``tau(r)``, the cycle after which the shared step pointer
  has passed step ``r``, obeys ``tau(r) = max(done(r), tau(r - D - 1) + 1)`` (docs/model.md 3.3: the
  pointer jumps at most ``D + 1`` steps, and only over drained steps), and a multiplier that
  serves its own lane earliest-first finishes step ``r``'s item at
  ``C(r) = max(C(r - 1), tau(r - D - 1)) + x(r)``. For time-only windows (``d2 = d3 = 0``) every
  lane is such a queue and the recursion is *exact*. Lane and group borrowing is modelled as
  pooling: ``x`` is replaced by its average over the multiplier's window neighbourhood, with soft
  box weights ``clip(reach + 1 - |offset|, 0, 1)`` (exactly the box at integer reach; lanes wrap,
  groups do not), applied ``min(D, T - 1)`` times: borrowing chains (a multiplier whose item a
  neighbour took takes one from its other side, one step further ahead) let load spread one
  neighbourhood per step of lookahead, within the tile's ``T`` steps. This ignores that the
  greedy priority order does not form every chain, so it errs optimistic for wide, deep windows.
  A fractional depth interpolates ``tau`` between the two neighbouring lags and the spread
  between the two neighbouring hop counts.
* **Busy DPU-cycles**: a group with mean lane load ``rho = work / (cycles L)`` is taken busy in a
  cycle unless all its ``L`` lanes idle: ``cycles (1 - (1 - rho)^L)``.
* **Extra adder-tree firings** (``dg != 0``): the work not executed through the own slot, taken
  as ``work (1 - cycles / T)`` (each cycle serves one front step through the own slots), is
  spread evenly over the ``2 d3 + 1`` group offsets; each of the ``2 d3`` extra trees of a group
  fires like a busy group on its share.
* **Row-cycles** (W-static weight-frame reads): cycles x real rows of DPUs, tile by tile.

Everything is pure JAX: ``jax.grad`` of the objective with respect to ``theta`` is finite (and
non-zero where the design matters), and ``jax.vmap`` runs many restarts at once.
"""

from __future__ import annotations

import dataclasses
import functools

import jax
import jax.numpy as jnp
import numpy as np

from griffin_jax.cost._area import (
    CORE_COMPONENTS,
    WindowTerms,
    area_components,
    build_inventory,
)
from griffin_jax.cost._energy import Counts, energy_components, group_to_dpu_cycles
from griffin_jax.cost._events import frame_selector_bits
from griffin_jax.cost._prices import Prices, prices
from griffin_jax.cost._tech import load_tech
from griffin_jax.design._core import Core
from griffin_jax.search._objective import Metrics, check_objective, relaxed_loss
from griffin_jax.search._space import Space
from griffin_jax.search._tiles import (
    EVENT_FIELDS,
    ExploitData,
    TileBlock,
    check_workloads,
    exploit_data,
)


# -- the relaxed design ---------------------------------------------------------------------------
def box_terms(theta) -> WindowTerms:
    """The ``WindowTerms`` of ``Window.box(d1, d2, d3)`` at real ``theta = (d1, d2, d3)``:
    size ``d1 (2 d2 + 1)(2 d3 + 1)``, distinct ``(dt, dl)`` ``d1 (2 d2 + 1)``, distinct
    ``dg != 0`` ``2 d3``, depth ``d1`` (the box's counts, continued to real reach)."""
    d1, d2, d3 = theta[..., 0], theta[..., 1], theta[..., 2]
    st = d1 * (2.0 * d2 + 1.0)
    return WindowTerms(size=st * (2.0 * d3 + 1.0), steps=st, extra_trees=2.0 * d3, depth=d1)


def _minimum(a, b):
    return jnp.minimum(a, b) if isinstance(b, jax.Array) else min(a, b)


def _terms(exploit: str, theta) -> WindowTerms:
    return WindowTerms(0, 0, 0, 0) if exploit == "none" else box_terms(theta)


def relaxed_inventory(exploit: str, theta, core: Core, p: Prices):
    """The cost model's ``Inventory`` of the fixed design ``(exploit, box(theta))``."""
    return build_inventory(
        core,
        exploit,
        _terms(exploit, theta),
        bits=p.operand_bits,
        acc_bits=p.accumulator_bits,
        bank_rule=p.bank_rule,
    )


def relaxed_area(exploit: str, theta, core: Core, p: Prices, *, core_only: bool = False):
    """Total area in mm^2 (``core_only``: without the SRAM buffers) of the fixed design
    ``(exploit, box(theta))``: ``cost.area_components`` of its relaxed inventory. ``theta``
    float ``[3]``; ignored for ``exploit="none"``."""
    if not isinstance(theta, jax.Array):
        theta = np.asarray(theta, np.float64)
    parts = area_components(relaxed_inventory(exploit, theta, core, p), p)
    keys = CORE_COMPONENTS if core_only else tuple(parts)
    return sum(parts[k] for k in keys) * 1e-6


# -- the schedule model ---------------------------------------------------------------------------
def soft_box(reach, n: int):
    """Weights ``[2n + 1]`` of offsets ``-n..n``: 1 inside ``|offset| <= reach``, linear fall-off
    over one unit beyond it (the exact box at integer ``reach``)."""
    d = jnp.arange(-n, n + 1, dtype=jnp.float32)
    return jnp.clip(reach + 1.0 - jnp.abs(d), 0.0, 1.0)


def _shift_matrices(n: int, reach_max: int, wrap: bool) -> np.ndarray:
    """``[2 reach_max + 1, n, n]``: entry ``[i, src, dst]`` is 1 where ``src = dst + offset_i``
    (``offset_i = i - reach_max``; modulo ``n`` when ``wrap``, dropped outside otherwise)."""
    idx = np.arange(n)
    out = []
    for off in range(-reach_max, reach_max + 1):
        src = idx + off
        if wrap:
            src = src % n
        out.append((idx[:, None] == src[None, :]).astype(np.float32))
    return np.stack(out)


def _mix_powers(mix, hops):
    """``sum_k w_k mix^k`` over ``k = 0..K`` (``mix^0``: identity) with linear interpolation
    weights at ``hops`` (clipped to ``[0, K]``); ``mix`` float ``[K + 1, n, n]`` holds the
    powers."""
    k = jnp.arange(mix.shape[0], dtype=jnp.float32)
    w = jnp.clip(1.0 - jnp.abs(k - jnp.clip(hops, 0.0, mix.shape[0] - 1.0)), 0.0, 1.0)
    return jnp.tensordot(w, mix, 1)


def _powers(m, n: int):
    """``[n + 1, ...]``: ``m^0 .. m^n``."""
    out = [jnp.eye(m.shape[0], dtype=m.dtype)]
    for _ in range(n):
        out.append(out[-1] @ m)
    return jnp.stack(out)


def pooled_load(pending, d1, d2, d3, lane_max: int, group_max: int, depth_max: int):
    """Pending work spread over each multiplier's borrowing reach (module doc).

    One hop averages over the (lane, group) neighbourhood of the box (soft box weights; lanes
    wrap, groups do not: a neighbour outside the core has no work and no multiplier, so it counts
    in neither sum). Borrowing chains: a multiplier whose own item was taken by a neighbour is
    free to take one from its other side one step further ahead, so ``D`` steps of lookahead let
    load spread ``D`` hops, and a tile of ``T`` steps at most ``T - 1`` (a tile of one step has
    nothing ahead to borrow); the spread is that many applications of the one-hop average
    (``d1`` fractional: interpolated between its neighbouring hop counts).

    ``pending`` ``[n, P, G, T, L]``; returns float ``[n, P, G, T, L]``. The averages are two small
    mixing matrices (lanes, groups) applied as matrix products.
    """
    x = pending.astype(jnp.float32)
    G, L = x.shape[2], x.shape[-1]
    kl = soft_box(d2, lane_max)
    kg = soft_box(d3, group_max)
    lane_mix = jnp.tensordot(kl, _shift_matrices(L, lane_max, wrap=True), 1)  # [src, dst]
    group_mix = jnp.tensordot(kg, _shift_matrices(G, group_max, wrap=False), 1)
    lane_avg = lane_mix / kl.sum()  # every column (destination) sums to 1
    group_avg = group_mix / group_mix.sum(0)[None, :]  # over the neighbours that exist
    T = x.shape[3]
    n_hops = max(min(depth_max, T - 1), 0)
    hops = jnp.minimum((1.0 + d1) / 2.0, float(T - 1))
    lanes = _mix_powers(_powers(lane_avg, n_hops), hops)
    groups = _mix_powers(_powers(group_avg, n_hops), hops)
    y = jnp.einsum("npgtl,lm->npgtm", x, lanes)
    y = jnp.einsum("npgtm,gh->npthm", y, groups)
    return jnp.moveaxis(y, 3, 2)


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

    init = (jnp.zeros(load.shape[:3] + load.shape[4:], jnp.float32), jnp.zeros((n, H), jnp.float32))
    (_, hist), _ = jax.lax.scan(step, init, jnp.moveaxis(load, 3, 0))
    return hist[:, 0]


def _fires(cycles, items, L: int):
    """Cycles in which a unit fed ``items`` over ``cycles`` cycles by ``L`` lanes is active,
    taking each lane busy independently with probability ``items / (cycles L)``."""
    rho = jnp.clip(items / (cycles * L), 0.0, 1.0)
    return cycles * (1.0 - (1.0 - rho) ** L)


def block_counts(
    blk: TileBlock, theta, n_layers: int, lane_max: int, group_max: int, depth_max: int
):
    """Relaxed schedule counts per layer instance, float ``[n_layers, 4]``: cycles, busy
    group-cycles, extra-tree group-cycles (summed over the distinct ``dg != 0``) and row-cycles
    (cycles x real rows of DPUs) (module doc)."""
    T, L = blk.pending.shape[3], blk.pending.shape[4]
    load = pooled_load(blk.pending, theta[0], theta[1], theta[2], lane_max, group_max, depth_max)
    cyc = tile_cycles(load, theta[0], depth_max)  # [n]
    c3 = cyc[:, None, None]
    busy = _fires(c3, blk.group_work, L).sum((1, 2))
    # Work not taken through the own slot, spread evenly over the window's 2 d3 + 1 group
    # offsets; each of the 2 d3 extra trees of a group fires when it takes any of its share.
    trees_per_group = 2.0 * theta[2]
    borrowed = blk.group_work * (1.0 - c3 / T) / (2.0 * theta[2] + 1.0)  # per tree
    trees = (trees_per_group * _fires(c3, borrowed, L)).sum((1, 2))
    per_tile = jnp.stack([cyc, busy, trees, cyc * blk.real_rows], axis=1)
    return jax.ops.segment_sum(per_tile * blk.tile_mult[:, None], blk.layer, num_segments=n_layers)


def relaxed_counts(exploit: str, theta, ev: dict, cycles, busy, trees, row_cycles, inv) -> Counts:
    """The cost model's ``Counts`` of layer instances of the fixed design ``(exploit,
    box(theta))`` from the relaxed schedule counts. ``ev``: the ``EVENT_FIELDS`` of
    ``cost.layer_events`` (numbers or arrays over layers, like the counts); ``busy`` and
    ``trees``: busy and extra-tree schedule-group cycles; ``row_cycles``: cycles x real rows of
    DPUs (reads of a W-static weight frame); ``inv``: the design's ``relaxed_inventory``."""
    M, N, mt, nt = ev["M"], ev["N"], ev["m_tiles"], ev["n_tiles"]
    if exploit == "none":  # runs every step
        busy_dpu, tree_dpu = ev["steps"] * M * N, 0.0
    else:
        busy_dpu = group_to_dpu_cycles(exploit, busy, M, N, mt, nt)
        tree_dpu = group_to_dpu_cycles(exploit, trees, M, N, mt, nt)
    frame_meta = 0.0
    if exploit == "W":  # the events were built for one window: selectors follow this one's
        frame_meta = frame_selector_bits(
            ev["wgt_frame_bits"], inv.bits, 1.0 + _terms(exploit, theta).size
        )
    # the frame (averaged over a tile's real rows) is read once per real row-cycle
    frame_rows = row_cycles * nt / N
    rows, cols = _minimum(inv.rows, N), _minimum(inv.cols, M)
    return Counts(
        products=ev["executed"],
        executed=ev["executed"],
        items=ev["items"],
        act_reads=M * ev["K"] * nt,
        busy_dpu_cycles=busy_dpu,
        tree_dpu_cycles=tree_dpu,
        scheduler_cycles=cycles * inv.schedulers,
        staged_rows=mt * nt * ev["steps"],
        act_value_bits=ev["act_value_bits"],
        act_meta_bits=ev["act_meta_bits"],
        wgt_value_bits=ev["wgt_value_bits"] + frame_rows * ev["wgt_frame_bits"],
        wgt_meta_bits=ev["wgt_meta_bits"] + frame_rows * frame_meta,
        out_bits=ev["out_bits"],
        cycles=cycles,
        # the search's designs share one step pointer: the rows and columns the layer uses are
        # clocked every cycle (cost.clocked_unit_cycles)
        clocked_dpu_cycles=cycles * rows * cols,
        clocked_row_cycles=cycles * rows,
        clocked_col_cycles=cycles * cols,
    )


def layer_energy_terms(
    exploit: str,
    theta,
    ev: dict,
    cycles,
    busy,
    trees,
    row_cycles,
    core: Core,
    p: Prices,
    core_area_mm2,
):
    """Energy (pJ) of layer instances of the fixed design ``(exploit, box(theta))``:
    ``cost.energy_components`` of its relaxed inventory and counts (``relaxed_counts``),
    summed; ``core_area_mm2`` prices the core's leakage."""
    inv = relaxed_inventory(exploit, theta, core, p)
    counts = relaxed_counts(exploit, theta, ev, cycles, busy, trees, row_cycles, inv)
    parts = energy_components(inv, exploit, _terms(exploit, theta), counts, p, core_area_mm2)
    return sum(parts.values())


def relaxed_metrics(
    data: ExploitData,
    theta,
    exploit,
    core,
    p,
    lane_max,
    group_max,
    depth_max,
    hardware: tuple | None = None,
) -> Metrics:
    """Relaxed mix ``Metrics`` of the fixed design ``(exploit, box(theta))``, ``theta`` float
    ``[3]``: pure and differentiable; the jitted programs (``_metrics``, ``_batch_metrics``,
    the search's descent step) wrap it. ``hardware``: ``(exploit, theta)`` of the hardware the
    design runs on when it is a mode of a larger core (Griffin's wiring): its area is reported
    and its core area leaks; ``None``: the design's own."""
    ev = {f: data.events[:, i] for i, f in enumerate(EVENT_FIELDS)}
    tiles = ev["m_tiles"] * ev["n_tiles"]
    if exploit == "none":  # the dense core runs every step: exact, no schedule
        cycles, busy, trees, rows = tiles * ev["steps"], 0.0, 0.0, 0.0
    else:
        n_layers = data.events.shape[0]
        counts = sum(
            block_counts(blk, theta, n_layers, lane_max, group_max, depth_max)
            for blk in data.blocks
        )
        cycles, busy, trees, rows = (counts[:, i] for i in range(4))
    hw_exploit, hw_theta = (exploit, theta) if hardware is None else hardware
    area = relaxed_area(hw_exploit, hw_theta, core, p)
    core_area = relaxed_area(hw_exploit, hw_theta, core, p, core_only=True)
    energy = layer_energy_terms(exploit, theta, ev, cycles, busy, trees, rows, core, p, core_area)
    w = data.weights
    f32 = jnp.float32
    return Metrics(
        f32((w * energy).sum()),
        f32((w * cycles).sum()),
        f32((w * tiles * ev["steps"]).sum()),
        f32((w * ev["ops"]).sum()),
        f32(area),
        p.clock_ghz,
    )


# Traces of the search's jitted programs (``_gradient._step`` counts under "step"): a test
# reads them to prove that a second search on the same shapes compiles nothing.
TRACE_COUNT = {"metrics": 0, "batch_metrics": 0, "step": 0}
# The static arguments (exploit, core, prices, maxima) are frozen values that hash by value
# (``cost.Prices`` by its figures and its SRAM table's digest), so equal ones built by another
# ``relax`` call hit the jit cache; the mix's data is traced, so every mix of the same shapes
# shares one program.
_STATIC = (2, 3, 4, 5, 6, 7)
_BATCH = 8


@functools.partial(jax.jit, static_argnums=_STATIC)
def _metrics(data, theta, exploit, core, p, lane_max, group_max, depth_max) -> Metrics:
    TRACE_COUNT["metrics"] += 1
    return relaxed_metrics(data, theta, exploit, core, p, lane_max, group_max, depth_max)


@functools.partial(jax.jit, static_argnums=_STATIC)
def _batch_metrics(data, thetas, exploit, core, p, lane_max, group_max, depth_max) -> Metrics:
    TRACE_COUNT["batch_metrics"] += 1
    return jax.vmap(
        lambda t: relaxed_metrics(data, t, exploit, core, p, lane_max, group_max, depth_max)
    )(thetas)


def space_maxima(space: Space) -> tuple[int, int, int]:
    """The static bounds of the schedule model: largest lane reach, group reach, depth."""
    return max(space.lane[1], 0), max(space.group[1], 0), space.time[1]


# -- the relaxation of a workload mix -------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Relaxation:
    """The surrogate of one workload mix on one space: ``data[exploit]`` (``ExploitData``).

    Built by ``relax``; evaluate with ``metrics``, ``loss``, ``batch_metrics`` or
    ``point_metrics``. Static: the space and the technology's ``cost.Prices``.
    """

    space: Space
    prices: Prices
    data: dict

    def area(self, exploit: str, theta):
        """Relaxed area (mm^2) at ``theta [3]`` (``relaxed_area``)."""
        return relaxed_area(exploit, theta, self.space.core, self.prices)

    def metrics(self, exploit: str, theta) -> Metrics:
        """Relaxed mix ``Metrics`` at ``theta`` float ``[3]`` (JAX scalars; differentiable)."""
        return _metrics(
            self.data[exploit],
            jnp.asarray(theta, jnp.float32),
            exploit,
            self.space.core,
            self.prices,
            *space_maxima(self.space),
        )

    def loss(self, exploit: str, theta, objective: str, area_budget_mm2=None):
        """Relaxed loss (``relaxed_loss``) at ``theta [3]``."""
        check_objective(objective, area_budget_mm2)
        return relaxed_loss(self.metrics(exploit, theta), objective, area_budget_mm2)

    def batch_metrics(self, exploit: str, thetas) -> Metrics:
        """``metrics`` over ``thetas [B, 3]``; fields of shape ``[B]`` (numpy)."""
        thetas = np.asarray(thetas, np.float32).reshape(-1, 3)
        n = thetas.shape[0]
        # One batch shape (chunks of _BATCH): one compile per exploit whatever the callers ask,
        # so a second search never meets a new shape (a chunk of 8 runs in milliseconds).
        size = _BATCH
        total = -(-n // size) * size
        padded = np.concatenate([thetas, np.repeat(thetas[-1:], total - n, 0)], 0)
        parts = [
            _batch_metrics(
                self.data[exploit],
                jnp.asarray(padded[i : i + size]),
                exploit,
                self.space.core,
                self.prices,
                *space_maxima(self.space),
            )
            for i in range(0, total, size)
        ]
        return jax.tree_util.tree_map(
            lambda *v: np.concatenate([np.asarray(x) for x in v])[:n], *parts
        )

    def point_metrics(self, points) -> list:
        """Relaxed ``Metrics`` (Python floats) of integer ``DesignPoint``s."""
        out = [None] * len(points)
        by_ex: dict = {}
        for i, p in enumerate(points):
            by_ex.setdefault(p.exploit, []).append(i)
        for ex, idx in by_ex.items():
            m = self.batch_metrics(ex, np.array([points[i].theta for i in idx], np.float32))
            for j, i in enumerate(idx):
                out[i] = Metrics(
                    *(
                        float(getattr(m, f)[j])
                        for f in ("energy_pj", "cycles", "dense_cycles", "ops", "area_mm2")
                    ),
                    clock_ghz=m.clock_ghz,
                )
        return out


def relax(
    workloads, space: Space | None = None, tech="horowitz45", max_tiles: int | None = None
) -> Relaxation:
    """Build the surrogate of a workload mix (format: ``check_workloads``) on ``space``.

    The masks are densified per workload category (``cost.category_masks``) exactly as the
    exact path does, so both evaluate the same GEMMs. ``max_tiles``: schedule at most this many
    distinct tiles per layer and exploit (evenly spaced, each weighted by the tiles it stands
    for); the surrogate's cost is proportional to the tiles it keeps. ``None`` keeps all (then
    time-only windows are exact).
    """
    if max_tiles is not None and (
        isinstance(max_tiles, bool) or not isinstance(max_tiles, int) or max_tiles < 1
    ):
        raise ValueError(f"max_tiles must be None or an int >= 1, got {max_tiles!r}")
    space = Space() if space is None else space
    if not isinstance(space, Space):
        raise ValueError(f"space must be a Space, got {type(space).__name__}")
    tech = load_tech(tech)
    layers = [
        (layer.a_mask, layer.w_mask, wl.weight * layer.multiplicity)
        for wl in check_workloads(workloads)
        for layer in wl.layers
    ]
    data = {
        ex: exploit_data(ex, space.core, layers, tech.operand_bits, max_tiles)
        for ex in space.exploits
    }
    return Relaxation(space=space, prices=prices(tech, space.core.lanes), data=data)
