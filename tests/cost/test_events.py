"""Event counts against brute force: explicit loops over tiles, the reference scheduler."""

import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.sim import reference_pending

# R does not divide N and C does not divide M, so edge tiles are exercised.
CORE = gj.Core(rows=3, cols=2, lanes=4)
M, K, N = 5, 11, 7


def _masks(seed, a_density=0.5, w_density=0.4):
    rng = np.random.default_rng(seed)
    return rng.random((M, K)) < a_density, rng.random((K, N)) < w_density


def _tiles(a, w, core):
    """Yield (a_tile [C, K], w_tile [K, R], real columns, real rows) like reference_gemm."""
    R, C = core.rows, core.cols
    for i in range(math.ceil(a.shape[0] / C)):
        a_tile = np.zeros((C, a.shape[1]), bool)
        rows = a[i * C : (i + 1) * C]
        a_tile[: rows.shape[0]] = rows
        for j in range(math.ceil(w.shape[1] / R)):
            w_tile = np.zeros((w.shape[0], R), bool)
            cols = w[:, j * R : (j + 1) * R]
            w_tile[:, : cols.shape[1]] = cols
            yield a_tile, w_tile, rows.shape[0], cols.shape[1]


def _brute_products(exploit, a, w):
    """Products each multiplier fires, by explicit loops over (m, n, k)."""
    executed = effectual = 0
    for m in range(a.shape[0]):
        for n in range(w.shape[1]):
            for k in range(a.shape[1]):
                both = a[m, k] and w[k, n]
                effectual += both
                fires = {"none": True, "A": a[m, k], "W": w[k, n], "AW": both}[exploit]
                executed += bool(fires)
    return executed, effectual


@pytest.mark.parametrize("exploit", ["none", "A", "W", "AW"])
@pytest.mark.parametrize("seed", [0, 1])
def test_products_and_items_match_brute_force(exploit, seed):
    a, w = _masks(seed)
    win = gj.Window.empty() if exploit == "none" else gj.Window.box(1, 1)
    design = gj.Design(CORE, exploit, win)
    ev = cost.layer_events(design, a, w)
    executed, effectual = _brute_products(exploit, a, w)
    assert (ev.executed, ev.effectual) == (executed, effectual)
    assert ev.zero_operand_products == executed - effectual
    assert ev.macs == M * N * K and ev.ops == 2 * M * N * K
    if exploit != "none":
        # Schedule items are the pending group-lane slots summed over tiles.
        pending = sum(
            int(reference_pending(design, at, wt).sum()) for at, wt, _, _ in _tiles(a, w, CORE)
        )
        assert ev.items == pending
        assert ev.items == int(gj.gemm_activity_batch([design], a, w).work[0])


@pytest.mark.parametrize("exploit", ["none", "A", "W", "AW"])
def test_sram_bits_match_per_tile_loops(exploit):
    a, w = _masks(3)
    win = gj.Window.empty() if exploit == "none" else gj.Window.box(2, 1)
    design = gj.Design(CORE, exploit, win)
    ev = cost.layer_events(design, a, w, bits=8)
    act_vals = act_meta = wgt_vals = wgt_meta = 0
    for at, wt, cr, rr in _tiles(a, w, CORE):
        real_a, real_w = at[:cr], wt[:, :rr]
        if exploit in ("A", "AW"):
            act_vals += 8 * int(real_a.sum())
            act_meta += real_a.size
        else:
            act_vals += 8 * real_a.size
        if exploit == "AW":
            wgt_vals += 8 * int(real_w.sum())
            wgt_meta += real_w.size
        elif exploit != "W":
            wgt_vals += 8 * real_w.size
    assert (ev.act_value_bits, ev.act_meta_bits) == (act_vals, act_meta)
    assert (ev.wgt_value_bits, ev.wgt_meta_bits) == (wgt_vals, wgt_meta)
    assert ev.out_bits == 8 * M * N
    if exploit == "W":  # pre-scheduled frame: R x L slots of value + selector bits per cycle
        # real rows per output-channel tile and real lanes per step, averaged
        slots = N / math.ceil(N / CORE.rows) * K / math.ceil(K / CORE.lanes)
        assert ev.wgt_frame_bits == pytest.approx(slots * 8)
        assert ev.wgt_frame_meta_bits == pytest.approx(slots * math.ceil(math.log2(win.fan_in)))
        short = cost.layer_events(design, a[:, :3], w[:3, :1], bits=8)  # K < L, one real row
        assert short.wgt_frame_bits == 1 * 3 * 8
        exact = cost.layer_events(design, a[:, :8], w[:8, :6], bits=8)  # R | N, L | K
        assert exact.wgt_frame_bits == CORE.rows * CORE.lanes * 8
    else:
        assert ev.wgt_frame_bits == ev.wgt_frame_meta_bits == 0


def test_selector_bits():
    assert [cost.selector_bits(f) for f in (1, 2, 3, 4, 5, 8, 9, 16)] == [0, 1, 2, 2, 3, 3, 4, 4]


def _brute_24(w):
    K, N = w.shape
    ok = all(w[g : g + 4, n].sum() <= 2 for g in range(0, K, 4) for n in range(N))
    kept = sum(min(2, len(range(g, min(g + 4, K)))) for g in range(0, K, 4))
    return ok, kept


