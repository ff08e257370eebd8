"""experiment=geometry: the dense-geometry study from the command line's config."""

import json
import subprocess
import sys

import pytest

from griffin_jax.cli import _app, _schema
from griffin_jax.study import GEOMETRY_COLUMNS, read_csv
from tests.conftest import compose_config

_compose = compose_config


def test_tiny_geometry_run_writes_the_table_the_plot_and_the_best(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    cfg = _compose(
        [
            "experiment=geometry",
            "workload.n_images=2",
            "runtime.progress=false",
            "experiment.geometry.peak=64",
            "experiment.geometry.max_lanes=16",
            "core.rows=2",
            "core.cols=2",
            "core.act_kb=64",
        ]
    )
    out = _app.run(cfg, str(tmp_path))
    rows = read_csv(tmp_path / "geometry.csv")
    # 64 = 2^6 multipliers, lanes 1..16: 7 + 6 + 5 + 4 + 3 shapes.
    assert len(rows) == 25
    assert all(c in rows[0] for c in GEOMETRY_COLUMNS)
    assert (tmp_path / "geometry.png").stat().st_size > 0
    best = max(rows, key=lambda r: (float(r["tops_per_w"]), float(r["tops_per_mm2"])))
    with open(tmp_path / "status.json") as f:
        status = json.load(f)
    assert status["status"] == "ok"
    assert status["outputs"]["best"] == out["best"] == best["geometry"]
    assert status["outputs"]["default"] == "2x2x16"
    mine = next(r for r in rows if r["geometry"] == "2x2x16")
    assert status["outputs"]["default_rank"] == int(mine["rank"])
    printed = capsys.readouterr().out
    assert f"best geometry of 25 (total TOPS/W): {best['geometry']}" in printed
    assert "2x2x16 ranks" in printed


def test_buffer_capacities_of_the_core_group_reach_the_study(tmp_path):
    runs = {}
    for kb in (32, 256):
        cfg = _compose(
            [
                "experiment=geometry",
                "workload.n_images=2",
                "runtime.progress=false",
                "experiment.plots=false",
                "experiment.geometry.peak=16",
                f"core.act_kb={kb}",
            ]
        )
        _app.run(cfg, str(tmp_path / str(kb)))
        runs[kb] = read_csv(tmp_path / str(kb) / "geometry.csv")
    for small, big in zip(runs[32], runs[256]):
        assert float(small["area_mm2"]) < float(big["area_mm2"])
        assert small["area_core_mm2"] == big["area_core_mm2"]


@pytest.mark.parametrize(
    "override, key",
    [
        ("experiment.geometry.peak=12", "experiment.geometry.peak"),
        ("experiment.geometry.max_lanes=0", "experiment.geometry.max_lanes"),
        ("experiment.geometry.max_lanes=128", "experiment.geometry.max_lanes"),
        ("core.out_kb=0", "core.out_kb"),
        # What every other experiment rejects, this one rejects too.
        ("core.lanes=0", "core.lanes"),
        ("tech.name=nope", "tech.name"),
        ("runtime.sample=2", "runtime.sample"),
        ("workload.variant=p99", "workload.variant"),
    ],
)
def test_bad_geometry_values_name_the_key(tmp_path, override, key):
    cfg = _compose(["experiment=geometry", override])
    with pytest.raises(_schema.ConfigError, match=key):
        _app.run(cfg, str(tmp_path))
    with open(tmp_path / "status.json") as f:
        assert json.load(f)["status"] == "failed"


def test_a_typo_in_the_geometry_group_names_the_nearest_key(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "griffin_jax",
            "experiment=geometry",
            "experiment.geometry.peek=64",
            f"hydra.run.dir={tmp_path}",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "experiment.geometry.peak" in proc.stderr
