"""study_plots: every figure of the main job, from rows in memory or read back from CSV."""

import os

import pytest

from griffin_jax.study import read_csv, study_plots, write_csv
from tests.conftest import check_png

MAIN_JOB = [
    "pareto.png",
    "pareto_core.png",
    "bars.png",
    "bars_core.png",
    "speedup_heatmap.png",
    "breakdown.png",
]


def test_study_plots_writes_every_figure(tiny_study, tmp_path):
    pytest.importorskip("matplotlib")
    paths = study_plots(tiny_study[1], tmp_path / "out")
    assert [os.path.basename(p) for p in paths] == MAIN_JOB
    for p in paths:
        check_png(p)
    assert sorted(os.listdir(tmp_path / "out")) == sorted(MAIN_JOB)


def test_no_heatmap_without_aw_grid_designs(tiny_study, tmp_path):
    pytest.importorskip("matplotlib")
    rows = read_csv(write_csv(tiny_study[1], tmp_path / "summary.csv"))
    rows = [r for r in rows if not (r["kind"] == "space" and r["exploit"] == "AW")]
    paths = study_plots(rows, tmp_path)
    assert [os.path.basename(p) for p in paths] == [
        n for n in MAIN_JOB if n != "speedup_heatmap.png"
    ]
