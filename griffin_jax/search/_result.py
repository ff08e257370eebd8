"""What a search returns (``SearchResult``, ``HistoryRow``), built from its evaluator."""

from __future__ import annotations

import dataclasses

import numpy as np

from griffin_jax.search._evaluator import ExactEvaluator, exact_value, is_better
from griffin_jax.search._objective import MAXIMISE, Metrics
from griffin_jax.search._space import DesignPoint


@dataclasses.dataclass(frozen=True)
class HistoryRow:
    """One descent step: the incumbent iterate, its relaxed objective, its rounding and (at
    checkpoints) the rounding's exact objective (``nan`` elsewhere or when infeasible)."""

    step: int
    exploit: str
    theta: tuple
    relaxed: float
    design: str
    exact: float


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """Outcome of a search.

    ``best``: the best exactly evaluated feasible design (``None`` if none was feasible);
    ``best_value``: its exact objective in natural units (TOPS/W, pJ x ns, or speedup);
    ``n_exact``: distinct designs evaluated exactly; ``evaluated``: ``(point, exact value or
    None if infeasible)`` in evaluation order; ``history``: per descent step (gradient search
    only).
    """

    method: str
    objective: str
    maximise: bool
    area_budget_mm2: float | None
    best: DesignPoint | None
    best_value: float | None
    best_metrics: Metrics | None
    n_exact: int
    space_size: int
    evaluated: tuple
    history: tuple = ()
    seed: int | None = None

    @property
    def share_evaluated(self) -> float:
        return self.n_exact / self.space_size


def search_result(
    method, evaluator: ExactEvaluator, objective, budget, history=(), seed=None
) -> SearchResult:
    """The ``SearchResult`` of everything ``evaluator`` evaluated (its own count)."""
    best = best_v = best_m = None
    rows = []
    for p, m in evaluator.cache.items():
        v = exact_value(m, objective, budget)
        rows.append((p, v))
        if is_better(v, best_v, objective):
            best, best_v, best_m = p, v, m
    return SearchResult(
        method=method,
        objective=objective,
        maximise=MAXIMISE[objective],
        area_budget_mm2=budget,
        best=best,
        best_value=best_v,
        best_metrics=best_m,
        n_exact=evaluator.count,
        space_size=evaluator.space.size,
        evaluated=tuple(rows),
        history=tuple(history),
        seed=seed,
    )


def int_arg(name, value, low):
    """``value`` as an int >= ``low`` (``ValueError`` naming ``name`` otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)