@pytest.mark.parametrize("K_", [8, 10, 11, 13])
def test_compact_24_against_loops(K_):
    rng = np.random.default_rng(K_)
    w = np.zeros((K_, 5), bool)
    for g in range(0, K_, 4):
        for n in range(5):
            size = min(4, K_ - g)
            w[g + rng.choice(size, min(2, size), replace=False), n] = True
    assert cost.compact_24(w) == _brute_24(w) and _brute_24(w)[0]
    w[0, :] = w[1, :] = w[2, :] = True  # three nonzeros in the first group
    assert cost.compact_24(w) == _brute_24(w) and not _brute_24(w)[0]


def test_structured_events_follow_the_24_rule():
    rng = np.random.default_rng(5)
    a = rng.random((M, 12)) < 0.6
    w = np.zeros((12, N), bool)
    for g in range(0, 12, 4):
        for n in range(N):
            w[g + rng.choice(4, 2, replace=False), n] = True
    design = gj.Design(CORE, "W", gj.Window.empty())
    ev = cost.layer_events(design, a, w, structured="2:4")
    assert ev.structured_ok and ev.steps == math.ceil(6 / CORE.lanes)
    assert ev.executed == M * N * 6
    n_mt = math.ceil(M / CORE.cols)
    assert ev.wgt_value_bits == 6 * N * 8 * n_mt and ev.wgt_meta_bits == 6 * N * 2 * n_mt
    w[:4, 0] = True
    ev = cost.layer_events(design, a, w, structured="2:4")
    assert not ev.structured_ok and ev.steps == math.ceil(12 / CORE.lanes)
    assert ev.executed == M * N * 12 and ev.wgt_value_bits == 12 * N * 8 * n_mt
    with pytest.raises(ValueError, match="structured"):
        cost.layer_events(gj.Design(CORE, "W", gj.Window.box(1)), a, w, structured="2:4")


def test_bad_inputs_name_the_field():
    a, w = _masks(0)
    d = gj.Design(CORE, "A", gj.Window.box(1))
    with pytest.raises(ValueError, match="design"):
        cost.layer_events("A", a, w)
    with pytest.raises(ValueError, match="bits"):
        cost.layer_events(d, a, w, bits=0)
    with pytest.raises(ValueError, match="a_mask"):
        cost.layer_events(d, a.astype(int), w)
    with pytest.raises(ValueError, match="structured"):
        cost.layer_events(d, a, w, structured="1:4")


# -- schedule-derived counts (the cost model's conversions of the kernel's Activity) ----------
WINDOWS = {
    "A": gj.Window.from_offsets([(1, 0, 0), (1, 1, 0), (1, 0, 1), (2, -1, -1)]),
    "W": gj.Window.from_offsets([(1, 0, 0), (1, -1, 0), (1, 0, 1), (2, 1, -1)]),
    "AW": gj.Window.from_offsets([(1, 0, 0), (2, 1, 0), (1, 0, 1), (1, 1, -1)]),
}


@pytest.mark.parametrize("exploit", ["A", "W", "AW"])
def test_busy_dpu_cycles_and_group_products_match_reference(exploit):
    """Busy DPU-cycles and products through dg offsets, derived from the kernel's totals, equal
    per-tile reference counts weighted by each tile's real rows / columns."""
    a, w = _masks(7, 0.55, 0.5)
    win = WINDOWS[exploit]
    design = gj.Design(CORE, exploit, win)
    act = gj.gemm_activity_batch([design], a, w)
    ev = cost.layer_events(design, a, w)
    sched = cost.Schedule(
        cycles=int(act.cycles[0]),
        busy_group_cycles=int(act.busy_group_cycles[0]),
        taken=tuple(int(x) for x in act.taken[0, : win.size + 1]),
    )
    busy = dg_products = 0
    dg_idx = [1 + i for i, o in enumerate(win.as_tuples()) if o[2] != 0]
    for at, wt, cr, rr in _tiles(a, w, CORE):
        res = gj.reference_tile(reference_pending(design, at, wt), list(win.as_tuples()))
        # one schedule item fires on every real row (A) / real column (W) / one DPU (AW)
        scale = {"A": rr, "W": cr, "AW": 1}[exploit]
        busy += res["busy_group_cycles"] * scale
        dg_products += sum(res["taken"][i] for i in dg_idx) * scale
    assert cost.busy_dpu_cycles(design, ev, sched) == busy
    assert cost.group_offset_products(design, ev, sched) == dg_products
    assert dg_products > 0  # the check is not vacuous


def test_dense_busy_dpu_cycles():
    a, w = _masks(2)
    d = gj.Design(CORE, "none")
    ev = cost.layer_events(d, a, w)
    sched = cost.Schedule(cycles=ev.analytic_cycles)
    T = math.ceil(K / CORE.lanes)
    # every real DPU executes at least one real lane at every step
    assert cost.busy_dpu_cycles(d, ev, sched) == T * M * N
    assert ev.analytic_cycles == reference_cycles(d, a, w)


def reference_cycles(design, a, w):
    return gj.reference_gemm(design, a, w)["cycles"]
