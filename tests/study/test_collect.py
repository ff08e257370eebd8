"""collect_runs / griffin-jax-collect: every table of every finished job, failures and empties."""

import json

import pytest

from griffin_jax.cli import collect_main
from griffin_jax.study import collect_runs, read_csv, write_csv


def _job(root, name, status, tables=(), overrides=()):
    job = root / name
    (job / ".hydra").mkdir(parents=True)
    (job / ".hydra" / "overrides.yaml").write_text("".join(f"- {o}\n" for o in overrides))
    (job / "status.json").write_text(
        json.dumps(
            {"status": status, "seconds": 1.0, **({"error": "boom"} if status != "ok" else {})}
        )
    )
    for t, rows in tables:
        write_csv(rows, job / t)
    return job


def test_every_table_of_every_finished_job_is_merged(tmp_path):
    _job(
        tmp_path,
        "a",
        "ok",
        [("cycles.csv", [{"x": 1}]), ("overview.csv", [{"y": 2}])],
        ["core.lanes=8"],
    )
    _job(
        tmp_path,
        "b",
        "ok",
        [("cycles.csv", [{"x": 3}, {"x": 4}]), ("claims.csv", [{"z": 5}])],
        ["core.lanes=16"],
    )
    _job(tmp_path, "c", "failed", [("cycles.csv", [{"x": 99}])])  # a failed job's partial table
    got = collect_runs(str(tmp_path))
    assert [r["x"] for r in got["cycles.csv"]] == ["1", "3", "4"]
    assert got["overview.csv"] == [{"job": "a", "overrides": "core.lanes=8", "y": "2"}]
    assert got["claims.csv"][0]["job"] == "b"
    assert [j["job"] for j in got["failures"]] == ["c"] and got["empty"] == []
    assert collect_main([str(tmp_path)]) == 1  # a job failed
    merged = tmp_path / "collected"
    assert {p.name for p in merged.iterdir()} == {
        "cycles.csv",
        "overview.csv",
        "claims.csv",
        "jobs.csv",
    }
    assert len(read_csv(merged / "jobs.csv")) == 3


def test_a_finished_job_without_tables_fails_the_collect(tmp_path):
    _job(tmp_path, "a", "ok", [("cycles.csv", [{"x": 1}])])
    assert collect_main([str(tmp_path)]) == 0
    _job(tmp_path, "b", "ok")
    got = collect_runs(str(tmp_path))
    assert [j["job"] for j in got["empty"]] == ["b"]
    assert collect_main([str(tmp_path), "--out", str(tmp_path / "o")]) == 1


def test_named_tables_only_and_bad_folders(tmp_path):
    _job(tmp_path, "a", "ok", [("cycles.csv", [{"x": 1}]), ("summary.csv", [{"y": 1}])])
    got = collect_runs(str(tmp_path), tables=("summary.csv",))
    assert "cycles.csv" not in got and len(got["summary.csv"]) == 1
    with pytest.raises(ValueError, match="sweep_dir"):
        collect_runs(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no job folders"):
        collect_runs(str(tmp_path / "empty"))
    assert collect_main([str(tmp_path / "empty")]) == 2
