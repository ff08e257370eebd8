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
    other = [gj.Design(CORE, "AW", gj.Window.from_offsets(o)) for o in
             ([(3, 1, 1), (1, -2, -1)], [(4, 0, 0)])]
    a2, w2 = rng.random((11, 37)) < 0.3, rng.random((37, 5)) < 0.7  # same tile/step buckets
    gj.simulate_gemm_batch(other, a2, w2)
    assert _gemm.TRACE_COUNT["gemm"] == before
    # A different exploit is a different program, and so is a group pad of 0 (no dg != 0).
    gj.simulate_gemm_batch([gj.Design(CORE, "A", gj.Window.box(1))] * 2, a, w)
    assert _gemm.TRACE_COUNT["gemm"] == before + 1
    gj.simulate_gemm_batch([gj.Design(CORE, "AW", gj.Window.box(2, 1))], a, w)
    assert _gemm.TRACE_COUNT["gemm"] == before + 2


def test_totals_are_int64_and_chunking_is_exact(rng):
    a, w = rng.random((30, 33)) < 0.5, rng.random((33, 9)) < 0.5
    designs = [gj.Design(CORE, "AW", gj.Window.box(2, 1)), gj.Design(CORE, "W"),
               gj.Design(CORE, "none")]
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
            designs.append(gj.Design(core, exploit, gj.Window.box(2, 1, 0 if sync == "group" else 1),
                                     sync))
            designs.append(gj.Design(core, exploit, gj.Window.box(3, 0, 0), sync))
    a, w = rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.5
    by_map = gj.gemm_activity_batch(designs, a, w, strategy="map")
    by_vmap = gj.gemm_activity_batch(designs, a, w, strategy="vmap")
    for field in ("cycles", "taken", "busy_group_cycles", "tree_group_cycles", "group_cycles",
                  "row_cycles", "col_cycles"):
        assert np.array_equal(getattr(by_map, field), getattr(by_vmap, field)), field
