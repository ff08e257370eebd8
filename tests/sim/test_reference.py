"""The reference scheduler validates its inputs like the fast path (``sim/_reference``)."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.sim import simulate_gemm
from griffin_jax.sim._reference import reference_gemm, reference_tile

CORE = gj.Core(4, 4, 8)
DESIGN = gj.Design(CORE, "AW", gj.Window.box(2, 1))
A, W = np.ones((6, 16), bool), np.ones((16, 5), bool)


@pytest.mark.parametrize(
    "a, w, match",
    [
        (A.astype(int), W, "a_mask must be a bool array"),
        (A, W.astype(float), "w_mask must be a bool array"),
        (A[0], W, "a_mask must be 2-D"),
        (A[:, :0], W[:0], "non-zero sizes"),
        (A, W[:8], r"a_mask is \[M, K=16\] but w_mask is \[K=8, N\]"),
    ],
)
def test_reference_gemm_refuses_what_simulate_gemm_refuses(a, w, match):
    with pytest.raises(ValueError, match=match):
        simulate_gemm(DESIGN, a, w)
    with pytest.raises(ValueError, match=match):
        reference_gemm(DESIGN, a, w)
    with pytest.raises(ValueError, match="design must be a Design"):
        reference_gemm("AW", A, W)


@pytest.mark.parametrize(
    "pending, offsets, sync, match",
    [
        (np.ones((1, 1, 2, 4), int), [(1, 0, 0)], "core", "bool array"),
        (np.ones((1, 2, 4), bool), [(1, 0, 0)], "core", r"\[P, G, T, L\]"),
        (np.ones((1, 1, 0, 4), bool), [(1, 0, 0)], "core", "non-zero sizes"),
        (np.ones((1, 1, 2, 65), bool), [(1, 0, 0)], "core", "at most 64"),
        (np.ones((1, 1, 2, 4), bool), [(1, 4, 0)], "core", "dl"),
        (np.ones((1, 2, 2, 4), bool), [(1, 0, 1)], "group", "group"),
        (np.ones((1, 1, 2, 4), bool), "1,0,0", "core", "offsets must be"),
        (np.ones((1, 1, 2, 4), bool), [(1, 0, 0)], "lane", "sync must be"),
    ],
)
def test_reference_tile_validates_like_the_fast_path(pending, offsets, sync, match):
    with pytest.raises(ValueError, match=match):
        reference_tile(pending, offsets, sync)


def test_valid_inputs_still_agree_with_the_fast_path(rng):
    a, w = rng.random((6, 16)) < 0.5, rng.random((16, 5)) < 0.5
    fast = simulate_gemm(DESIGN, a, w)
    assert int(fast.cycles) == reference_gemm(DESIGN, a, w)["cycles"]
