"""experiment=validate: the published-figure validation from the command line's config."""

import json

import pytest

from griffin_jax.cli import _app
from griffin_jax.study import VALIDATION_COLUMNS, load_published, read_csv
from tests.conftest import compose_config

_compose = compose_config


def test_small_validation_run_writes_the_csv_and_the_page(tmp_path, capsys):
    cfg = _compose(
        [
            "experiment=validate",
            "runtime.progress=false",
            "experiment.validate.max_layers=1",
            "experiment.validate.max_rows=8",
        ]
    )
    out = _app.run(cfg, str(tmp_path))
    rows = read_csv(tmp_path / "validation.csv")
    assert len(rows) == len(load_published())
    assert list(rows[0])[: len(VALIDATION_COLUMNS)] == list(VALIDATION_COLUMNS)
    for r in rows:
        assert r["verdict"] in ("agrees", "deviates")
        assert (r["verdict"] == "deviates") == bool(r["reason"])
    page = (tmp_path / "validation.md").read_text()
    deviating = sum(r["verdict"] == "deviates" for r in rows)
    assert page.count("\n**") == deviating
    with open(tmp_path / "status.json") as f:
        status = json.load(f)
    assert status["status"] == "ok"
    assert status["outputs"]["agrees"] == out["agrees"] == len(rows) - deviating
    assert f"{out['agrees']}/{len(rows)} published figures agree" in capsys.readouterr().out


@pytest.mark.parametrize("key,value", [("max_rows", 0), ("max_layers", -1), ("seed", "x")])
def test_bad_validate_options_name_the_key(tmp_path, key, value):
    with pytest.raises(Exception, match=f"experiment.validate.{key}"):
        cfg = _compose(["experiment=validate", f"experiment.validate.{key}={value}"])
        _app.run(cfg, str(tmp_path))
