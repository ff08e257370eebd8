"""The dense-geometry study (docs/model.md 5.1): which optimized dense core to build on.

``griffin-jax experiment=geometry``: every power-of-two ``rows x cols x lanes = peak`` (lanes
<= ``max_lanes``) as a dense core on the configured workload's dense category, with the
configured buffer capacities; ``geometry.csv``, ``geometry.png``, the best geometry and the
configured core's rank.
"""

from __future__ import annotations

import dataclasses

from griffin_jax._checks import check_int
from griffin_jax.design._core import MAX_LANES
from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec

COLUMNS = (
    "geometry",
    "rank",
    "rank_core",
    "cycles",
    "area_mm2",
    "tops_per_w",
    "tops_per_w_core",
    "tops_per_mm2",
    "tops_per_mm2_core",
)


@dataclasses.dataclass(frozen=True)
class GeometryOptions:
    """``peak``: multipliers of every geometry (a power of two); ``max_lanes``: the widest DPU
    (1..64)."""

    peak: int = 1024
    max_lanes: int = 64

    def __post_init__(self):
        p = check_int("GeometryOptions.peak", self.peak, 1)
        if p & (p - 1):
            raise ValueError(f"GeometryOptions.peak must be a power of two >= 1, got {p!r}")
        m = self.max_lanes
        if isinstance(m, bool) or not isinstance(m, int) or not 1 <= m <= MAX_LANES:
            raise ValueError(
                f"GeometryOptions.max_lanes must be an int in 1..{MAX_LANES}, got {m!r}"
            )


@register_experiment("geometry", options=GeometryOptions)
def geometry(spec: Spec, options: GeometryOptions, ctx: Context) -> Outcome:
    """Every geometry of ``options.peak`` multipliers as a dense core: ``geometry.csv``."""
    from griffin_jax.study import (
        best_geometry,
        format_table,
        geometry_label,
        geometry_plot,
        geometry_study,
    )

    ctx.phase("simulate+cost")
    rows = geometry_study(
        list(spec.workloads), options.peak, options.max_lanes, spec.tech, spec.core, sim=spec.sim
    )
    ctx.phase("tables")
    best, best_core = best_geometry(rows), best_geometry(rows, core_only=True)
    default = geometry_label(spec.core)
    mine = next((r for r in rows if r["geometry"] == default), None)
    top = sorted(rows, key=lambda r: (r["rank"], r["rank_core"]))
    n = len(rows)
    lines = [
        format_table(
            top[:10] + ([mine] if mine is not None and mine["rank"] > 10 else []), COLUMNS
        ),
        f"best geometry of {n} (total TOPS/W): {best['geometry']} "
        f"({best['tops_per_w']:.3f} TOPS/W); core-only: {best_core['geometry']} "
        f"({best_core['tops_per_w_core']:.3f} TOPS/W)",
    ]
    if mine is None:
        lines.append(
            f"the configured core {default} is not one of the geometries "
            f"(peak {options.peak}, lanes <= {options.max_lanes})"
        )
    else:
        lines.append(
            f"the configured core {default} ranks {mine['rank']}/{n} (total), "
            f"{mine['rank_core']}/{n} (core-only)"
        )
    plots = (
        {"geometry.png": lambda p: geometry_plot(rows, p, default=default).path}
        if spec.plots
        else {}
    )
    return Outcome(
        tables={"geometry.csv": spec.rows(rows)},
        plots=plots,
        printed="\n".join(lines),
        summary={
            "geometries": n,
            "best": best["geometry"],
            "best_core": best_core["geometry"],
            "default": default,
            "default_rank": None if mine is None else mine["rank"],
            "default_rank_core": None if mine is None else mine["rank_core"],
        },
    )
