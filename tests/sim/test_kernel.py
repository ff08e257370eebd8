"""The JAX scheduler against the pure-Python reference, exactly, on many random cases.

Covers lanes 1..64, K not a multiple of lanes, empty and full masks, every exploit, both sync
modes, box, L-shaped and arbitrary windows including group offsets; plus the facts of spec 3.5.
"""

import math

import jax
import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.design._core import group_axis
from tests.conftest import FULL, SCHEDULE_FIELDS, assert_same_activity

SHAPES = ("box", "L", "any")


def _check_tile(pending, offs, sync):
    ref = gj.reference_tile(pending[None], offs, sync)
    got = gj.tile_activity(pending, gj.Window.from_offsets(offs), sync)
    assert got["cycles"] == ref["cycles"], (pending.shape, offs, sync)
    assert got["taken"] == tuple(ref["taken"]), (pending.shape, offs, sync)
    assert got["busy_group_cycles"] == ref["busy_group_cycles"]
    assert got["tree_group_cycles"] == tuple(ref["tree_group_cycles"])
    assert got["group_cycles"] == ref["group_cycles"]


@pytest.mark.slow
def test_tile_matches_reference(rng, gen):
    # A few cases per (lanes, sync) pair: each pair is one compiled program per window bucket
    # (G and the step bucket are fixed), so the random masks cost no extra compiles. Small
    # form: the edge lanes of SMALL_EDGE_LANES, one case of each window shape per pair, and an
    # empty and a full tile on the last window (the same program); full form: every edge lane,
    # 25 cases per pair.
    per_pair = 3 if not gen.FULL else 25
    for lanes in gen.EDGE_LANES if gen.FULL else gen.SMALL_EDGE_LANES:
        for sync in ("core", "group"):
            for j in range(per_pair):
                T = int(rng.integers(1, 9))
                pending = gen.random_mask(rng, (3, T, lanes))
                offs = gen.random_offsets(
                    rng, lanes, max_dg=0 if sync == "group" else 2, shape=SHAPES[j % 3]
                )
                _check_tile(pending, offs, sync)
            if not gen.FULL:
                _check_tile(np.zeros_like(pending), offs, sync)
                _check_tile(np.ones_like(pending), offs, sync)


GEOMETRIES = [  # (rows, cols, lanes, M, N, K): 1 lane, 64 lanes, K % L != 0, edge tiles
    (1, 1, 1, 3, 2, 5),
    (2, 3, 4, 5, 7, 10),
    (3, 2, 16, 7, 4, 37),
    (2, 2, 64, 3, 3, 130),
    (4, 1, 33, 2, 6, 70),
    (1, 4, 5, 9, 1, 23),
    (2, 2, 32, 4, 4, 64),
    (5, 2, 5, 6, 11, 23),  # AW: 5 blocks of 5 lanes share one word (TileShape.fields)
]
# The small form's geometries: 1 lane, K % L != 0, 64 lanes, 33 lanes (two words), shared words.
SMALL_GEOMETRIES = [GEOMETRIES[i] for i in (0, 2, 3, 4, 7)]
CASE_GEOMETRIES = GEOMETRIES if FULL else SMALL_GEOMETRIES


