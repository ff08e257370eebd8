"""The design-space study, the main job: every design x network x category, tables and plots.

``griffin-jax`` with no arguments: the grid of ``design=study`` (3 exploits x 36 boxes) plus
every default preset, on the shipped digits masks in all four categories. Writes
``results.csv`` (one row per design x network x category x layer), ``summary.csv`` (layers
combined), ``overview.csv`` (the printed table: dense core, best grid design, best prior preset
and Griffin per category) and the plots.
"""

from __future__ import annotations

from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec

OVERVIEW_COLUMNS = (
    "network",
    "category",
    "role",
    "design",
    "speedup",
    "tops_per_w",
    "vs_dense",
    "tops_per_w_core",
    "area_mm2",
    "area_core_mm2",
)


@register_experiment("study")
def study(spec: Spec, options: None, ctx: Context) -> Outcome:
    """Grid + presets x workloads x categories: results, summary and overview tables, plots."""
    from griffin_jax.study import category_overview, format_table, run_study, study_figures

    ctx.phase("designs")
    entries = spec.designs.entries(spec.core)
    ctx.phase("workloads")  # lazy workloads make their masks in simulate+cost
    n_steps = sum(len(wl) for wl in spec.workloads) * len(spec.categories)
    ctx.log(
        f"study: {len(entries)} designs x {len(spec.workloads)} workloads x "
        f"{len(spec.categories)} categories ({n_steps} layer evaluations)"
    )
    ctx.phase("simulate+cost")
    results, summary = run_study(
        entries,
        spec.workloads,
        spec.categories,
        spec.tech,
        metadata=spec.meta,
        progress=ctx.progress(n_steps, "study"),
        sim=spec.sim,
    )
    ctx.phase("tables")
    overview = category_overview(summary)
    printed = format_table(overview, OVERVIEW_COLUMNS)
    return Outcome(
        tables={"results.csv": results, "summary.csv": summary, "overview.csv": overview},
        plots=study_figures(summary) if spec.plots else {},
        printed=f"{printed}\n{len(entries)} designs",
        summary={"designs": len(entries), "rows": len(results)},
    )
