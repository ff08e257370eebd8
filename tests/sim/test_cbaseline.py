"""The speed-of-light C baseline (scripts/cbaseline.py) against the reference scheduler, exactly."""

from __future__ import annotations

import ctypes
import math
import os
import pathlib
import shutil
import sys

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.design._core import group_axis

if shutil.which(os.environ.get("CC", "cc")) is None:
    pytest.skip("no C compiler: the C baseline cannot be built", allow_module_level=True)

SCRIPTS = pathlib.Path(__file__).resolve().parents[2] / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))
import cbaseline  # noqa: E402

# Every lane count the packing treats specially (word edges) plus small odd ones.
LANES = (1, 2, 3, 5, 16, 31, 32, 33, 63, 64)


@pytest.fixture(scope="module", autouse=True)
def built():
    return cbaseline.build()


def _k_not_multiple(rng, lanes: int) -> int:
    """A reduction length that leaves the last step partial (any K when lanes == 1)."""
    T = int(rng.integers(1, 6))
    if lanes == 1:
        return T
    return (T - 1) * lanes + int(rng.integers(1, lanes))


def _window(rng, gen, lanes: int, sync: str, shape: str, core=None, exploit="AW") -> gj.Window:
    # A dense design takes no window and dg needs a neighbour on the dg axis (Design refuses
    # both).
    if exploit == "none":
        return gj.Window.empty()
    one_group = core is not None and group_axis(core, exploit) == 1
    max_dg = 0 if sync == "group" or one_group else 2
    return gj.Window.from_offsets(
        gen.random_offsets(rng, lanes, max_n=6, max_dt=3, max_dg=max_dg, shape=shape)
    )


def _assert_same(c: dict, ref: dict, what):
    assert c["cycles"] == ref["cycles"], what
    assert list(c["taken"]) == list(ref["taken"]), what
    assert c["busy"] == ref["busy_group_cycles"], what


