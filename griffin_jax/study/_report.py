"""One Markdown report of the paper experiment: claims, validation, sensitivity, derived Griffin.

``paper_report`` only formats what the experiment measured (nothing here computes a number):
the claims reports of each geometry (``claims_report``), the validation rows (``validate``), the
sensitivity reports (``sensitivity``), the stored derivation of Griffin
(``design.derived_griffin``) and the plots written beside it. ``scripts/make_docs.py --paper``
turns the report of the full four-network run into docs/claims.md.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence

from griffin_jax.study._claims import ClaimsReport, readings_markdown
from griffin_jax.study._validate import agreement_text


def _fmt(x, spec: str = ".3f") -> str:
    missing = x is None or (isinstance(x, float) and not math.isfinite(x))
    return "n/a" if missing else format(x, spec)


def _cell(text) -> str:
    """Table-safe text: a '|' inside a cell would end it."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def claims_overview(reports: Sequence[ClaimsReport]) -> str:
    """One row per claim row across geometries: the headline table of the report."""
    lines = [
        "| geometry | claim | reading | category | ours | paper | status | comparator |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rep in reports:
        for r in rep.claims:
            if r["reading"] == "R3":
                continue  # one row per prior preset: in the per-geometry tables below
            lines.append(
                f"| {rep.geometry} | {r['claim']} | {r['reading'] or '-'} | {r['category']} | "
                f"{r['ours_text']} | {r['paper_text']} | {r['status']} | {r['comparator']} |"
            )
    return "\n".join(lines)


def derived_markdown(derived) -> str:
    """What the stored derivation chose and how it was made (a ``design.DerivedGriffin``)."""
    meta = dict(derived.meta)
    nums = dict(meta.get("numbers") or {})
    sim = dict(meta.get("sim") or {})
    how = "exact schedules" if sim.get("exact") else f"tile sample {sim.get('sample')}"
    nets = ", ".join(str(w.get("network", w.get("name"))) for w in meta.get("workloads") or [])
    lines = [
        f"Griffin here is the stored derivation (`{meta.get('command', '?')}`, {meta.get('date')}"
        f", {how}; workloads {nets or '?'}, treated as dual-sparse): among "
        f"{nums.get('wirings', '?')} AW wirings of the box grid on the configured core (plus the "
        "gradient search's rounded best), the one with the highest total TOPS/W on the "
        "dual-sparse workloads (ties: smaller area), with in each category the best mode window "
        "that is a subset of the wiring (docs/model.md 5.2).",
        "",
        f"- wired window: {meta.get('wired_label', '')} = `{list(derived.wired.as_tuples())}`",
    ]
    for cat, win in derived.windows:
        lines.append(f"- mode `{cat}`: `{list(win.as_tuples()) or 'none'}`")
    best, runner = nums.get("best_dual") or {}, nums.get("runner_up") or {}
    if best:
        lines.append(
            f"- best dual-sparse: {best.get('wiring')} {_fmt(best.get('tops_per_w'))} TOPS/W, "
            f"runner-up {runner.get('wiring')} {_fmt(runner.get('tops_per_w'))} TOPS/W"
        )
    bal = nums.get("balanced") or {}
    if bal:
        lines.append(
            f"- griffin_balanced (best geometric mean over the four categories of TOPS/W "
            f"relative to the dense core): {bal.get('wiring')} (score {_fmt(bal.get('score'))})"
        )
    lines += [
        "- the first version's hand-picked wiring stays available as preset `griffin_v1`",
        "",
    ]
    return "\n".join(lines)


def validation_summary(rows: Sequence[Mapping]) -> str:
    """Agreement count ("N of M comparable figures agree") and the table of every published
    figure against ours."""
    lines = [
        f"{agreement_text(rows)}; every deviation and every figure that is not comparable "
        "carries its reason (docs/validation.md has the conditions and sources).",
        "",
        "| preset | metric | published | ours | ratio | verdict | reason |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['preset']} | {r['metric']} | {_fmt(r['published'], '.3g')} | "
            f"{_fmt(r['ours'], '.3g')} | {_fmt(r['ratio'], '.2f')} | {r['verdict']} | "
            f"{_cell(r.get('reason') or '')} |"
        )
    return "\n".join(lines)


def paper_report(
    reports: Sequence[ClaimsReport],
    *,
    geometry_note: str,
    derived=None,
    validation: Sequence[Mapping] | None = None,
    sensitivities: Sequence = (),
    plots: Sequence[str] = (),
    header: str = "",
) -> str:
    """The paper experiment's report as Markdown.

    Args:
      reports: one ``ClaimsReport`` per geometry (configured core first).
      geometry_note: how the geometries were chosen (one sentence).
      derived: the ``DerivedGriffin`` the run's Griffin came from (None: section left out).
      validation: rows of ``validate`` (None: not run in this experiment).
      sensitivities: one ``SensitivityReport`` per geometry.
      plots: image paths, linked by their base names (they sit beside the report).
      header: lines put under the title (command, machine, sampling).
    """
    out = ["# Griffin's claims, measured", ""]
    if header:
        out += [header, ""]
    out += ["## Readings", "", readings_markdown(), "", f"Geometries: {geometry_note}.", ""]
    out += ["## Claims", "", claims_overview(reports), ""]
    if derived is not None:
        out += ["## The derived Griffin", "", derived_markdown(derived)]
    if validation is not None:
        out += ["## Validation of the prior presets", "", validation_summary(validation), ""]
    if sensitivities:
        out += ["## Sensitivity of the claims", ""]
        for sens in sensitivities:
            out += [f"### Geometry {sens.claims.geometry}", "", sens.markdown(), ""]
    if plots:
        out += ["## Plots", ""]
        for p in plots:
            name = os.path.basename(p)
            out += [f"![{os.path.splitext(name)[0]}]({name})", ""]
    out += ["## Per-geometry tables", ""]
    for rep in reports:
        out += [f"### Geometry {rep.geometry}", "", rep.markdown(readings=False), ""]
    return "\n".join(out)
