"""GEMM-level API (sim/_gemm.py): bad input, exact int64 totals, tiling edge cases, option
checks. Buckets and chunking: test_program.py; distinct tiles: test_units.py."""

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
