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


def _made_with(job, config, overrides):
    status = json.loads((job / "status.json").read_text())
    status.update(config=config, overrides=overrides)
    (job / "status.json").write_text(json.dumps(status))


def test_rows_are_labelled_from_the_config_their_tables_were_made_with(tmp_path):
    # Hydra rewrote .hydra/ for a later launch: the job's own record labels its rows.
    job = _job(tmp_path, "j0", "ok", [("cycles.csv", [{"x": 1}])], ["core.lanes=16"])
    _made_with(job, {"core": {"lanes": 8}, "runtime": {"progress": True}}, ["core.lanes=8"])
    (job / ".hydra" / "config.yaml").write_text("core:\n  lanes: 8\nruntime:\n  progress: false\n")
    got = collect_runs(str(tmp_path))
    assert got["cycles.csv"][0]["overrides"] == "core.lanes=8" and not got["failures"]
    # ... and a .hydra/config.yaml that disagrees with the tables' config is flagged, not merged
    (job / ".hydra" / "config.yaml").write_text("core:\n  lanes: 16\n")
    got = collect_runs(str(tmp_path))
    assert "cycles.csv" not in got
    (bad,) = got["failures"]
    assert bad["status"] == "mismatch" and "core.lanes" in bad["error"]
    assert "runtime.progress" not in bad["error"]  # how a job ran is not what it computed
    assert collect_main([str(tmp_path)]) == 1


@pytest.mark.parametrize(
    "text", ["[1, 2]", "{", "", "5", '{"status": 5}', "\x00\xff", "[" * 100_000 + "]" * 100_000]
)
def test_a_malformed_status_is_one_line_and_exit_2(tmp_path, capsys, text):
    _job(tmp_path, "a", "ok", [("cycles.csv", [{"x": 1}])])
    job = _job(tmp_path, "b", "ok")
    (job / "status.json").write_text(text, encoding="latin-1")
    assert collect_main([str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    line = [ln for ln in out.splitlines() if ln.startswith("UNREADABLE")]
    assert len(line) == 1 and "b/status.json" in line[0] and "Traceback" not in out + err
    assert read_csv(tmp_path / "collected" / "cycles.csv")[0]["x"] == "1"  # the rest merged


def test_jobs_without_a_finished_status_are_each_reported(tmp_path, capsys):
    _job(tmp_path, "a", "ok", [("cycles.csv", [{"x": 1}])])
    for name, status in (("b", "running"), ("c", "interrupted"), ("d", "failed")):
        _job(tmp_path, name, status)
    assert collect_main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    for word in ("RUNNING b", "INTERRUPTED c", "FAILED d"):
        assert word in out, out
    jobs = read_csv(tmp_path / "collected" / "jobs.csv")
    assert [j["status"] for j in jobs] == ["ok", "running", "interrupted", "failed"]


def test_an_unwritable_output_folder_is_one_line(tmp_path, capsys):
    _job(tmp_path, "a", "ok", [("cycles.csv", [{"x": 1}])])
    (tmp_path / "file").write_text("not a folder")
    assert collect_main([str(tmp_path), "--out", str(tmp_path / "file" / "sub")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--out" in err
