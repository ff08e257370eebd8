"""Tile sampling: honest estimates with intervals; exact when the sample is the whole layer."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.sim._network import network_cycles, simulate_layers
from griffin_jax.sim._sampling import _stderr, estimate_gemm_cycles, sample_tiles

CORE = gj.Core(2, 2, 8)


def _designs():
    return [
        gj.Design(CORE, "AW", gj.Window.box(2, 1)),
        gj.Design(CORE, "A", gj.Window.box(1, 1)),
        gj.Design(CORE, "none"),
    ]


def test_whole_layer_sample_is_exact(rng):
    a, w = rng.random((20, 40)) < 0.5, rng.random((40, 6)) < 0.5  # 30 tiles <= min_tiles
    est = estimate_gemm_cycles(_designs(), a, w, fraction=0.05, min_tiles=32)
    exact = gj.gemm_activity_batch(_designs(), a, w)
    assert est.exact.all()
    assert np.array_equal(est.estimate, exact.cycles) and not est.stderr.any()
    assert "exact" in est.describe(0)


def test_estimate_is_unbiased_and_interval_covers(rng):
    a, w = rng.random((400, 64)) < 0.4, rng.random((64, 16)) < 0.5  # 1600 tiles
    exact = gj.simulate_gemm_batch(_designs()[:2], a, w)
    covered, errs = 0, []
    for seed in range(12):
        est = estimate_gemm_cycles(_designs()[:2], a, w, fraction=0.05, seed=seed)
        assert not est.exact.any() and (est.n_sampled == 80).all()
        assert "ESTIMATE" in est.describe(0) and "80 of 1600" in est.describe(0)
        covered += int(((est.ci_low <= exact) & (exact <= est.ci_high)).sum())
        errs.append((est.estimate - exact) / exact)
    # A 95% interval should cover the truth in most of 24 tries; the mean error is small.
    assert covered >= 18
    assert abs(np.mean(errs)) < 0.01


def test_bad_sampling_arguments(rng):
    a, w = rng.random((4, 8)) < 0.5, rng.random((8, 4)) < 0.5
    with pytest.raises(ValueError, match="fraction"):
        estimate_gemm_cycles(_designs(), a, w, fraction=0)
    with pytest.raises(ValueError, match="min_tiles"):
        estimate_gemm_cycles(_designs(), a, w, min_tiles=1)
    with pytest.raises(ValueError, match="confidence"):
        estimate_gemm_cycles(_designs(), a, w, confidence=1.5)


def test_network_totals_weight_layers_by_multiplicity(rng):
    layers = [
        ("l1", rng.random((9, 20)) < 0.5, rng.random((20, 5)) < 0.5, 3),
        ("l2", rng.random((5, 33)) < 0.3, rng.random((33, 4)) < 0.6, 1),
    ]
    seen = []
    res = simulate_layers(_designs(), iter(layers), progress=lambda i, n: seen.append(n))
    assert seen == ["l1", "l2"]
    tot = network_cycles(res)
    direct = sum(m * gj.simulate_gemm_batch(_designs(), a, w) for _, a, w, m in layers)
    assert tot.exact and np.array_equal(tot.cycles, direct)
    sampled = network_cycles(simulate_layers(_designs(), layers, sample=0.5))
    assert sampled.exact  # every layer has fewer tiles than min_tiles: evaluated whole
    assert np.allclose(sampled.cycles, direct)
    with pytest.raises(ValueError, match="multiplicity"):
        simulate_layers(_designs(), [("x", layers[0][1], layers[0][2], 0)])
    with pytest.raises(ValueError, match="layers\\[0\\]"):
        simulate_layers(_designs(), [("x", layers[0][1])])


def test_one_estimator_path(rng):
    # estimate_gemm_cycles is a view of gemm_activity_batch(sample=...): same cycles, stderr.
    a, w = rng.random((200, 40)) < 0.4, rng.random((40, 8)) < 0.5  # 400 tiles, 32 sampled
    designs = _designs()
    act = gj.gemm_activity_batch(designs, a, w, sample=0.05, seed=3)
    est = estimate_gemm_cycles(designs, a, w, fraction=0.05, seed=3)
    assert np.array_equal(est.estimate, act.cycles)
    assert np.array_equal(est.stderr, act.stderr)
    assert (act.stderr[:2] > 0).all() and act.stderr[2] == 0  # the dense core is exact
    assert (act.sampled_tiles[:2] == 32).all() and not act.exact[:2].any()
    assert not gj.gemm_activity_batch(designs, a, w).stderr.any()


def test_sample_tiles_draws_distinct_sorted_reproducible_tiles():
    ids = sample_tiles(CORE, 1000, 0.05, 32, 0)
    assert len(ids) == 50 and (np.diff(ids) > 0).all() and 0 <= ids[0] and ids[-1] < 1000
    assert np.array_equal(ids, sample_tiles(CORE, 1000, 0.05, 32, 0))
    assert not np.array_equal(ids, sample_tiles(CORE, 1000, 0.05, 32, 1))
    assert len(sample_tiles(CORE, 1000, 0.001, 32, 0)) == 32  # the min_tiles floor
    assert np.array_equal(sample_tiles(CORE, 20, 0.05, 32, 0), np.arange(20))  # whole layer


def test_stderr_is_the_finite_population_formula():
    cycles = np.array([[1, 3, 5, 7], [2, 2, 2, 2]])
    var = np.var([1, 3, 5, 7], ddof=1)
    assert np.allclose(_stderr(cycles, 10), [10 * np.sqrt((1 - 4 / 10) * var / 4), 0])
    assert not _stderr(cycles, 4).any()  # the whole population: exact
    assert not _stderr(cycles[:, :1], 10).any()  # one tile: no spread to estimate
