"""GEMM-level API: bad input, compile reuse, exact int64 totals, tiling edge cases."""

import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.sim import _gemm

CORE = gj.Core(2, 2, 4)
DESIGN = gj.Design(CORE, "AW", gj.Window.box(1, 1))


@pytest.mark.parametrize(
    "a, w, field",
    [
        (np.ones((3, 4), np.int8), np.ones((4, 2), bool), "a_mask must be a bool"),
        (np.ones((3, 4), bool), np.ones((4, 2), np.float32), "w_mask must be a bool"),
        (np.ones((3, 4, 1), bool), np.ones((4, 2), bool), "a_mask must be 2-D"),
        (np.ones((3, 4), bool), np.ones((4,), bool), "w_mask must be 2-D"),
        (np.ones((0, 4), bool), np.ones((4, 2), bool), "a_mask must have non-zero"),
        (np.ones((3, 0), bool), np.ones((0, 2), bool), "a_mask must have non-zero"),
        (np.ones((3, 4), bool), np.ones((5, 2), bool), "a_mask is"),
    ],
)
def test_bad_masks(a, w, field):
    with pytest.raises(ValueError, match=field):
        gj.simulate_gemm(DESIGN, a, w)
    with pytest.raises(ValueError, match=field):
        gj.simulate_gemm_batch([DESIGN], a, w)


def test_bad_designs_and_chunk():
    a, w = np.ones((3, 4), bool), np.ones((4, 2), bool)
    with pytest.raises(ValueError, match="design must be a Design"):
        gj.simulate_gemm("AW", a, w)
    with pytest.raises(ValueError, match="designs must be a non-empty"):
        gj.simulate_gemm_batch([], a, w)
    with pytest.raises(ValueError, match=r"designs\[1\]"):
        gj.simulate_gemm_batch([DESIGN, None], a, w)
    with pytest.raises(ValueError, match="chunk"):
        gj.simulate_gemm_batch([DESIGN], a, w, chunk=0)


@pytest.mark.parametrize(
    "pending, window, sync, field",
    [
        (np.ones((2, 3, 4), np.uint8), gj.Window.box(1), "core", "pending must be a bool"),
        (np.ones((3, 4), bool), gj.Window.box(1), "core", r"pending must be \[G, T, L\]"),
        (np.ones((2, 0, 4), bool), gj.Window.box(1), "core", "non-zero"),
        (np.ones((2, 3, 65), bool), gj.Window.box(1), "core", "64"),
        (np.ones((2, 3, 4), bool), [(1, 0, 0)], "core", "window must be a Window"),
        (np.ones((2, 3, 4), bool), gj.Window.box(1), "both", "sync"),
        (np.ones((2, 3, 4), bool), gj.Window.box(1, 4), "core", "lanes"),
        (np.ones((2, 3, 4), bool), gj.Window.box(1, 0, 1), "group", "sync='group'"),
    ],
)
def test_tile_cycles_bad_input(pending, window, sync, field):
    with pytest.raises(ValueError, match=field):
        gj.tile_cycles(pending, window, sync)


def test_one_compile_serves_a_bucket(rng):
    a, w = rng.random((12, 40)) < 0.5, rng.random((40, 6)) < 0.5
    # Buckets: window capacity, depth cap (1..4) and group pad (largest |dg| = 1).
    first = [gj.Design(CORE, "AW", gj.Window.box(t, l, g)) for t, l, g in ((1, 0, 1), (2, 1, 0))]
    gj.simulate_gemm_batch(first, a, w)
    before = _gemm.TRACE_COUNT["gemm"]
    other = [
        gj.Design(CORE, "AW", gj.Window.from_offsets(o))
        for o in ([(3, 1, 1), (1, -2, -1)], [(4, 0, 0)])
    ]
    a2, w2 = rng.random((11, 37)) < 0.3, rng.random((37, 5)) < 0.7  # same tile/step buckets
    gj.simulate_gemm_batch(other, a2, w2)
    assert _gemm.TRACE_COUNT["gemm"] == before
    # A different exploit is a different program, and so is a group pad of 0 (no dg != 0).
    gj.simulate_gemm_batch([gj.Design(CORE, "A", gj.Window.box(1))] * 2, a, w)
    assert _gemm.TRACE_COUNT["gemm"] == before + 1
    gj.simulate_gemm_batch([gj.Design(CORE, "AW", gj.Window.box(2, 1))], a, w)
    assert _gemm.TRACE_COUNT["gemm"] == before + 2


