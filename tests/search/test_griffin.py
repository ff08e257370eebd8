"""Griffin's wiring search: its exact scores are the derivation's rule-3 score, its relaxation
is the fixed designs' at integer wirings, it keeps to its budget and bounds, and the
derivation can use it."""

import math

import jax.numpy as jnp
import numpy as np
import pytest

from griffin_jax import cost
from griffin_jax.design import Window, dense, griffin
from griffin_jax.search import GriffinSearch, Space, relax, search_griffin
from griffin_jax.search._griffin import _pair_value_grad
from griffin_jax.workloads import CATEGORIES, Workload
from tests.conftest import SEARCH_CORE

BOUNDS = dict(time_range=(1, 2), lane_range=(0, 1), group_range=(0, 1))


def _workloads():
    rng = np.random.default_rng(5)
    out = []
    for i, (da, dw) in enumerate(((0.5, 0.4), (0.3, 0.6))):
        a, w = rng.random((16, 40)) < da, rng.random((40, 8)) < dw
        out.append(Workload(f"wl{i}", [("l", a, w, 1 + i)]))
    return out


@pytest.fixture(scope="module")
def result() -> GriffinSearch:
    return search_griffin(
        _workloads(), SEARCH_CORE, steps=4, restarts=2, candidates=2, max_exact=5, **BOUNDS
    )


def test_exact_scores_are_the_derivations_balanced_score(result):
    wls = _workloads()
    for row in result.rows[:2]:
        g = griffin(SEARCH_CORE, Window.box(row["time"], row["lane"], row["group"]))
        logs = []
        for c in CATEGORIES:
            for wl in wls:
                r, d = cost.evaluate([g, dense(SEARCH_CORE)], c, wl)
                logs.append(math.log(r.tops_per_w / d.tops_per_w))
        assert row["score"] == pytest.approx(math.exp(sum(logs) / len(logs)), rel=1e-12)


def test_search_keeps_its_budget_bounds_and_reports_its_best(result):
    assert 1 <= result.n_exact <= 5 and len(result.rows) == result.n_exact
    assert result.space_size == 2 * 2 * 2
    labels = [r["wiring"] for r in result.rows]
    assert len(set(labels)) == len(labels)  # every wiring evaluated once
    for r in result.rows:
        assert 1 <= r["time"] <= 2 and 0 <= r["lane"] <= 1 and 0 <= r["group"] <= 1
        assert r["in_grid"] and math.isfinite(r["relaxed_score"]) and r["score"] > 0
    assert result.best_score == max(r["score"] for r in result.rows)
    assert result.best.label() in labels and result.best_in_grid


def test_relaxed_griffin_is_its_modes_fixed_designs_at_integer_wirings():
    # AW models run the wiring as an AW design on the same hardware: the pair's relaxed log
    # TOPS/W is the fixed AW design's
    wl = _workloads()[0]
    fitted = Workload(wl.name, tuple(wl.for_category("AW")), "AW")
    space = Space(core=SEARCH_CORE, exploits=("AW",), time=(1, 4), lane=(0, 1), group=(0, 1))
    rel = relax([fitted], space)
    for theta in ((1, 0, 0), (2, 1, 1)):
        t = jnp.asarray(theta, jnp.float32)
        got, grad = _pair_value_grad(
            rel.data,
            t[None],
            cat="AW",
            core=SEARCH_CORE,
            prices=rel.prices,
            maxima=(1, 1, 4),
            reuse=True,
        )
        m = rel.metrics("AW", t)
        assert float(got[0]) == pytest.approx(math.log(float(m.ops) / float(m.energy_pj)), 1e-6)
        assert np.isfinite(np.asarray(grad)).all()


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(steps=0), "steps"),
        (dict(lane_range=(0, 16)), "lane"),
        (dict(time_range=(0, 2)), "time"),
        (dict(max_exact=0), "max_exact"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    with pytest.raises(ValueError, match=match):
        search_griffin(_workloads(), SEARCH_CORE, **{**BOUNDS, **kwargs})


def test_the_derivation_adds_the_balanced_searchs_wiring():
    from griffin_jax.cost import load_tech
    from griffin_jax.study._derive import _search_wiring

    opts = {"objective": "balanced", "time": (1, 2), "lane": (0, 1), "group": (0, 1)}
    opts.update(steps=2, restarts=1)
    wired, summary = _search_wiring(_workloads(), SEARCH_CORE, load_tech("horowitz45"), opts, None)
    assert isinstance(wired, Window) and summary["objective"] == "balanced"
    assert summary["best"] == wired.label() and summary["n_exact"] >= 1
    with pytest.raises(ValueError, match="objective"):
        _search_wiring(_workloads(), SEARCH_CORE, load_tech("horowitz45"), {"objective": "x"}, None)
