"""Gradient-guided design search through the differentiable relaxation (docs/search.md).

``griffin-jax experiment=search``: over the ranges of ``design=search`` (each ``design.box_*``
list is a min..max range), on the configured workloads in every category as one mix;
``search_history.csv`` and ``search.png``.
"""

from __future__ import annotations

import dataclasses

from griffin_jax._checks import check_int
from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec


@dataclasses.dataclass(frozen=True)
class SearchOptions:
    """``objective``: ``tops_per_w``, ``edp`` or ``perf_under_area`` (with
    ``area_budget_mm2``); ``steps`` / ``restarts``: the projected Adam descent per exploit;
    ``seed``: the restarts' starting points."""

    objective: str = "tops_per_w"
    steps: int = 60
    restarts: int = 4
    seed: int = 0
    area_budget_mm2: float | None = None

    def __post_init__(self):
        from griffin_jax.search import OBJECTIVES

        if self.objective not in OBJECTIVES:
            raise ValueError(
                f"SearchOptions.objective must be one of {sorted(OBJECTIVES)}, got "
                f"{self.objective!r}"
            )
        for k in ("steps", "restarts"):
            check_int(f"SearchOptions.{k}", getattr(self, k), 1)
        check_int("SearchOptions.seed", self.seed, 0)
        b = self.area_budget_mm2
        if b is not None and (isinstance(b, bool) or not isinstance(b, (int, float)) or b <= 0):
            raise ValueError(f"SearchOptions.area_budget_mm2 must be null or > 0, got {b!r}")


@register_experiment(
    "search", options=SearchOptions, config={"design": "search"}, designs="search_space"
)
def search(spec: Spec, options: SearchOptions, ctx: Context) -> Outcome:
    """The gradient search over ``spec.designs``' ranges: ``search_history.csv``."""
    from griffin_jax.search import plot_history, run_search

    space = spec.designs.search_space(spec.core)
    ctx.phase("workloads")
    mix = [
        wl.for_category(c).replace(name=f"{wl.name}/{c}")
        for wl in spec.workloads
        for c in spec.categories
    ]
    ctx.phase("search")
    res = run_search(
        mix,
        objective=options.objective,
        space=space,
        seed=options.seed,
        steps=options.steps,
        restarts=options.restarts,
        tech=spec.tech,
        area_budget_mm2=options.area_budget_mm2,
    )
    ctx.phase("tables")
    rows = [dataclasses.asdict(h) for h in res.history]
    best = res.best.label if res.best is not None else "none feasible"
    plots = {"search.png": lambda p: str(plot_history(res, p))} if spec.plots and rows else {}
    return Outcome(
        tables={"search_history.csv": rows} if rows else {},
        plots=plots,
        printed=(
            f"best design: {best}  exact {options.objective} = {res.best_value}  "
            f"({res.n_exact} exact evaluations of a {res.space_size}-point space)"
        ),
        summary={"best": best, "n_exact": res.n_exact},
    )