def test_bucket_windows_fix_the_program_and_keep_results(rng):
    a, w = rng.random((12, 40)) < 0.5, rng.random((40, 6)) < 0.5
    designs = [gj.Design(CORE, "AW", gj.Window.box(1)), gj.Design(CORE, "AW", gj.Window.box(3, 1))]
    want = gj.gemm_activity_batch(designs, a, w)
    big = [gj.Window.box(4, 1, 1)]  # more offsets, deeper, and group reach: a wider bucket
    got = [gj.gemm_activity_batch([d], a, w, bucket_windows=big) for d in designs[:1]]
    before = _gemm.TRACE_COUNT["gemm"]
    got.append(gj.gemm_activity_batch(designs[1:], a, w, bucket_windows=big))
    assert _gemm.TRACE_COUNT["gemm"] == before  # the second window ran on the first's program
    for i, act in enumerate(got):
        for field in ("cycles", "busy_group_cycles", "row_cycles", "col_cycles", "group_cycles"):
            assert getattr(act, field)[0] == getattr(want, field)[i], field
        n = designs[i].window.size + 1
        assert np.array_equal(act.taken[0, :n], want.taken[i, :n])
        assert np.array_equal(act.tree_group_cycles[0, :n], want.tree_group_cycles[i, :n])
    with pytest.raises(ValueError, match="bucket_windows"):
        gj.gemm_activity_batch(designs, a, w, bucket_windows=[(1, 0, 0)])


def test_totals_are_int64_and_chunking_is_exact(rng):
    a, w = rng.random((30, 33)) < 0.5, rng.random((33, 9)) < 0.5
    designs = [
        gj.Design(CORE, "AW", gj.Window.box(2, 1)),
        gj.Design(CORE, "W"),
        gj.Design(CORE, "none"),
    ]
    whole = gj.gemm_activity_batch(designs, a, w)
    assert whole.cycles.dtype == np.int64 and whole.taken.dtype == np.int64
    for chunk in (1, 8):  # many chunks, a ragged last one
        part = gj.gemm_activity_batch(designs, a, w, chunk=chunk)
        assert (part.cycles == whole.cycles).all()
        assert (part.taken == whole.taken).all()
        assert (part.busy_group_cycles == whole.busy_group_cycles).all()


def test_chunk_cap_keeps_int32_partial_sums_safe():
    assert _gemm.chunk_for(64, 1024, 512) == 512
    big = _gemm.chunk_for(1000, 64 * 64 * 16, 512)
    assert big * 1000 * 64 * 64 * 16 < 2**31 <= 2 * big * 1000 * 64 * 64 * 16
    assert _gemm.chunk_for(10, 10, 100) == 64  # a power of two
    with pytest.raises(ValueError, match="overflow"):
        _gemm.chunk_for(2**20, 2**12, 4)


def test_dense_totals_beyond_int32():
    # 2**24 tiles x 2**12 steps: the dense count is far beyond int32 and must stay exact.
    core = gj.Core(1, 1, 1)
    M, N, K = 2**12, 2**12, 2**12
    a = np.lib.stride_tricks.as_strided(np.ones(1, bool), (M, K), (0, 0))
    w = np.lib.stride_tricks.as_strided(np.ones(1, bool), (K, N), (0, 0))
    r = gj.simulate_gemm(gj.Design(core, "none"), a, w)
    assert r.cycles == r.dense_cycles == M * N * K > 2**31
    assert isinstance(r.cycles, int)


def test_tiling_counts_and_padding():
    core = gj.Core(3, 4, 5)
    a = np.ones((9, 11), bool)  # 9 rows -> 3 column tiles (last padded)
    w = np.ones((11, 7), bool)  # 7 cols -> 3 row tiles (last padded)
    r = gj.simulate_gemm(gj.Design(core, "A", gj.Window.box(1, 1)), a, w)
    assert r.tiles == math.ceil(9 / 4) * math.ceil(7 / 3)
    assert r.dense_cycles == r.tiles * math.ceil(11 / 5)
    # Full activations: A cannot skip anything even though edge tiles are padded.
    assert r.cycles == r.dense_cycles


def test_speedup_property(rng):
    a, w = rng.random((8, 64)) < 0.3, rng.random((64, 4)) < 0.3
    r = gj.simulate_gemm(gj.Design(CORE, "AW", gj.Window.box(2, 1)), a, w)
    assert r.speedup == r.dense_cycles / r.cycles > 1