@pytest.mark.slow
@pytest.mark.parametrize("geom", CASE_GEOMETRIES, ids=lambda g: "x".join(map(str, g)))
def test_gemm_matches_reference(geom, rng, gen):
    # Full form: every geometry, every (exploit, sync) pair, 10 mask pairs. Small form: the
    # edge geometries of SMALL_GEOMETRIES, half the pairs on each, alternating so that
    # consecutive geometries cover all six (gen.exploit_syncs: each pair is a compile per
    # geometry), 3 mask pairs.
    R, C, L, M, N, K = geom
    core = gj.Core(R, C, L)
    designs = [gj.Design(core, "none")]
    for exploit, sync in gen.exploit_syncs(CASE_GEOMETRIES.index(geom)):
        for shape in SHAPES + ("any",):
            # dg needs a neighbour on the dg axis (Design refuses it otherwise).
            no_dg = sync == "group" or group_axis(core, exploit) == 1
            offs = gen.random_offsets(rng, L, max_dg=0 if no_dg else 2, shape=shape)
            win = gj.Window.from_offsets(offs)
            designs.append(gj.Design(core, exploit, win, sync))
    # One batch per mask pair: every (exploit, sync) bucket compiles once for the geometry.
    for _ in range(3 if not gen.FULL else 10):
        a = gen.random_mask(rng, (M, K))
        w = gen.random_mask(rng, (K, N))
        act = gj.gemm_activity_batch(designs, a, w)
        for i, d in enumerate(designs):
            ref = gj.reference_gemm(d, a, w)
            assert act.cycles[i] == ref["cycles"], d
            assert act.dense_cycles[i] == ref["dense_cycles"]
            if d.exploit != "none":
                n = d.window.size + 1
                assert tuple(act.taken[i, :n]) == tuple(ref["taken"]), d
                assert not act.taken[i, n:].any()
                assert act.busy_group_cycles[i] == ref["busy_group_cycles"], d
                assert tuple(act.tree_group_cycles[i, :n]) == tuple(ref["tree_group_cycles"]), d
                assert act.group_cycles[i] == ref["group_cycles"], d
                assert act.row_cycles[i] == ref["row_cycles"], d
                assert act.col_cycles[i] == ref["col_cycles"], d
                assert act.taken[i].sum() == act.work[i]  # every pending item runs once


def test_single_and_batch_agree(rng, gen):
    core = gj.Core(2, 2, 8)
    a, w = rng.random((9, 50)) < 0.4, rng.random((50, 5)) < 0.6
    designs = [
        gj.Design(core, "AW", gj.Window.box(t, l, g))
        for t in (1, 2)
        for l in (0, 1)
        for g in (0, 1)
    ]
    batch = gj.simulate_gemm_batch(designs, a, w)
    single = [gj.simulate_gemm(d, a, w).cycles for d in designs]
    assert batch.tolist() == single
    # Order of designs in a batch does not matter.
    assert gj.simulate_gemm_batch(designs[::-1], a, w).tolist() == single[::-1]


# -- spec 3.5: facts that follow ------------------------------------------------------------------
def test_dense_and_empty_window_take_exactly_T(rng):
    core = gj.Core(3, 2, 4)
    a, w = rng.random((7, 19)) < 0.3, rng.random((19, 5)) < 0.3
    T = math.ceil(19 / 4)
    tiles = math.ceil(7 / 2) * math.ceil(5 / 3)
    for d in (
        gj.Design(core, "none"),
        gj.Design(core, "AW"),
        gj.Design(core, "A"),
        gj.Design(core, "W", sync="group"),
    ):
        r = gj.simulate_gemm(d, a, w)
        assert r.cycles == r.dense_cycles == tiles * T


def test_lower_and_upper_bounds(rng, gen):
    for i in range(40):
        L = (1, 16, 33)[i % 3]
        G, T = 3, int(rng.integers(1, 9))
        pend = gen.random_mask(rng, (G, T, L))
        no_dg = i % 2 == 0
        offs = gen.random_offsets(rng, L, max_dt=4, max_dg=0 if no_dg else 2)
        win = gj.Window.from_offsets(offs)
        D = win.depth
        cyc = gj.tile_cycles(pend, win)
        assert cyc <= T
        assert cyc >= math.ceil(T / (D + 1))
        assert cyc >= math.ceil(pend.sum() / (G * L))
        if not win.has_group_offsets:
            assert cyc >= math.ceil(pend.sum(axis=(1, 2)).max() / L)
        if not pend.any():
            assert cyc == math.ceil(T / (D + 1))


def test_no_pending_work_takes_ceil_T_over_D_plus_1():
    for T in (1, 12):
        for D in (0, 1, 7):
            win = gj.Window.from_offsets([(d, 0, 0) for d in range(1, D + 1)])
            for sync in ("core", "group"):
                assert gj.tile_cycles(np.zeros((3, T, 4), bool), win, sync) == math.ceil(
                    T / (D + 1)
                )


def test_full_mask_never_speeds_up():
    pend = np.ones((4, 9, 8), bool)
    assert gj.tile_cycles(pend, gj.Window.box(3, 2, 1)) == 9


def test_group_sync_is_never_slower_than_core_sync(rng):
    for _ in range(20):
        pend = rng.random((4, 10, 8)) < rng.random()
        win = gj.Window.box(int(rng.integers(1, 4)), int(rng.integers(0, 3)), 0)
        assert gj.tile_cycles(pend, win, "group") <= gj.tile_cycles(pend, win, "core")


