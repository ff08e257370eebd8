"""Every figure of the main job (the design-space study), written into one folder."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from griffin_jax.study._plots._bars import category_bars
from griffin_jax.study._plots._breakdown import breakdown_plot
from griffin_jax.study._plots._heatmap import speedup_heatmap
from griffin_jax.study._plots._pareto import pareto_plot
from griffin_jax.study._plots._rows import _check_rows


def study_plots(summary: Sequence[Mapping], out_dir) -> list[str]:
    """Draw the main job's figures from its ``summary`` rows into ``out_dir``.

    Writes ``pareto.png`` / ``pareto_core.png`` (total / core-only TOPS/W vs area),
    ``bars.png`` / ``bars_core.png`` (total / core-only TOPS/W relative to the dense core),
    ``speedup_heatmap.png`` when the rows hold AW grid designs, and ``breakdown.png`` (energy
    and area by component of the designs of ``category_overview(summary)``). Rows read back
    from CSV are accepted. Returns the written paths, in that order.
    """
    summary = _check_rows(summary)
    out = os.fspath(out_dir)
    # docs/model.md 4.3: every efficiency both with the SRAM (total) and core-only
    made = [
        pareto_plot(summary, os.path.join(out, "pareto.png")),
        pareto_plot(
            summary,
            os.path.join(out, "pareto_core.png"),
            x="area_core_mm2",
            y="tops_per_w_core",
        ),
        category_bars(summary, os.path.join(out, "bars.png")),
        category_bars(summary, os.path.join(out, "bars_core.png"), metric="tops_per_w_core"),
    ]
    if any(r.get("kind") == "space" and r.get("exploit") == "AW" for r in summary):
        made.append(speedup_heatmap(summary, os.path.join(out, "speedup_heatmap.png")))
    made.append(breakdown_plot(summary, os.path.join(out, "breakdown.png")))
    return [p.path for p in made]