@pytest.mark.parametrize("geom", [(2, 3, 5, 9, 5, 23), (2, 2, 33, 5, 4, 70)])
def test_vmap_strategy_matches_map(geom, rng):
    # "vmap" (designs side by side: the accelerator default) batches the window offsets, so the
    # kernel's slices become gathers and scatters; it runs here on CPU against "map".
    R, C, L, M, N, K = geom
    core = gj.Core(R, C, L)
    designs = [gj.Design(core, "none")]
    for exploit in ("A", "W", "AW"):
        for sync in ("core", "group"):
            designs.append(
                gj.Design(core, exploit, gj.Window.box(2, 1, 0 if sync == "group" else 1), sync)
            )
            designs.append(gj.Design(core, exploit, gj.Window.box(3, 0, 0), sync))
    a, w = rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.5
    by_map = gj.gemm_activity_batch(designs, a, w, strategy="map")
    by_vmap = gj.gemm_activity_batch(designs, a, w, strategy="vmap")
    for field in (
        "cycles",
        "taken",
        "busy_group_cycles",
        "tree_group_cycles",
        "group_cycles",
        "row_cycles",
        "col_cycles",
    ):
        assert np.array_equal(getattr(by_map, field), getattr(by_vmap, field)), field


FIELDS = (
    "cycles",
    "dense_cycles",
    "taken",
    "busy_group_cycles",
    "tree_group_cycles",
    "group_cycles",
    "row_cycles",
    "col_cycles",
    "work",
    "tiles",
)


def _assert_same(x, y):
    for field in FIELDS:
        assert np.array_equal(getattr(x, field), getattr(y, field)), field