def test_gemm_matches_reference_on_random_cases(rng, gen):
    n_cases = 0
    for i in range(200):
        lanes = LANES[i % len(LANES)]
        if i < 160:  # every exploit x sync x window shape
            exploit, sync = gj.EXPLOITS[i % 4], gj.SYNCS[(i // 4) % 2]
            shape = ("box", "L", "any")[(i // 8) % 3]
            core = gj.Core(int(rng.integers(1, 5)), int(rng.integers(1, 5)), lanes)
        else:  # AW with group offsets on cores with several DPU rows: rows must not leak
            exploit, sync, shape = "AW", "core", ("box", "any")[i % 2]
            core = gj.Core(int(rng.integers(2, 5)), int(rng.integers(2, 5)), lanes)
        M, N = int(rng.integers(1, 10)), int(rng.integers(1, 10))
        K = _k_not_multiple(rng, lanes)
        a = gen.random_mask(rng, (M, K))
        w = gen.random_mask(rng, (K, N))
        if i % 12 == 0:  # guaranteed empty and full masks, not only by chance
            a = np.zeros_like(a)
        elif i % 12 == 6:
            a, w = np.ones_like(a), np.ones_like(w)
        design = gj.Design(
            core, exploit, _window(rng, gen, lanes, sync, shape, core, exploit), sync
        )
        _assert_same(
            cbaseline.gemm_cycles(design, a, w),
            gj.reference_gemm(design, a, w),
            (design, a.shape, w.shape, i),
        )
        n_cases += 1
    assert n_cases >= 150


def test_group_offsets_stay_within_a_row_of_dpus():
    # AW on a 2 x 2 core: DPU (r, 1) must not borrow from DPU (r + 1, 0) with dg = +1, even though
    # they are neighbours in a flattened group index. Only step 1 has work, in column 0.
    design = gj.Design(gj.Core(2, 2, 4), "AW", gj.Window.from_offsets([(1, 0, 1)]))
    a = np.zeros((2, 8), bool)
    a[0, 4:] = True
    w = np.ones((8, 2), bool)
    out = cbaseline.gemm_cycles(design, a, w)
    assert out == {"cycles": 2, "taken": (8, 0), "busy": 2}
    _assert_same(out, gj.reference_gemm(design, a, w), design)


@pytest.mark.parametrize("exploit", ["A", "W"])
def test_tile_matches_reference_tile(rng, gen, exploit):
    # One tile whose pending work is an arbitrary [1, G, T, L] array: exploit A on a 1 x G core
    # reads it from a_mask, exploit W on a G x 1 core from w_mask (the other operand is dense).
    for i in range(40):
        lanes = LANES[i % len(LANES)]
        G, T = int(rng.integers(1, 5)), int(rng.integers(1, 6))
        pending = gen.random_mask(rng, (1, G, T, lanes))
        if i % 10 == 3:
            pending[:, :, T // 2 :] = False  # a tail of empty steps to skip
        sync = gj.SYNCS[i % 2]
        window = _window(rng, gen, lanes, sync, ("box", "L", "any")[i % 3])
        K = T * lanes
        if exploit == "A":
            core, a, w = gj.Core(1, G, lanes), pending[0].reshape(G, K), np.ones((K, 1), bool)
        else:
            core, a, w = gj.Core(G, 1, lanes), np.ones((1, K), bool), pending[0].reshape(G, K).T
        if G == 1 and window.has_group_offsets:  # no neighbour on the dg axis
            window = gj.Window.from_offsets([o for o in window.as_tuples() if o[2] == 0])
        design = gj.Design(core, exploit, window, sync)
        ref = gj.reference_tile(pending, window.as_tuples(), sync)
        _assert_same(cbaseline.gemm_cycles(design, a, w), ref, (design, pending.shape, i))


def test_spec_oracles_on_larger_layers(rng, gen):
    # Spec 3.5: no pending work -> ceil(T / (D+1)) per tile; the dense core and the empty window
    # -> T per tile; never more than T; never below the work / (G*L) bound.
    for lanes in (7, 16, 64):
        core = gj.Core(4, 4, lanes)
        M, N, K = 37, 21, 500
        T = math.ceil(K / lanes)
        tiles = math.ceil(M / 4) * math.ceil(N / 4)
        a = rng.random((M, K)) < 0.3
        w = rng.random((K, N)) < 0.6
        fixed = [(1, 0, 0), (2, 1, 0), (3, -1, 1)]
        for offsets in (fixed, gen.random_offsets(rng, lanes, max_dg=2)):
            win = gj.Window.from_offsets(offsets)
            D = win.depth
            empty = gj.Design(core, "AW", win)
            assert cbaseline.gemm_cycles(empty, np.zeros_like(a), w)["cycles"] == (
                tiles * math.ceil(T / (D + 1))
            )
            out = cbaseline.gemm_cycles(empty, a, w)
            work = int((a.astype(np.int64).sum(0) * w.astype(np.int64).sum(1)).sum())
            assert sum(out["taken"]) == work  # every pending product runs exactly once
            assert tiles * math.ceil(T / (D + 1)) <= out["cycles"] <= tiles * T
        for design in (
            gj.Design(core, "none"),
            gj.Design(core, "AW", gj.Window.empty()),
            gj.Design(core, "W", gj.Window.empty(), "group"),
        ):
            assert cbaseline.gemm_cycles(design, a, w)["cycles"] == tiles * T


def test_matches_simulate_gemm_batch_on_medium_layers(rng):
    M, N, K = 45, 30, 150
    a = rng.random((M, K)) < 0.45
    w = rng.random((K, N)) < 0.35
    # Four compile buckets (core, exploit, sync, window capacity), each with an edge worth
    # checking: group offsets, an L shape, decoupled groups, 33 lanes (two 32-bit limbs in JAX).
    small, wide = gj.Core(4, 4, 16), gj.Core(3, 2, 33)
    designs = [
        gj.Design(small, "AW", gj.Window.box(2, 1, 0)),
        gj.Design(small, "AW", gj.Window.box(1, 0, 1)),
        gj.Design(small, "AW", gj.Window.from_offsets([(1, 0), (2, 0), (1, -1), (1, 1), (1, 2)])),
        gj.Design(small, "W", gj.Window.box(3, 1, 0), "group"),
        gj.Design(wide, "AW", gj.Window.box(1, 1, 1)),
        gj.Design(wide, "AW", gj.Window.from_offsets([(1, 32, 1), (2, -32, -1), (3, 5, 0)])),
        gj.Design(wide, "A", gj.Window.box(2, 2, 1)),
    ]
    act = gj.gemm_activity_batch(designs, a, w)
    out = cbaseline.gemm_batch_timed(designs, a, w)
    np.testing.assert_array_equal(out["cycles"], act.cycles)
    np.testing.assert_array_equal(out["busy"], act.busy_group_cycles)
    for i, d in enumerate(designs):
        assert list(out["taken"][i]) == list(act.taken[i, : d.window.size + 1]), d
    np.testing.assert_array_equal(cbaseline.gemm_cycles_batch(designs, a, w), act.cycles)
    assert out["pack_s"] >= 0 and out["schedule_s"] > 0


def test_byte_mask_entry_point_packs_like_the_python_path(rng):
    # gc_gemm_cycles packs inside C; it must match the packed path used by gemm_cycles.
    lib = ctypes.CDLL(str(cbaseline.build()))
    lib.gc_gemm_cycles.restype = ctypes.c_int64
    a = rng.random((19, 77)) < 0.5
    w = rng.random((77, 11)) < 0.5
    design = gj.Design(gj.Core(3, 4, 10), "AW", gj.Window.box(2, 1, 1))
    offs = np.asarray(design.window.as_tuples(), np.int32)
    taken = np.zeros(len(offs) + 1, np.int64)
    busy = np.zeros(1, np.int64)
    au8, wu8 = a.astype(np.uint8), w.astype(np.uint8)
    ptr = lambda x: x.ctypes.data_as(ctypes.c_void_p)  # noqa: E731
    cycles = lib.gc_gemm_cycles(
        3, 0, 3, 4, 10, 19, 11, 77, ptr(au8), ptr(wu8), len(offs), ptr(offs), ptr(taken), ptr(busy)
    )
    want = cbaseline.gemm_cycles(design, a, w)
    assert cycles == want["cycles"]
    assert tuple(taken) == want["taken"] and busy[0] == want["busy"]


def test_c_rejects_bad_arguments():
    lib = ctypes.CDLL(str(cbaseline.build()))
    lib.gc_gemm_cycles_packed.restype = ctypes.c_int64
    ap = np.zeros((2, 2), np.uint64)
    ptr = lambda x: x.ctypes.data_as(ctypes.c_void_p)  # noqa: E731

    def call(exploit, sync, lanes, offsets):
        offs = np.asarray(offsets, np.int32).reshape(-1, 3)
        return lib.gc_gemm_cycles_packed(
            exploit, sync, 1, 1, lanes, 2, 2, 2, ptr(ap), ptr(ap), len(offs), ptr(offs), None, None
        )

    assert call(3, 0, 65, []) == -1  # lanes > 64
    assert call(4, 0, 2, []) == -2  # unknown exploit
    assert call(3, 2, 2, []) == -2  # unknown sync
    assert call(3, 0, 2, [(0, 0, 0)]) == -3  # dt < 1
    assert call(3, 0, 2, [(1, 2, 0)]) == -3  # |dl| >= lanes
    assert call(3, 1, 2, [(1, 0, 1)]) == -3  # dg with sync="group"
    assert call(3, 0, 2, [(1, 1, 0)]) >= 0


def test_python_wrapper_rejects_bad_masks():
    design = gj.Design(gj.Core(2, 2, 4), "AW", gj.Window.box(1, 1))
    with pytest.raises(ValueError, match="a_mask"):
        cbaseline.gemm_cycles(design, np.ones((3, 5), np.int8), np.ones((5, 2), bool))
    with pytest.raises(ValueError, match="w_mask"):
        cbaseline.gemm_cycles(design, np.ones((3, 5), bool), np.ones((5,), bool))
    with pytest.raises(ValueError, match="K="):
        cbaseline.gemm_cycles(design, np.ones((3, 5), bool), np.ones((6, 2), bool))
    with pytest.raises(ValueError, match="designs"):
        cbaseline.gemm_cycles_batch([], np.ones((3, 5), bool), np.ones((5, 2), bool))


def test_build_reuses_an_up_to_date_library(tmp_path):
    lib = cbaseline.build(tmp_path)
    assert lib.parent == tmp_path and lib.exists()
    stamp = lib.stat().st_mtime_ns
    assert cbaseline.build(tmp_path) == lib
    assert lib.stat().st_mtime_ns == stamp  # not rebuilt: the source is not newer