def test_hand_computed_schedule():
    # One group, 2 lanes, work only in lane 0 at every step: own slot does lane 0 and the
    # (1, 1) offset lets lane 1 borrow lane 0 of the next step -> 2 steps per cycle.
    pend = np.zeros((1, 6, 2), bool)
    pend[0, :, 0] = True
    assert gj.tile_cycles(pend, gj.Window.from_offsets([(1, 1, 0)])) == 3
    # Without lane reach nothing can be borrowed: every step needs its own cycle.
    assert gj.tile_cycles(pend, gj.Window.from_offsets([(1, 0, 0)])) == 6
    # Group borrowing: group 1 idle, group 0 full; (1, 0, -1) lets group 1 take group 0's work.
    pend = np.zeros((2, 4, 1), bool)
    pend[0] = True
    assert gj.tile_cycles(pend, gj.Window.from_offsets([(1, 0, -1)])) == 2
    assert gj.tile_cycles(pend, gj.Window.from_offsets([(1, 0, 1)])) == 4  # wrong direction


# -- the single-lane lookahead kernel (SparTen's per-unit join) ---------------------------------
@pytest.mark.parametrize("activity", [True, False])
def test_lookahead_kernel_equals_the_general_kernel(rng, activity):
    # Same tile, same window, both kernels: every counter equal, on sparse, empty and full
    # groups, depths from 1 to beyond the tile's steps, and step counts off the bucket.
    from griffin_jax.sim._kernel import TileShape, tile_kernel_sync, tile_lookahead

    # Jitted once each (the shapes are fixed): eager calls would retrace every case.
    general = jax.jit(tile_kernel_sync, static_argnums=(0, 1, 6))
    walk = jax.jit(tile_lookahead, static_argnums=(0, 5))
    Tb, Q, W = 40, 7, 16
    for _ in range(12):
        T = int(rng.integers(1, Tb - 2 * (16 + 1) + 1))
        D = int(rng.choice([1, 2, 3, 5, 15]))
        dens = rng.random(Q)[None, :] * rng.choice([0.0, 0.3, 1.0], Q)[None, :] * 2
        bits = (rng.random((Tb, Q)) < dens) & (np.arange(Tb) < T)[:, None]
        words = bits.astype(np.uint32)[:, :, None]
        offsets = np.zeros((W, 3), np.int32)
        offsets[:D, 0] = np.minimum(np.arange(1, D + 1), T)
        valid = np.arange(W) < D
        shape = TileShape(blocks=1, groups=Q, lanes=1, depth_cap=16)
        args = (words, np.int32(T), offsets, valid, activity)
        c0, k0 = general(shape, "group", *args)
        c1, k1 = walk(shape, *args)
        assert int(c0) == int(c1)
        for name in ("taken", "busy", "trees", "group_cycles"):
            assert np.array_equal(np.asarray(k0[name]), np.asarray(k1[name])), name


@pytest.mark.parametrize("geom", [(1, 1, 1, 5), (3, 2, 7, 13), (4, 4, 9, 40)])
def test_single_lane_lookahead_gemm_matches_reference(geom, rng):
    # The designs gemm_activity_batch routes to the lookahead kernel (one lane, group sync,
    # window box(time=D)) against the pure-Python reference: every exploit, edge tiles, K of
    # 1 step, empty and full masks, a depth beyond K.
    from griffin_jax.sim import _gemm

    R, C, M, K = geom
    N = R + 1
    core = gj.Core(R, C, 1)
    designs = [
        gj.Design(core, e, gj.Window.box(time=D), "group")
        for e in ("A", "W", "AW")
        for D in (1, 4, 50)
    ]
    assert all(_gemm._lookahead(d) for d in designs)
    assert not _gemm._lookahead(gj.Design(core, "AW", gj.Window.box(time=2)))  # core sync
    masks = [
        (rng.random((M, K)) < 0.4, rng.random((K, N)) < 0.6),
        (np.zeros((M, K), bool), rng.random((K, N)) < 0.5),
        (np.ones((M, K), bool), np.ones((K, N), bool)),
    ]
    for a, w in masks:
        act = gj.gemm_activity_batch(designs, a, w)
        for i, d in enumerate(designs):
            ref = gj.reference_gemm(d, a, w)
            n = d.window.size + 1
            assert act.cycles[i] == ref["cycles"], d
            assert tuple(act.taken[i, :n]) == tuple(ref["taken"]), d
            assert act.busy_group_cycles[i] == ref["busy_group_cycles"], d
            assert tuple(act.tree_group_cycles[i, :n]) == tuple(ref["tree_group_cycles"]), d
            for field in ("group_cycles", "row_cycles", "col_cycles"):
                assert getattr(act, field)[i] == ref[field], (d, field)


