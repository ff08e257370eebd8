"""Gradient-guided design search through a differentiable relaxation of the cost model.

    from griffin_jax import search
    from griffin_jax.workloads import load
    mix = [load("digits", "AW", variant="p75", n_images=2)]
    res = search.run_search(mix, objective="edp", seed=0)
    res.best.label, res.best_value, res.n_exact, res.space_size
    search.plot_history(res, "search.png")

Pieces: ``Space`` / ``DesignPoint`` (the discrete space, bounds, rounding), ``relax`` (the
differentiable surrogate), ``run_search`` (projected optax descent, restarts, rounding and exact
re-evaluation), baselines ``random_search`` / ``tpe_search`` / ``exhaustive`` over one counting
``ExactEvaluator``, ``plot_history``, and ``search_griffin`` (Griffin's wiring, objective over the
four categories). A second ``run_search`` in one process compiles
nothing new and reuses the mix's relaxation and exact results (kept by value). See
``docs/search.md`` for the evidence.
"""

from griffin_jax.search._baselines import exhaustive, random_search, tpe_search
from griffin_jax.search._evaluator import (
    ExactEvaluator,
    exact_metrics,
    exact_value,
    rank_correlation,
    relative_gap,
)
from griffin_jax.search._gradient import run_search
from griffin_jax.search._griffin import GriffinSearch, search_griffin
from griffin_jax.search._objective import (
    AREA_PENALTY,
    MAXIMISE,
    OBJECTIVES,
    Metrics,
    relaxed_loss,
)
from griffin_jax.search._plots import plot_history
from griffin_jax.search._relax import Relaxation, relax, relaxed_area
from griffin_jax.search._result import HistoryRow, SearchResult
from griffin_jax.search._space import SEARCH_RANGE, DesignPoint, Space
from griffin_jax.search._tiles import check_workloads

__all__ = [
    "AREA_PENALTY",
    "MAXIMISE",
    "OBJECTIVES",
    "DesignPoint",
    "ExactEvaluator",
    "GriffinSearch",
    "HistoryRow",
    "Metrics",
    "Relaxation",
    "SearchResult",
    "SEARCH_RANGE",
    "Space",
    "check_workloads",
    "exact_metrics",
    "exact_value",
    "exhaustive",
    "plot_history",
    "random_search",
    "rank_correlation",
    "relax",
    "relative_gap",
    "relaxed_area",
    "relaxed_loss",
    "run_search",
    "search_griffin",
    "tpe_search",
]
