"""Sweep reruns into the same job folders and a sweep's exit status (``cli/_sweep``)."""

import json

from griffin_jax.cli import _sweep, collect_main
from griffin_jax.study import read_csv
from tests.conftest import run_cli

TINY = ["experiment=quick", "workload.M=24", "workload.N=8", "workload.K=40"]


def _sweep_cli(sweep, lanes, *extra, cwd):
    args = [
        "-m",
        *TINY,
        "runtime.progress=false",
        f"core.lanes={lanes}",
        f"hydra.sweep.dir={sweep}",
        # job folders by number: a rerun with other overrides lands in the same folders
        "hydra.sweep.subdir=j${hydra.job.num}",
        *extra,
    ]
    return run_cli(args, cwd)


def _lanes(job) -> tuple:
    """(lanes in .hydra/config.yaml, lanes of the job's table rows)."""
    text = (job / ".hydra" / "config.yaml").read_text()
    hydra = int(text.split("lanes:", 1)[1].split()[0])
    return hydra, {r["lanes"] for r in read_csv(job / "cycles.csv")}


def test_a_sweep_rerun_never_leaves_hydra_disagreeing_with_the_tables(tmp_path):
    sweep = tmp_path / "sweep"
    first = _sweep_cli(sweep, "8,16", cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert _lanes(sweep / "j0") == (8, {"8"})
    # other overrides into the same folders: refused, one line per job naming it and the key
    again = _sweep_cli(sweep, "16,8", cwd=tmp_path)
    assert again.returncode == 1
    lines = [ln for ln in again.stderr.splitlines() if ln.startswith("griffin-jax: job ")]
    assert len(lines) == 2 and all("refused" in ln and "core.lanes" in ln for ln in lines)
    assert "j0 refused" in lines[0] and "j1 refused" in lines[1]
    assert _lanes(sweep / "j0") == (8, {"8"})  # Hydra's rewrite of .hydra/ was put back
    assert _lanes(sweep / "j1") == (16, {"16"})
    assert collect_main([str(sweep)]) == 0
    rows = read_csv(sweep / "collected" / "cycles.csv")
    assert {(r["job"], r["overrides"].split()[-1], r["lanes"]) for r in rows} == {
        ("j0", "core.lanes=8", "8"),
        ("j1", "core.lanes=16", "16"),
    }
    # ... or rerun with runtime.overwrite=true: tables and .hydra/ agree again
    over = _sweep_cli(sweep, "16,8", "runtime.overwrite=true", cwd=tmp_path)
    assert over.returncode == 0, over.stderr[-2000:]
    assert _lanes(sweep / "j0") == (16, {"16"}) and _lanes(sweep / "j1") == (8, {"8"})
    assert not (sweep / _sweep.JOBS_DIR).exists()  # the outcome records are cleaned up


def test_a_same_config_rerun_skips_and_differences_in_how_it_runs_do_not_count(tmp_path):
    made = {"core": {"lanes": 8}, "runtime": {"progress": True, "chunk": None, "sample": None}}
    (tmp_path / "status.json").write_text(json.dumps({"status": "ok", "config": made}))
    same = {"core": {"lanes": 8}, "runtime": {"progress": False, "chunk": 64, "sample": None}}
    assert _sweep.decide(str(tmp_path), same, skip_finished=True, overwrite=False)[0] == "skip"
    other = {"core": {"lanes": 8}, "runtime": {"progress": True, "chunk": None, "sample": 0.1}}
    action, why = _sweep.decide(str(tmp_path), other, skip_finished=True, overwrite=False)
    assert action == "refuse" and "runtime.sample" in why and str(tmp_path) in why
    assert _sweep.decide(str(tmp_path), other, skip_finished=True, overwrite=True)[0] == "run"
    assert _sweep.decide(str(tmp_path), same, skip_finished=False, overwrite=False)[0] == "refuse"
    (tmp_path / "status.json").write_text(json.dumps({"status": "failed", "config": made}))
    assert _sweep.decide(str(tmp_path), other, skip_finished=True, overwrite=False)[0] == "run"