@pytest.mark.parametrize("activity", [True, False])
def test_lookahead_kernel_on_edge_tiles(activity):
    # Explicit edges for the item walk: one step, every group empty, every group full, a lone
    # item on the last step, groups of every density; depths below, at and beyond T.
    from griffin_jax.sim._kernel import TileShape, tile_kernel_sync, tile_lookahead

    # Jitted once each (fixed shapes): eager loops would retrace per case.
    general = jax.jit(tile_kernel_sync, static_argnums=(0, 1, 6))
    walk = jax.jit(tile_lookahead, static_argnums=(0, 5))
    Tb, Q, W = 64, 5, 16
    shape = TileShape(blocks=1, groups=Q, lanes=1, depth_cap=16)
    for T in (1, 2, 7, 30):
        steps = (np.arange(Tb) < T)[:, None]
        full = np.broadcast_to(steps, (Tb, Q)).copy()
        last = np.zeros((Tb, Q), bool)
        last[T - 1] = True
        mixed = full.copy()
        mixed[:, 0] = False
        mixed[::3, 1] = False
        mixed[1::2, 2] = False
        for bits in (np.zeros((Tb, Q), bool), full, last, mixed):
            for D in (1, 3, 15):
                offsets = np.zeros((W, 3), np.int32)
                offsets[:D, 0] = np.minimum(np.arange(1, D + 1), T)
                valid = np.arange(W) < D
                args = (bits.astype(np.uint32)[:, :, None], np.int32(T), offsets, valid, activity)
                c0, k0 = general(shape, "group", *args)
                c1, k1 = walk(shape, *args)
                assert int(c0) == int(c1), (T, D)
                for name in ("taken", "busy", "trees", "group_cycles"):
                    assert np.array_equal(np.asarray(k0[name]), np.asarray(k1[name])), (T, D, name)


# The largest case (about a minute on the 2-core box) runs at full size only (GRIFFIN_SLOW=1).
@pytest.mark.slow
@pytest.mark.parametrize("geom", [(2, 3, 5, 1), (3, 2, 7, 13)] + [(2, 2, 40, 37)] * FULL)
def test_single_lane_lookahead_gemm_equals_general_kernel(geom, rng, monkeypatch):
    # The routed path (host item positions, several chunks, distinct units) against the general
    # kernel on the same designs: every counter, including K of one step, empty and full
    # operands, all-zero groups and a depth beyond K.
    from griffin_jax.sim import _gemm

    R, C, M, K = geom
    N = 2 * R + 1
    core = gj.Core(R, C, 1)
    designs = [
        gj.Design(core, e, gj.Window.box(time=D), "group")
        for e in ("A", "W", "AW")
        for D in (1, 3, 50)
    ]
    a_sparse = rng.random((M, K)) < 0.3
    a_sparse[: C + 1] = False  # whole groups (and a whole tile) without work
    masks = [
        (a_sparse, rng.random((K, N)) < 0.6),
        (np.zeros((M, K), bool), rng.random((K, N)) < 0.5),
        (np.ones((M, K), bool), np.ones((K, N), bool)),
    ]
    for i, (a, w) in enumerate(masks):
        monkeypatch.setattr(_gemm, "USE_LOOKAHEAD", False)
        general = gj.gemm_activity_batch(designs, a, w)
        monkeypatch.setattr(_gemm, "USE_LOOKAHEAD", True)
        # Several chunks on the mixed operands (results do not depend on the chunk).
        for chunk in (None, 2) if i == 0 else (None,):
            fast = gj.gemm_activity_batch(designs, a, w, chunk=chunk)
            assert_same_activity(fast, general, SCHEDULE_FIELDS)
