"""The paper study's geometries and re-runs of the candidates on another core, shared by the
paper and sensitivity experiments."""

from __future__ import annotations

import dataclasses

from griffin_jax.experiments._spec import Context, Spec, candidates_by_kind


def designs_for(spec: Spec):
    """``core -> candidates by kind`` of ``spec.designs`` (for re-runs on another core)."""

    def build(core):
        return candidates_by_kind(spec.designs.entries(core))

    return build


def paper_geometries(spec: Spec, wanted, max_lanes: int, ctx: Context) -> tuple:
    """``wanted`` (``"configured"`` and/or ``"best"``) as ``[(role, core, candidates)]`` and a
    sentence saying what was chosen. The best geometry is the geometry study's winner (total
    TOPS/W, docs/model.md 5.1) at the configured core's multiplier count, lanes <=
    ``max_lanes``, with the configured buffer capacities, among the geometries that can hold
    every configured design (a T-shaped window needs two lanes, for instance); when it is the
    configured core, that core runs once."""
    from griffin_jax.study import geometry_label, geometry_study

    core = spec.core
    build = designs_for(spec)
    out = [("configured", core, build(core))] if "configured" in wanted else []
    if "best" not in wanted:
        return out, f"geometry: the configured core {geometry_label(core)} only"
    peak = core.multipliers
    if peak & (peak - 1):
        raise ValueError(
            "PaperOptions.geometries: 'best' needs a power-of-two multiplier count "
            f"rows * cols * lanes, got {peak}"
        )
    rows = geometry_study(list(spec.workloads), peak, max_lanes, spec.tech, core, sim=spec.sim)
    skipped = []
    for r in sorted(rows, key=lambda r: r["rank"]):
        best = dataclasses.replace(core, rows=r["rows"], cols=r["cols"], lanes=r["lanes"])
        try:
            candidates = build(best)
        except ValueError as err:
            skipped.append(r["geometry"])
            ctx.log(f"geometry {r['geometry']} cannot hold every design: {err}")
            continue
        break
    else:
        raise ValueError(
            f"PaperOptions.geometries: no geometry of {peak} multipliers holds every design"
        )
    what = (
        f"the best dense geometry of {peak} multipliers (total TOPS/W on the dense workloads, "
        f"of {len(rows)}) that holds every design is {r['geometry']}"
    )
    if skipped:
        what += f" (better, but cannot hold every design: {', '.join(skipped)})"
    if best == core:
        return out or [("configured", core, candidates)], f"{what}, the configured core: one run"
    out.append(("best", best, candidates))
    return out, f"{what}; the configured core is {geometry_label(core)}"
