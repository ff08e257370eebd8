"""The baselines count like the search: random sampling, TPE, the whole space."""

import pytest

from griffin_jax.search import exhaustive, random_search, tpe_search
from tests.conftest import search_budget, search_tiny


def test_random_and_tpe_baselines_count_like_the_search():
    _, ev, _ = search_tiny()
    rnd = random_search(ev, "edp", 6, seed=0)
    assert rnd.n_exact == 6 and rnd.best is not None
    assert rnd.best_value == min(v for _, v in rnd.evaluated)
    b = search_budget()
    rnd = random_search(ev, "perf_under_area", 5, seed=1, area_budget_mm2=b)
    assert all(ev.area(p) <= b for p, _ in rnd.evaluated)
    pytest.importorskip("optuna")
    tpe = tpe_search(ev, "perf_under_area", 6, seed=0, area_budget_mm2=b)
    assert tpe.n_exact == 6 and all(ev.area(p) <= b for p, _ in tpe.evaluated)


def test_bad_baseline_arguments_raise():
    _, ev, _ = search_tiny()
    with pytest.raises(ValueError, match="n_evals"):
        random_search(ev, "edp", 0)
    with pytest.raises(ValueError, match="objective"):
        exhaustive(ev, "fast")
