"""Sensitivity of the claims (docs/model.md 8): how each claim moves with the uncertain inputs.

``griffin-jax experiment=sensitivity``: the paper experiment's candidates (``design=paper``) on
the configured workloads (default: the real digits masks, fast; ``workload=paper`` for the four
networks), the claims report once, then every input of ``inputs`` moved over ``range``:
``sensitivity.csv`` (one row per input x claim), ``sensitivity.md`` (fragile claims) and tornado
charts. Continuous inputs are priced again without simulating; ``operand_bits`` and ``lanes``
re-run the claims (new bit widths, new schedules), so dropping them is much faster.
"""

from __future__ import annotations

import dataclasses

from griffin_jax._checks import check_int
from griffin_jax.experiments._candidates import designs_for
from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec, candidates_by_kind
from griffin_jax.study._sensitivity import SENSITIVITY_INPUTS

# The inputs priced again without simulating (the paper experiment's default); the others
# (operand_bits, lanes) re-run the claims.
REPRICED_INPUTS = tuple(
    n for n, i in SENSITIVITY_INPUTS.items() if i.kind not in ("precision", "geometry")
)


def check_input_names(where: str, names) -> tuple:
    names = tuple(names)
    for n in names:
        if n not in SENSITIVITY_INPUTS:
            raise ValueError(f"{where}: unknown input {n!r}; known: {sorted(SENSITIVITY_INPUTS)}")
    return names


@dataclasses.dataclass(frozen=True)
class SensitivityOptions:
    """``inputs``: names of ``study.SENSITIVITY_INPUTS`` moved; ``range``: ``(low, high)``
    factors of the continuous ones, ``0 < low < 1 < high``; ``samples``: points checked between
    them."""

    inputs: tuple[str, ...] = REPRICED_INPUTS + ("operand_bits", "lanes")
    range: tuple[float, ...] = (0.5, 2.0)
    samples: int = 3

    def __post_init__(self):
        names = check_input_names("SensitivityOptions.inputs", self.inputs)
        if not names:
            raise ValueError("SensitivityOptions.inputs must be a non-empty list")
        object.__setattr__(self, "inputs", names)
        rg = tuple(self.range)
        if len(rg) != 2 or not 0 < rg[0] < 1 < rg[1]:
            raise ValueError(
                f"SensitivityOptions.range must be [low, high] with 0 < low < 1 < high, got "
                f"{list(rg)}"
            )
        object.__setattr__(self, "range", tuple(float(x) for x in rg))
        check_int("SensitivityOptions.samples", self.samples, 0)


def sensitivity_of(spec: Spec, report, names, workloads, options: SensitivityOptions):
    """``study.sensitivity`` of a claims report with these options; a moved geometry re-runs
    the candidates of ``spec.designs`` on that core."""
    from griffin_jax.study import sensitivity

    return sensitivity(
        report,
        list(names),
        workloads=workloads,
        tech=spec.tech,
        designs_for=designs_for(spec),
        factors=options.range,
        samples=options.samples,
        sim=spec.sim,
    )


def tornado_plots(sens, suffix: str = "") -> dict:
    """Tornado charts of claim (a), R1 and R2 (R3's rows are in the CSV), by file name."""
    from griffin_jax.study import tornado_plot

    plots = {}
    for claim, reading in (
        ("(a) dual-sparse loss", ""),
        ("(b) Griffin vs best dual-sparse prior", "R1"),
        ("(b) Griffin vs best prior", "R2"),
    ):
        if any(r["reading"] == reading and r["claim"] == claim for r in sens.rows):

            def draw(path, claim=claim, reading=reading):
                return tornado_plot(sens.rows, path, claim=claim, reading=reading).path

            plots[f"tornado_{reading or 'a'}{suffix}.png"] = draw
    return plots


@register_experiment(
    "sensitivity", options=SensitivityOptions, config={"design": "paper"}, designs="candidates"
)
def sensitivity(spec: Spec, options: SensitivityOptions, ctx: Context) -> Outcome:
    """The claims once, then every input moved over its range: ``sensitivity.csv``,
    ``sensitivity.md`` and tornado charts."""
    from griffin_jax.study import claims_report, format_table, geometry_label

    ctx.phase("designs")
    candidates = candidates_by_kind(spec.designs.entries(spec.core))
    ctx.phase("workloads")
    workloads = spec.category_workloads()
    label = geometry_label(spec.core)
    ctx.phase(f"simulate+cost+claims {label}")
    rep = claims_report(workloads, candidates, spec.tech, sim=spec.sim, geometry=label)
    ctx.phase("sensitivity")
    sens = sensitivity_of(spec, rep, options.inputs, workloads, options)
    ctx.phase("tables")
    fragile = sens.fragile()
    printed = (
        format_table(fragile, ["input", "claim", "reading", "category", "ratio_nominal"])
        if fragile
        else "no claim changes direction inside the ranges"
    )
    return Outcome(
        tables={"sensitivity.csv": [dict(r) for r in sens.rows]},
        texts={"sensitivity.md": "# Sensitivity of the claims\n\n" + sens.markdown() + "\n"},
        plots=tornado_plots(sens) if spec.plots else {},
        printed=f"{printed}\n{len(sens.rows)} rows, {len(fragile)} fragile",
        summary={"rows": len(sens.rows), "fragile": len(fragile)},
    )
