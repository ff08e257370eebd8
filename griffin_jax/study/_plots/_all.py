"""Every figure of the main job (the design-space study), written into one folder."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from griffin_jax.study._plots._bars import category_bars
from griffin_jax.study._plots._breakdown import breakdown_plot
from griffin_jax.study._plots._heatmap import speedup_heatmap
from griffin_jax.study._plots._pareto import pareto_plot
from griffin_jax.study._plots._rows import _check_rows


def study_figures(summary: Sequence[Mapping]) -> dict:
    """The main job's figures from its ``summary`` rows, as ``file name -> draw(path)``:
    ``pareto.png`` / ``pareto_core.png`` (total / core-only TOPS/W vs area), ``bars.png`` /
    ``bars_core.png`` (total / core-only TOPS/W relative to the dense core),
    ``speedup_heatmap.png`` when the rows hold AW grid designs, and ``breakdown.png`` (energy
    and area by component of the designs of ``category_overview(summary)``). Rows read back
    from CSV are accepted; each ``draw`` returns the path it wrote."""
    summary = _check_rows(summary)
    # docs/model.md 4.3: every efficiency both with the SRAM (total) and core-only
    figs = {
        "pareto.png": lambda p: pareto_plot(summary, p).path,
        "pareto_core.png": lambda p: (
            pareto_plot(summary, p, x="area_core_mm2", y="tops_per_w_core").path
        ),
        "bars.png": lambda p: category_bars(summary, p).path,
        "bars_core.png": lambda p: category_bars(summary, p, metric="tops_per_w_core").path,
    }
    if any(r.get("kind") == "space" and r.get("exploit") == "AW" for r in summary):
        figs["speedup_heatmap.png"] = lambda p: speedup_heatmap(summary, p).path
    figs["breakdown.png"] = lambda p: breakdown_plot(summary, p).path
    return figs


def study_plots(summary: Sequence[Mapping], out_dir) -> list[str]:
    """Draw every figure of ``study_figures(summary)`` into ``out_dir``; returns the written
    paths, in that order."""
    out = os.fspath(out_dir)
    return [str(draw(os.path.join(out, name))) for name, draw in study_figures(summary).items()]
