"""The exact evaluator: distinct-design counting, the space check, exact values and their
comparison, and the exact scheduler's programs shared by every design of an exploit."""

import math

import pytest

from griffin_jax import cost
from griffin_jax.search import DesignPoint, exact_metrics, exact_value, relative_gap
from griffin_jax.search._evaluator import EXACT_CHUNK, _chunks, is_better
from griffin_jax.search._tiles import check_workloads
from griffin_jax.sim import _gemm
from tests.conftest import search_space, search_tiny

SPACE = search_space()


def test_counts_are_distinct_designs():
    _, ev, _ = search_tiny()
    fresh = ev.fresh()
    fresh([DesignPoint("none"), DesignPoint("none"), DesignPoint("A", 1, 0, 0)])
    assert fresh.count == 2


def test_a_point_outside_the_space_raises():
    _, ev, _ = search_tiny()
    with pytest.raises(ValueError, match="not in the space"):
        ev([DesignPoint("A", 9, 0, 0)])


def test_exact_values_compare_by_the_objective_direction():
    _, ev, _ = search_tiny()
    m = ev([DesignPoint("none")])[0]
    assert exact_value(m, "edp") == pytest.approx(m.energy_pj * m.cycles / m.clock_ghz)
    assert exact_value(m, "perf_under_area", 0.5 * m.area_mm2) is None  # over the budget
    assert is_better(2.0, 1.0, "tops_per_w") and is_better(1.0, 2.0, "edp")
    assert is_better(1.0, None, "edp") and not is_better(None, 1.0, "edp")
    assert relative_gap(90.0, 100.0, "tops_per_w") == pytest.approx(0.1)
    assert relative_gap(110.0, 100.0, "edp") == pytest.approx(0.1)
    assert relative_gap(None, 100.0, "edp") == math.inf


def test_batches_split_into_two_design_counts_only():
    idx = list(range(2 * EXACT_CHUNK + 3))
    chunks = _chunks(idx)
    assert sorted({len(c) for c in chunks}) == [1, EXACT_CHUNK]
    assert [i for c in chunks for i in c] == idx


def test_new_designs_of_an_exploit_compile_nothing_and_match_the_cost_model():
    mix, _, _ = search_tiny()
    wls = check_workloads(mix)
    exact_metrics([DesignPoint("AW", 1, 0, 0)], wls, SPACE)
    before = _gemm.TRACE_COUNT["gemm"]
    # other window buckets (offset capacity, depth, group reach): the space's largest window
    # sizes every program, so they run on the one already compiled
    others = [DesignPoint("AW", 3, 1, 1), DesignPoint("AW", 2, 1, 0)]
    got = exact_metrics(others, wls, SPACE)
    assert _gemm.TRACE_COUNT["gemm"] == before
    for p, m in zip(others, got):
        acc = p.accelerator(SPACE.core)
        reps = [(wl.weight, cost.evaluate([acc], wl.category, wl)[0]) for wl in wls]
        assert m.energy_pj == pytest.approx(sum(w * r.energy_pj for w, r in reps), rel=1e-12)
        assert m.cycles == pytest.approx(sum(w * r.cycles for w, r in reps), rel=1e-12)


def test_scheduler_options_reach_every_exact_evaluation():
    from griffin_jax.search import ExactEvaluator
    from griffin_jax.sim import SimOptions

    mix, ev, _ = search_tiny()
    pts = [DesignPoint("AW", 2, 1, 0), DesignPoint("A", 1, 1, 0)]
    # a layout option changes nothing; a tile sample is an estimate, and it reaches the scheduler
    laid_out = ExactEvaluator(mix, SPACE, sim=SimOptions(chunk=3))
    sampled = ExactEvaluator(mix, SPACE, sim=SimOptions(sample=0.25, min_tiles=2))
    assert laid_out.fresh().sim == SimOptions(chunk=3)
    for a, b in zip(laid_out(pts), ev(pts)):
        assert a.energy_pj == pytest.approx(b.energy_pj, rel=1e-12)
        assert a.cycles == pytest.approx(b.cycles, rel=1e-12)
    opts = SimOptions(sample=0.25, min_tiles=2)
    direct = exact_metrics(pts, check_workloads(mix), SPACE, sim=opts)
    assert sampled(pts) == direct
    assert any(s.energy_pj != b.energy_pj for s, b in zip(direct, ev(pts)))
    with pytest.raises(ValueError, match="sim must be a SimOptions"):
        ExactEvaluator(mix, SPACE, sim={"sample": 0.5})
