"""The Hydra app: config schema errors, the quick and study jobs, multirun, failures, collect."""

import json
import os
import subprocess
import sys

import pytest
from hydra import compose, initialize_config_module

from griffin_jax.cli import _app, _schema
from griffin_jax.study import collect_runs, read_csv

TINY = ["workload.M=24", "workload.N=8", "workload.K=40"]


def _compose(overrides):
    _schema.register()
    with initialize_config_module(config_module="griffin_jax.conf", version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


def test_defaults_compose_to_the_study():
    cfg = _compose([])
    assert cfg.experiment.name == "study" and cfg.workload.kind == "digits"
    assert len(cfg.design.presets) == 8 and cfg.core.lanes == 16


@pytest.mark.parametrize("override, key", [("core.lanez=4", "lanez"),
                                           ("workload.n_imagez=3", "n_imagez"),
                                           ("core.rows=eight", "rows")])
def test_typos_and_bad_types_name_the_key(override, key):
    with pytest.raises(Exception, match=key):
        _compose([override])


def test_experiment_groups_override_other_groups():
    cfg = _compose(["experiment=quick"])
    assert cfg.workload.kind == "synthetic" and "none" in cfg.design.exploits
    cfg = _compose(["experiment=paper"])
    assert cfg.runtime.sample == 0.05 and "resnet50" in cfg.workload.networks


def test_slurm_launcher_config_composes():
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    _schema.register()
    with initialize_config_module(config_module="griffin_jax.conf", version_base="1.3"):
        cfg = compose(config_name="config", overrides=["hydra/launcher=slurm"],
                      return_hydra_config=True)
    assert cfg.hydra.launcher.timeout_min == 120
    assert "submitit" in cfg.hydra.launcher._target_


def test_quick_job_writes_its_table(tmp_path):
    cfg = _compose(["experiment=quick", *TINY])
    out = _app.run(cfg, str(tmp_path))
    rows = read_csv(out["tables"][0])
    assert {r["exploit"] for r in rows} == {"none", "A", "W", "AW"}
    assert all(float(r["speedup"]) >= 1 for r in rows)
    assert json.load(open(tmp_path / "status.json"))["status"] == "ok"


def test_study_job_tables_and_columns(tmp_path):
    cfg = _compose(["design.box_time=[1]", "design.box_lane=[0,1]", "design.box_group=[0]",
                    "design.presets=[dense,griffin]", "workload.n_images=2",
                    "workload.categories=[dense,AW]", "experiment.plots=false",
                    "runtime.progress=false"])
    _app.run(cfg, str(tmp_path))
    res = read_csv(tmp_path / "results.csv")
    summ = read_csv(tmp_path / "summary.csv")
    for col in ("design", "exploit", "window", "category", "network", "layer", "cycles",
                "dense_cycles", "speedup", "energy_pj", "area_mm2", "tops_per_w", "tops_per_mm2",
                "run_id", "tech"):
        assert col in res[0], col
    n_designs = 3 * 2 + 2
    assert len(summ) == n_designs * 2
    assert len(res) == len(summ) * 4  # the digits CNN has 4 layers
    dense = [r for r in summ if r["design"] == "dense"]
    assert all(float(r["speedup"]) == 1.0 for r in dense)


def test_failure_is_recorded_and_raised_in_a_single_run(tmp_path):
    cfg = _compose(["workload.kind=bogus"])
    with pytest.raises(ValueError, match="workload.kind"):
        _app.run(cfg, str(tmp_path))
    status = json.load(open(tmp_path / "status.json"))
    assert status["status"] == "failed" and "workload.kind" in status["error"]


def test_bad_cpu_device_count_names_the_key(tmp_path):
    cfg = _compose(["experiment=quick", *TINY, "runtime.cpu_devices=0"])
    with pytest.raises(ValueError, match="runtime.cpu_devices"):
        _app.run(cfg, str(tmp_path))


def test_cpu_devices_shard_the_job(tmp_path):
    # A fresh process: JAX fixes its device count when its backends start.
    two = tmp_path / "two"
    res = _cli(["experiment=quick", *TINY, "runtime.cpu_devices=2", "runtime.progress=false",
                f"hydra.run.dir={two}"], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    status = json.load(open(two / "status.json"))
    assert status["status"] == "ok" and len(status["devices"]) == 2
    one = _app.run(_compose(["experiment=quick", *TINY]), str(tmp_path / "one"))
    assert read_csv(two / "cycles.csv") == read_csv(one["tables"][0])


def _cli(args, cwd):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    return subprocess.run([sys.executable, "-m", "griffin_jax", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_multirun_records_failures_collects_and_skips(tmp_path, launcher):
    if launcher == "joblib":
        pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    sweep = tmp_path / "sweep"
    args = ["-m", "experiment=quick", *TINY, "runtime.progress=false",
            "workload.kind=synthetic,bogus", f"hydra.sweep.dir={sweep}"]
    if launcher == "joblib":
        args.append("hydra/launcher=joblib")
    proc = _cli(args, tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = collect_runs(str(sweep), tables=("cycles.csv",))
    assert len(got["jobs"]) == 2 and len(got["failures"]) == 1
    assert "workload.kind" in got["failures"][0]["error"]
    assert got["cycles.csv"] and all("workload.kind=synthetic" in r["overrides"]
                                     for r in got["cycles.csv"])
    # A rerun into the same sweep folder skips the job that finished.
    ok_dir = sweep / [j["job"] for j in got["jobs"] if j["status"] == "ok"][0]
    before = os.path.getmtime(ok_dir / "status.json")
    proc = _cli(args, tmp_path)
    assert proc.returncode == 0
    assert os.path.getmtime(ok_dir / "status.json") == before
    # The collect console script writes merged tables and exits 1 when a job failed.
    from griffin_jax.cli import collect_main

    assert collect_main([str(sweep)]) == 1
    assert (sweep / "collected" / "jobs.csv").exists()
