"""Validation of the prior presets against their papers' figures (docs/validation.md).

``griffin-jax experiment=validate``: every row of ``study/data/published.csv`` run under its
paper's conditions on the configured core; ``validation.csv`` and ``validation.md`` (the table,
then one paragraph per deviating row, and TensorDash's density sweep).
"""

from __future__ import annotations

import dataclasses

from griffin_jax._checks import check_int
from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec


@dataclasses.dataclass(frozen=True)
class ValidateOptions:
    """The first ``max_layers`` layers of each network (``None``: all), with at most
    ``max_rows`` activation rows per layer (``None``: the full M); ``seed``: the masks'."""

    max_layers: int | None = None
    max_rows: int | None = 64
    seed: int = 0

    def __post_init__(self):
        check_int("ValidateOptions.max_layers", self.max_layers, 1, optional=True)
        check_int("ValidateOptions.max_rows", self.max_rows, 1, optional=True)
        check_int("ValidateOptions.seed", self.seed, 0)


def validation_rows(spec: Spec, options: ValidateOptions, ctx: Context) -> list:
    """``study.validate`` of every published row with these settings."""
    from griffin_jax.study import load_published, validate

    return validate(
        load_published(),
        spec.tech,
        spec.core,
        max_layers=options.max_layers,
        max_rows=options.max_rows,
        seed=options.seed,
        sim=spec.sim,
        progress=lambda label: ctx.log(f"validated {label}"),
    )


def validation_table(spec: Spec, rows) -> list:
    """The rows as ``validation.csv`` writes them: ``VALIDATION_COLUMNS`` first."""
    from griffin_jax.study import VALIDATION_COLUMNS

    return spec.rows([{**{c: r[c] for c in VALIDATION_COLUMNS}, **r} for r in rows])


@register_experiment("validate", options=ValidateOptions, plots=False)
def validate(spec: Spec, options: ValidateOptions, ctx: Context) -> Outcome:
    """Every prior preset under the conditions its paper reports, against the published
    figure: ``validation.csv`` and ``validation.md``."""
    from griffin_jax.study import density_sweep, format_table, validation_markdown

    ctx.phase("simulate+cost")
    rows = validation_rows(spec, options, ctx)
    # TensorDash's training densities are unknown: a density sweep beside its average.
    sweep = density_sweep(
        "tensordash_like",
        tech=spec.tech,
        core=spec.core,
        max_layers=options.max_layers,
        max_rows=options.max_rows,
        seed=options.seed,
        sim=spec.sim,
    )
    ctx.phase("tables")
    c = spec.core
    header = (
        f"# Validation against published figures\n\ntech {spec.tech}, core "
        f"{c.rows}x{c.cols}x{c.lanes}, layers {options.max_layers or 'all'}, "
        f"rows <= {options.max_rows or 'all'}, seed {options.seed}"
    )
    agree = sum(r["verdict"] == "agrees" for r in rows)
    table = format_table(rows, ["preset", "metric", "published", "ours", "ratio", "verdict"])
    return Outcome(
        tables={"validation.csv": validation_table(spec, rows)},
        texts={"validation.md": validation_markdown(rows, header, sweep)},
        printed=f"{table}\n{agree}/{len(rows)} published figures agree within 25%",
        summary={"rows": len(rows), "agrees": agree, "deviates": len(rows) - agree},
    )
