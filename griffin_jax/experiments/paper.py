"""The paper study: the claims of Shin et al. measured with our models, in one report.

``griffin-jax experiment=paper``: the candidates of every kind (``design=paper``: dense, A, W
and AW boxes, the prior presets, Griffin) on ResNet-50, MobileNetV2, BERT-base and the digits
masks (the networks registered ``paper=True``) in every category; the claims report (claim (b)
under every reading) on the configured core and the best dense geometry of the same
multiplier count (docs/model.md 5.1), every row labelled with its geometry; then the validation
of the prior presets and the sensitivity of every claim, all in one ``report.md`` with its
plots (``claims.csv``, ``summary.csv``, ``claims.md``, ``validation.csv`` and
``sensitivity.csv`` beside it). Exact schedules by default; ``runtime.sample=0.05`` gives
tile-sampled estimates (marked in the outputs).
"""

from __future__ import annotations

import dataclasses

from griffin_jax._checks import check_bool
from griffin_jax.experiments._candidates import paper_geometries
from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec, candidates_by_kind
from griffin_jax.experiments.sensitivity import (
    REPRICED_INPUTS,
    check_input_names,
    sensitivity_of,
    tornado_plots,
)
from griffin_jax.experiments.validate import validation_rows, validation_table

GEOMETRY_ROLES = ("configured", "best")


@dataclasses.dataclass(frozen=True)
class PaperOptions:
    """``geometries``: ``"configured"`` (the configured core) and/or ``"best"`` (the best dense
    geometry of the same multiplier count); each runs the whole study. ``validate``: validate
    the prior presets too (with the ``validate`` experiment's options). ``sensitivity``: the
    inputs moved on each geometry (``sensitivity``'s range and samples; default: every input
    priced again without simulating)."""

    geometries: tuple[str, ...] = GEOMETRY_ROLES
    validate: bool = True
    sensitivity: tuple[str, ...] = REPRICED_INPUTS

    def __post_init__(self):
        g = tuple(self.geometries)
        if not g or not set(g) <= set(GEOMETRY_ROLES) or len(set(g)) != len(g):
            raise ValueError(
                "PaperOptions.geometries must be a non-empty list of distinct 'configured' and "
                f"'best', got {list(g)}"
            )
        object.__setattr__(self, "geometries", g)
        check_bool("PaperOptions.validate", self.validate)
        names = check_input_names("PaperOptions.sensitivity", self.sensitivity)
        object.__setattr__(self, "sensitivity", names)


def _derived_note(spec: Spec):
    """The stored derivation when the run's Griffin is the default ``griffin`` preset on the
    core it was derived for; None otherwise (the report then says nothing it cannot stand for)."""
    from griffin_jax.design import derived_griffin

    derived = derived_griffin()
    core = dict(derived.meta.get("core") or {})
    c = spec.core
    same = (core.get("rows"), core.get("cols"), core.get("lanes")) == (c.rows, c.cols, c.lanes)
    return derived if same else None


def _claims_md(reports, geometry_note: str, sampled: str) -> str:
    from griffin_jax.study import readings_markdown

    out = ["# Griffin claims, measured\n\n" + readings_markdown() + "\n\n"]
    out.append(f"Geometries: {geometry_note}.\n\n{sampled}\n\n")
    for role, rep in reports:
        title = "configured core" if role == "configured" else "best dense geometry"
        out.append(f"## Geometry {rep.geometry} ({title})\n\n")
        out.append(rep.markdown(readings=False) + "\n\n")
    return "".join(out)


@register_experiment(
    "paper",
    options=PaperOptions,
    config={"design": "paper", "workload": "paper"},
    designs="candidates",
)
def paper(spec: Spec, options: PaperOptions, ctx: Context) -> Outcome:
    """Claims on every geometry, validation and sensitivity in one ``report.md``."""
    from griffin_jax.study import claims_report, format_table, geometry_label, paper_report

    ctx.phase("designs")
    candidates_by_kind(spec.designs.entries(spec.core))  # config errors before the long part
    ctx.phase("workloads")
    workloads = spec.category_workloads()
    ctx.log(f"paper study: {len(workloads)} network x category workloads")
    ctx.phase("geometry")
    max_lanes = ctx.options_of("geometry").max_lanes
    geoms, geometry_note = paper_geometries(spec, options.geometries, max_lanes, ctx)
    ctx.log(f"paper study: {geometry_note}")
    reports = []
    for role, core, candidates in geoms:
        label = geometry_label(core)
        ctx.phase(f"simulate+cost+claims {label}")
        rep = claims_report(workloads, candidates, spec.tech, sim=spec.sim, geometry=label)
        reports.append((role, rep))
    ctx.phase("tables")

    def rows(kind):
        return spec.rows([{**r, "geometry_role": role} for role, rep in reports for r in kind(rep)])

    sampled = (
        f"Schedules are tile-sampled estimates (runtime.sample={spec.sim.sample})."
        if spec.sim.sampled
        else "Schedules are exact (no tile sampling)."
    )
    out = Outcome(
        tables={
            "summary.csv": rows(lambda rep: rep.table),
            "claims.csv": rows(lambda rep: rep.claims),
        },
        texts={"claims.md": _claims_md(reports, geometry_note, sampled)},
    )
    validation = None
    if options.validate:
        ctx.phase("validate")
        validation = validation_rows(spec, ctx.options_of("validate"), ctx)
        out.tables["validation.csv"] = validation_table(spec, validation)
    sens = []
    if options.sensitivity:
        sens_rows = []
        sopts = ctx.options_of("sensitivity")
        for role, rep in reports:
            ctx.phase(f"sensitivity {rep.geometry}")
            s = sensitivity_of(spec, rep, options.sensitivity, workloads, sopts)
            sens.append(s)
            sens_rows += [
                {**dict(r), "geometry": rep.geometry, "geometry_role": role} for r in s.rows
            ]
            if spec.plots:
                out.plots.update(tornado_plots(s, f"_{rep.geometry}"))
        out.tables["sensitivity.csv"] = sens_rows
    ctx.phase("report")
    nets = ", ".join(wl.name for wl in spec.workloads)
    header = (
        f"Workloads: {nets}, each in categories {', '.join(spec.categories)}; technology "
        f"`{spec.tech}`. {sampled}"
    )
    out.texts["report.md"] = (
        paper_report(
            [rep for _, rep in reports],
            geometry_note=geometry_note,
            derived=_derived_note(spec),
            validation=validation,
            sensitivities=sens,
            plots=list(out.plots),
            header=header,
        )
        + "\n"
    )
    claims = [r for _, rep in reports for r in rep.claims]
    out.printed = (
        format_table(
            claims,
            ["geometry", "claim", "reading", "category", "ours_text", "paper_text", "status"]
            + ["comparator"],
        )
        + f"\n{geometry_note}"
    )
    out.summary = {"geometries": [rep.geometry for _, rep in reports]}
    return out
