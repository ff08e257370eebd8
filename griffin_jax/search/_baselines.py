"""Baselines a search is compared with, counted through the same ``ExactEvaluator``: uniform
random sampling, Optuna's TPE (optional), and the whole space."""

from __future__ import annotations

import numpy as np

from griffin_jax.search._evaluator import ExactEvaluator, feasible
from griffin_jax.search._objective import MAXIMISE, check_objective
from griffin_jax.search._result import SearchResult, int_arg, search_result
from griffin_jax.search._space import DesignPoint


def random_search(
    evaluator: ExactEvaluator,
    objective: str,
    n_evals: int,
    seed: int = 0,
    area_budget_mm2: float | None = None,
) -> SearchResult:
    """Best of ``n_evals`` distinct designs drawn uniformly from the space (designs over the
    area budget are never drawn: area is free, as in the gradient search)."""
    check_objective(objective, area_budget_mm2)
    n_evals = int_arg("n_evals", n_evals, 1)
    ev = evaluator.fresh()
    pool = [p for p in ev.space.points() if feasible(ev, p, objective, area_budget_mm2)]
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(pool), size=min(n_evals, len(pool)), replace=False)
    ev([pool[i] for i in pick])
    return search_result("random", ev, objective, area_budget_mm2, seed=seed)


def tpe_search(
    evaluator: ExactEvaluator,
    objective: str,
    n_evals: int,
    seed: int = 0,
    area_budget_mm2: float | None = None,
    max_trials: int | None = None,
) -> SearchResult:
    """Optuna's TPE sampler until ``n_evals`` distinct designs were evaluated exactly (repeated
    proposals are answered from the cache; designs over the area budget are answered with a
    penalty without an exact evaluation). Needs the optional ``optuna`` package (extra
    ``search``)."""
    check_objective(objective, area_budget_mm2)
    n_evals = int_arg("n_evals", n_evals, 1)
    try:
        import optuna
    except ImportError as e:
        raise ImportError("tpe_search needs optuna: pip install 'griffin_jax[search]'") from e
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    max_trials = 20 * n_evals if max_trials is None else int_arg("max_trials", max_trials, 1)
    ev = evaluator.fresh()
    space = ev.space
    sign = -1.0 if MAXIMISE[objective] else 1.0
    worst = {"v": None}

    def point_of(trial):
        e = trial.suggest_categorical("exploit", list(space.exploits))
        t = trial.suggest_int("time", *space.time)
        l = trial.suggest_int("lane", *space.lane)
        g = trial.suggest_int("group", *space.group)
        if e == "none":
            return DesignPoint("none")
        lo, hi = space.bounds(e)
        return space.canonical(e, t, l, int(min(max(g, lo[2]), hi[2])))

    def target(trial):
        p = point_of(trial)
        if not feasible(ev, p, objective, area_budget_mm2):
            # worse than anything feasible seen so far, and no exact evaluation spent
            return 0.0 if worst["v"] is None else worst["v"] + abs(worst["v"]) + 1.0
        v = sign * float(ev([p])[0].value(objective))
        worst["v"] = v if worst["v"] is None else max(worst["v"], v)
        return v

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    for _ in range(max_trials):
        if ev.count >= min(n_evals, space.size):
            break
        study.optimize(target, n_trials=1)
    return search_result("tpe", ev, objective, area_budget_mm2, seed=seed)


def exhaustive(
    evaluator: ExactEvaluator, objective: str, area_budget_mm2: float | None = None
) -> SearchResult:
    """Evaluate every design of the space exactly; the optimum is ``best``."""
    check_objective(objective, area_budget_mm2)
    evaluator(evaluator.space.points())
    return search_result("exhaustive", evaluator, objective, area_budget_mm2)