def _structured_masks(rng, M, K, N):
    """Operands whose tiles repeat: dense, one repeated pixel tile, repeated channel tiles."""
    tile_a = rng.random((2, K)) < 0.4
    tile_w = rng.random((K, 3)) < 0.4
    return [
        (np.ones((M, K), bool), rng.random((K, N)) < 0.5),  # dense activations (W category)
        (rng.random((M, K)) < 0.5, np.ones((K, N), bool)),  # dense weights (A category)
        (np.tile(tile_a, (-(-M // 2), 1))[:M], np.tile(tile_w, (1, -(-N // 3)))[:, :N]),
        (rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.5),  # random: all tiles distinct
        (np.zeros((M, K), bool), rng.random((K, N)) < 0.5),  # no work at all
    ]


@pytest.mark.parametrize(
    "geom", [(3, 2, 5, 11, 7, 23), (2, 3, 8, 13, 9, 40)], ids=lambda g: "x".join(map(str, g))
)
def test_distinct_tiles_equal_every_tile_and_reference(geom, rng, gen):
    # Edge tiles in both directions (M % C, N % R != 0): a padded edge tile can share its
    # pending array with a real one, yet row_cycles / col_cycles must still count real DPUs.
    R, C, L, M, N, K = geom
    core = gj.Core(R, C, L)
    designs = [gj.Design(core, "none")]
    for exploit in ("A", "W", "AW"):
        for sync in ("core", "group"):
            offs = gen.random_offsets(rng, L, max_dg=0 if sync == "group" else 1)
            designs.append(gj.Design(core, exploit, gj.Window.from_offsets(offs), sync))
            designs.append(gj.Design(core, exploit, gj.Window.box(2, 1, 0), sync))
    for a, w in _structured_masks(rng, M, K, N):
        fast = gj.gemm_activity_batch(designs, a, w)
        every = gj.gemm_activity_batch(designs, a, w, _distinct=False)
        _assert_same(fast, every)
        for i, d in enumerate(designs):
            ref = gj.reference_gemm(d, a, w)
            assert fast.cycles[i] == ref["cycles"], d
            if d.exploit != "none":
                n = d.window.size + 1
                assert tuple(fast.taken[i, :n]) == tuple(ref["taken"]), d
                assert fast.busy_group_cycles[i] == ref["busy_group_cycles"], d
                assert tuple(fast.tree_group_cycles[i, :n]) == tuple(ref["tree_group_cycles"])
                assert fast.group_cycles[i] == ref["group_cycles"], d
                assert fast.row_cycles[i] == ref["row_cycles"], d
                assert fast.col_cycles[i] == ref["col_cycles"], d


def test_distinct_units_follow_distinct_operand_tiles(rng):
    core = gj.Core(2, 2, 4)
    a, w = rng.random((40, 12)) < 0.5, rng.random((12, 6)) < 0.5  # 20 pixel x 3 channel tiles
    a_dense = np.ones_like(a)

    def units(exploit, a_mask):
        return _gemm._evaluate_group(
            [gj.Design(core, exploit, gj.Window.box(1, 1))], a_mask, w, None
        )["units"]

    assert units("W", a) == 3  # one W schedule per channel tile, whatever the pixel tiles
    assert units("A", a) == 20  # one A schedule per (random, distinct) pixel tile
    assert units("A", a_dense) == 1  # every pixel tile identical
    assert units("AW", a) == 60
    assert units("AW", a_dense) == 3  # dense activations: one AW schedule per channel tile
    a_blank = a.copy()
    a_blank[:10] = False  # 5 blank pixel tiles: their 15 AW tiles have no work at all
    assert units("AW", a_blank) == 15 * 3 + 1


def test_large_classes_are_split_exactly(rng, monkeypatch):
    # A class of many identical tiles is split so int32 per-chunk sums stay safe; a tiny
    # limit forces the split and the totals must not move.
    core = gj.Core(2, 2, 4)
    a, w = np.ones((30, 13), bool), rng.random((13, 5)) < 0.5
    designs = [gj.Design(core, e, gj.Window.box(2, 1)) for e in ("A", "W", "AW")]
    whole = gj.gemm_activity_batch(designs, a, w)
    monkeypatch.setattr(_gemm, "MAX_CHUNK_TILES", 4)
    split = gj.gemm_activity_batch(designs, a, w)
    _assert_same(whole, split)
    units = _gemm._evaluate_group(designs[:1], a, w, None)["units"]
    assert units > 1  # 15 identical pixel tiles no longer fit one unit


def test_huge_window_depth_is_bounded(rng):
    # dt = 10**6 used to allocate a buffer of 2**20 rows per tile; depth is clamped to T.
    core = gj.Core(2, 2, 4)
    a, w = rng.random((5, 19)) < 0.5, rng.random((19, 3)) < 0.5
    win = gj.Window.from_offsets([(1, 1, 0), (10**6, 0, 0), (3, -1, 1), (10**6 + 1, 1, 1)])
    for exploit in ("A", "W", "AW"):
        d = gj.Design(core, exploit, win)
        act = gj.gemm_activity_batch([d], a, w)
        ref = gj.reference_gemm(d, a, w)
        assert act.cycles[0] == ref["cycles"]
        assert tuple(act.taken[0, :5]) == tuple(ref["taken"])
        assert tuple(act.tree_group_cycles[0, :5]) == tuple(ref["tree_group_cycles"])
    pending = rng.random((3, 6, 4)) < 0.3
    deep = gj.Window.from_offsets([(10**6, 0, 0), (1, 1, 0)])
    assert (
        gj.tile_cycles(pending, deep)
        == gj.reference_tile(pending[None], deep.as_tuples())["cycles"]
    )


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"strategy": "pmap"}, "strategy"),
        ({"chunk": 2.0}, "chunk"),
        ({"chunk": True}, "chunk"),
        ({"devices": ["cpu"]}, r"devices\[0\]"),
        ({"devices": []}, "devices"),
        ({"min_tiles": 1}, "min_tiles"),
        ({"min_tiles": 2.5}, "min_tiles"),
        ({"seed": -1}, "seed"),
        ({"activity": 1}, "activity"),
        ({"sample": 0}, "sample"),
        ({"sample": True}, "sample"),
    ],
)
def test_scheduler_options_are_checked_by_name(kw, field):
    a, w = np.ones((3, 4), bool), np.ones((4, 2), bool)
    with pytest.raises(ValueError, match=field):
        gj.gemm_activity_batch([DESIGN], a, w, **kw)
    est_kw = {("fraction" if k == "sample" else k): v for k, v in kw.items() if k != "activity"}
    if est_kw:
        # The estimator is a view of the same path: the same checks, the same words.
        with pytest.raises(ValueError, match="fraction" if "sample" in kw else field):
            gj.estimate_gemm_cycles([DESIGN], a, w, **est_kw)


def test_a_bare_design_where_a_list_is_expected_is_refused():
    a, w = np.ones((3, 4), bool), np.ones((4, 2), bool)
    for fn in (gj.gemm_activity_batch, gj.simulate_gemm_batch, gj.estimate_gemm_cycles):
        with pytest.raises(ValueError, match="designs must be a sequence of Design"):
            fn(DESIGN, a, w)
