"""The sensitivity experiment: a tiny run writes its table, summary and tornado charts."""

import json

import pytest

from griffin_jax.cli import _app, _schema
from griffin_jax.study import SENSITIVITY_COLUMNS, read_csv
from tests.conftest import compose_config as _compose

TINY = [
    "experiment=sensitivity",
    "workload=synthetic",
    "workload.M=24",
    "workload.N=8",
    "workload.K=40",
    "core.rows=2",
    "core.cols=4",
    "core.lanes=8",
    "design.boxes=[[1,1,0]]",
    "experiment.sensitivity.inputs=[clock_ghz]",
    "experiment.sensitivity.samples=0",
]


def test_sensitivity_writes_csv_md_and_tornados(tmp_path):
    out = _app.run(_compose(TINY), str(tmp_path))
    rows = read_csv(tmp_path / "sensitivity.csv")
    assert rows and all(tuple(r) == SENSITIVITY_COLUMNS for r in rows)
    assert {r["input"] for r in rows} == {"clock_ghz"}
    clock = rows[0]
    assert (clock["nominal"], clock["low"], clock["high"]) == ("1.0", "0.5", "2.0")
    assert float(clock["elasticity"]) == pytest.approx(float(clock["elasticity_fd"]), rel=0.05)
    assert (tmp_path / "sensitivity.md").read_text().startswith("# Sensitivity of the claims")
    assert {p.rsplit("/", 1)[-1] for p in out["plots"]} == {
        "tornado_a.png",
        "tornado_R1.png",
        "tornado_R2.png",
    }
    status = json.loads((tmp_path / "status.json").read_text())
    assert status["status"] == "ok" and "sensitivity" in status["phases"]


@pytest.mark.parametrize(
    "override, key",
    [
        ("experiment.sensitivity.inputs=[clock]", "experiment.sensitivity.inputs"),
        ("experiment.sensitivity.range=[2.0,0.5]", "experiment.sensitivity.range"),
    ],
)
def test_bad_sensitivity_config_names_the_key(tmp_path, override, key):
    with pytest.raises(_schema.ConfigError, match=key):
        _app.run(_compose([*TINY, override]), str(tmp_path))
