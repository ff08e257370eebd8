"""The Hydra app: config errors, the quick and study jobs, run folders, multirun, collect."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from griffin_jax.cli import _app, _build, _schema
from griffin_jax.study import collect_runs, read_csv
from tests.conftest import FULL, compose_config, run_cli

TINY = ["workload.M=24", "workload.N=8", "workload.K=40"]


_compose = compose_config


def test_defaults_compose_to_the_study():
    cfg = _compose([])
    assert cfg.experiment.name == "study" and cfg.workload.kind == "digits"
    # every registered preset (the registry is the one list; the CLI's default derives from it)
    from griffin_jax.design import preset_names

    assert list(cfg.design.presets) == list(preset_names(default=True)) and cfg.core.lanes == 16


@pytest.mark.parametrize(
    "override, key",
    [("core.lanez=4", "lanez"), ("workload.n_imagez=3", "n_imagez"), ("core.rows=eight", "rows")],
)
def test_typos_and_bad_types_name_the_key(override, key):
    with pytest.raises(Exception, match=key):
        _compose([override])


def test_experiment_groups_override_other_groups():
    cfg = _compose(["experiment=quick"])
    assert cfg.workload.kind == "synthetic" and "none" in cfg.design.exploits
    cfg = _compose(["experiment=paper"])
    # The paper experiment is exact unless asked otherwise (runtime.sample=...).
    assert cfg.runtime.sample is None and "resnet50" in cfg.workload.networks


def test_slurm_launcher_config_composes():
    from hydra import compose, initialize_config_module

    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    _schema.register()
    with initialize_config_module(config_module="griffin_jax.conf", version_base="1.3"):
        cfg = compose(
            config_name="config", overrides=["hydra/launcher=slurm"], return_hydra_config=True
        )
    assert cfg.hydra.launcher.timeout_min == 120
    assert "submitit" in cfg.hydra.launcher._target_


def test_quick_job_writes_its_table_and_times_its_phases(tmp_path, capsys):
    cfg = _compose(["experiment=quick", *TINY])
    out = _app.run(cfg, str(tmp_path))
    rows = read_csv(out["tables"][0])
    assert {r["exploit"] for r in rows} == {"none", "A", "W", "AW"}
    assert all(float(r["speedup"]) >= 1 for r in rows)
    status = json.loads(pathlib.Path(tmp_path / "status.json").read_text())
    assert status["status"] == "ok"
    assert {"check", "designs", "simulate", "tables"} <= set(status["phases"])
    assert sum(status["phases"].values()) <= status["seconds"] + 1e-3
    assert str(tmp_path) in capsys.readouterr().out  # it says where its table is
    if status["peak_rss_gb"] is not None:  # Linux: the peak memory of every phase too
        peaks = status["phase_peak_rss_gb"]
        assert set(peaks) == set(status["phases"])
        assert 0 < max(peaks.values()) <= status["peak_rss_gb"] + 1e-3


def test_quick_honours_presets_and_windows_of_the_design_group(tmp_path):
    cfg = _compose(
        [
            "experiment=quick",
            *TINY,
            "design.exploits=[AW]",
            "design.box_time=[1]",
            "design.box_lane=[0]",
            "design.presets=[griffin]",
            "design.windows=[[[1,0,0],[1,1,0]]]",
        ]
    )
    rows = read_csv(_app.run(cfg, str(tmp_path))["tables"][0])
    assert [r["design"] for r in rows] == ["AW:box(1,0,0)", "AW:1,0,0;1,1,0", "griffin"]
    assert [r["kind"] for r in rows] == ["space", "space", "griffin"]


def test_study_job_tables_and_columns(tmp_path):
    cfg = _compose(
        [
            "design.box_time=[1]",
            "design.box_lane=[0,1]",
            "design.box_group=[0]",
            "design.presets=[dense,griffin]",
            "workload.n_images=2",
            "workload.categories=[dense,AW]",
            "experiment.plots=false",
            "runtime.progress=false",
        ]
    )
    _app.run(cfg, str(tmp_path))
    res = read_csv(tmp_path / "results.csv")
    summ = read_csv(tmp_path / "summary.csv")
    for col in (
        "design",
        "exploit",
        "window",
        "category",
        "network",
        "layer",
        "cycles",
        "dense_cycles",
        "speedup",
        "energy_pj",
        "area_mm2",
        "tops_per_w",
        "tops_per_mm2",
        "run_id",
        "tech",
    ):
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
    status = json.loads(pathlib.Path(tmp_path / "status.json").read_text())
    assert status["status"] == "failed" and "workload.kind" in status["error"]
    assert "check" in status["phases"]


@pytest.mark.parametrize("experiment", ["study", "quick", "paper", "search"])
@pytest.mark.parametrize(
    "override, key",
    [
        ("+core.lane=8", "core.lane: unknown key; did you mean core.lanes"),
        ("runtime.sample=-1", "runtime.sample"),
        ("runtime.sample=2", "runtime.sample"),
        ("tech.name=nope", "tech.name"),
        ("workload.networks=[nope]", "workload.networks"),
        ("core.lanes=0", "core.lanes"),
        ("workload.variant=p99", "workload.variant"),
        ("experiment.search.steps=0", "experiment.search.steps"),
    ],
)
def test_every_experiment_rejects_what_the_study_rejects(tmp_path, experiment, override, key):
    cfg = _compose([f"experiment={experiment}", override])
    with pytest.raises(_schema.ConfigError, match=key):
        _app.run(cfg, str(tmp_path))
    assert json.loads(pathlib.Path(tmp_path / "status.json").read_text())["status"] == "failed"


@pytest.mark.parametrize("experiment", ["study", "quick", "paper"])
def test_a_custom_window_that_does_not_fit_is_an_error_not_dropped(tmp_path, experiment):
    cfg = _compose([f"experiment={experiment}", "design.windows=[[[1,16,0]]]"])
    with pytest.raises(_schema.ConfigError, match=r"design.windows\[0\].*lanes"):
        _app.run(cfg, str(tmp_path))


def _checked(overrides):
    return _build.check(_compose(overrides))[0]  # the Spec the config describes


def test_search_takes_its_ranges_from_the_design_group():
    from griffin_jax.search import Space

    def space(overrides):
        spec = _checked(["experiment=search", *overrides])
        return spec.designs.search_space(spec.core)

    assert space([]) == Space(time=(1, 7), lane=(0, 3))  # design=search: 1..7 x 0..3 x 0..2
    sp = space(["design.exploits=[AW]", "design.box_time=[2,1,5]", "design.box_lane=[1]"])
    assert sp.exploits == ("AW",) and sp.time == (1, 5) and sp.lane == (1, 1)
    with pytest.raises(_schema.ConfigError, match="design.presets"):
        space(["design.presets=[griffin]"])
    with pytest.raises(_schema.ConfigError, match="design.box_lane"):
        space(["design.box_lane=[0,16]"])


def test_paper_candidates_come_from_the_design_group():
    from griffin_jax.study import KINDS, candidate_designs

    spec = _checked(["experiment=paper"])
    cands = spec.designs.candidates(spec.core)
    ref = candidate_designs()
    for kind in KINDS:  # the same presets in every kind, the boxes of design=paper beside them
        names = {a.name for a in cands[kind]}
        assert {a.name for a in ref[kind] if "_box" not in a.name} <= names, kind
    assert {a.name for a in cands["AW"]} >= {"AW:box(2,1,1)", "AW:box(3,0,0)"}
    with pytest.raises(_schema.ConfigError, match="griffin"):
        _checked(["experiment=paper", "design.presets=[dense]"])


def test_bad_cpu_device_count_names_the_key(tmp_path):
    cfg = _compose(["experiment=quick", *TINY, "runtime.cpu_devices=0"])
    with pytest.raises(ValueError, match="runtime.cpu_devices"):
        _app.run(cfg, str(tmp_path))


def test_cpu_devices_shard_the_job(tmp_path):
    # A fresh process: JAX fixes its device count when its backends start.
    two = tmp_path / "two"
    res = _cli(
        [
            "experiment=quick",
            *TINY,
            "runtime.cpu_devices=2",
            "runtime.progress=false",
            f"hydra.run.dir={two}",
        ],
        tmp_path,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    status = json.loads(pathlib.Path(two / "status.json").read_text())
    assert status["status"] == "ok" and len(status["devices"]) == 2
    one = _app.run(_compose(["experiment=quick", *TINY]), str(tmp_path / "one"))
    assert read_csv(two / "cycles.csv") == read_csv(one["tables"][0])


def _cli(args, cwd):
    return run_cli(args, cwd)


def test_a_config_error_is_one_line_without_traceback_and_is_recorded(tmp_path):
    run_dir = tmp_path / "run"
    res = _cli(["experiment=quick", "core.lanes=0", f"hydra.run.dir={run_dir}"], tmp_path)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "core.lanes" in lines[0] and "positive int" in lines[0], res.stderr
    assert "Traceback" not in res.stderr
    assert "core.lanes" in json.loads(pathlib.Path(run_dir / "status.json").read_text())["error"]
    res = _cli(
        [
            "experiment=quick",
            "core.lanes=0",
            "runtime.debug=true",
            f"hydra.run.dir={tmp_path / 'debug'}",
        ],
        tmp_path,
    )
    assert res.returncode != 0 and "Traceback" in res.stderr


@pytest.mark.parametrize(
    "override, near",
    [
        ("+core.lane=8", "core.lanes"),
        ("core.lanez=8", "core.lanes"),
        ("runtime.sampel=0.1", "runtime.sample"),
        ("core.rows=eight", "core.rows: Value 'eight'"),
    ],
)
def test_a_key_typo_names_the_nearest_key_on_the_command_line(tmp_path, override, near):
    res = _cli(["experiment=quick", override, f"hydra.run.dir={tmp_path / 'r'}"], tmp_path)
    assert res.returncode == 2 and near in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Traceback" not in res.stderr


def test_a_finished_run_is_never_overwritten(tmp_path):
    # A folder that holds a finished run: the CLI refuses before Hydra writes its config there.
    old = tmp_path / "old"
    (old / ".hydra").mkdir(parents=True)
    (old / ".hydra" / "overrides.yaml").write_text("- old\n")
    (old / "status.json").write_text(json.dumps({"status": "ok"}))
    res = _cli(["experiment=quick", *TINY, f"hydra.run.dir={old}"], tmp_path)
    assert res.returncode == 2 and "runtime.overwrite=true" in res.stderr, res.stderr
    assert (old / ".hydra" / "overrides.yaml").read_text() == "- old\n"
    assert json.loads(pathlib.Path(old / "status.json").read_text()) == {"status": "ok"}
    # The library path refuses too; runtime.overwrite replaces the run and its outputs.
    first = _app.run(_compose(["experiment=quick", *TINY]), str(tmp_path / "lib"))
    with pytest.raises(_schema.ConfigError, match="hydra.run.dir"):
        _app.run(_compose(["experiment=quick", *TINY]), str(tmp_path / "lib"))
    # Overwriting removes what the old run's manifest lists, and nothing a user put there.
    lib = tmp_path / "lib"
    manifest = json.loads((lib / "manifest.json").read_text())
    assert manifest["files"] == ["cycles.csv"] and manifest["experiment"] == "quick"
    mine = lib / "notes.csv"
    mine.write_text("mine\n")
    again = _app.run(_compose(["experiment=quick", *TINY, "runtime.overwrite=true"]), str(lib))
    assert again["tables"] == first["tables"] and mine.read_text() == "mine\n"


def test_a_rerun_into_a_failed_run_checks_first_then_clears_only_its_files(tmp_path):
    old = tmp_path / "old.csv"
    old.write_text("a\n1\n")
    mine = tmp_path / "mine.csv"  # a user's file, newer than the failed run
    mine.write_text("b\n2\n")
    (tmp_path / "status.json").write_text(json.dumps({"status": "failed"}))
    (tmp_path / "manifest.json").write_text(
        json.dumps({"experiment": "quick", "files": ["old.csv"]})
    )
    # a bad value is refused before anything is removed ...
    with pytest.raises(_schema.ConfigError, match="core.lanes"):
        _app.run(_compose(["experiment=quick", "core.lanes=0"]), str(tmp_path))
    assert old.exists() and mine.exists()
    assert json.loads((tmp_path / "status.json").read_text())["status"] == "failed"
    # ... a good rerun removes the failed run's file and keeps the user's
    _app.run(_compose(["experiment=quick", *TINY]), str(tmp_path))
    assert not old.exists() and mine.read_text() == "b\n2\n"
    assert json.loads((tmp_path / "manifest.json").read_text())["files"] == ["cycles.csv"]


def test_default_run_folders_are_unique_and_run_ids_carry_the_date(tmp_path):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    args = [
        sys.executable,
        "-m",
        "griffin_jax",
        "experiment=quick",
        *TINY,
        "runtime.progress=false",
    ]
    procs = [
        subprocess.Popen(
            args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    runs = sorted((tmp_path / "outputs").glob("*/*/status.json"))
    assert len(runs) == 2
    for path in runs:
        status = json.loads(pathlib.Path(path).read_text())
        assert status["status"] == "ok"
        assert status["run_id"].startswith(path.parent.parent.name)  # the date folder
        assert any(str(path.parent) in o for o, _ in outs)  # quick prints its folder


@pytest.mark.slow
@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_multirun_records_failures_collects_and_skips(tmp_path, launcher):
    # Small form: the joblib launcher's sweep without the rerun and the collection (the
    # skipping and collecting are the app's, checked under the basic launcher).
    if launcher == "joblib":
        pytest.importorskip("hydra_plugins.hydra_joblib_launcher")
    sweep = tmp_path / "sweep"
    args = [
        "-m",
        "experiment=quick",
        *TINY,
        "runtime.progress=false",
        "workload.kind=synthetic,bogus",
        f"hydra.sweep.dir={sweep}",
    ]
    if launcher == "joblib":
        args.append("hydra/launcher=joblib")
    proc = _cli(args, tmp_path)
    # The sweep goes on past the failed job, then exits 1 naming it in one line.
    assert proc.returncode == 1, proc.stderr[-3000:]
    named = [ln for ln in proc.stderr.splitlines() if ln.startswith("griffin-jax: job ")]
    assert len(named) == 1 and "workload.kind=bogus failed: workload.kind" in named[0], named
    got = collect_runs(str(sweep), tables=("cycles.csv",))
    assert len(got["jobs"]) == 2 and len(got["failures"]) == 1
    assert "workload.kind" in got["failures"][0]["error"]
    assert got["cycles.csv"] and all(
        "workload.kind=synthetic" in r["overrides"] for r in got["cycles.csv"]
    )
    if launcher == "joblib" and not FULL:
        return
    # A rerun into the same sweep folder skips the job that finished.
    ok_dir = sweep / [j["job"] for j in got["jobs"] if j["status"] == "ok"][0]
    before = os.path.getmtime(ok_dir / "status.json")
    proc = _cli(args, tmp_path)
    assert proc.returncode == 1  # the bogus job fails again
    assert os.path.getmtime(ok_dir / "status.json") == before
    # The collect console script writes merged tables and exits 1 when a job failed.
    from griffin_jax.cli import collect_main

    assert collect_main([str(sweep)]) == 1
    assert (sweep / "collected" / "jobs.csv").exists()


def test_submitit_local_sweep_runs_and_collects(tmp_path):
    # submitit's local executor: the pickling, job folders and result handling of SLURM.
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    sweep = tmp_path / "sweep"
    proc = _cli(
        [
            "-m",
            "hydra/launcher=submitit_local",
            "experiment=quick",
            *TINY,
            "runtime.progress=false",
            "core.lanes=8,16",
            f"hydra.sweep.dir={sweep}",
        ],
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    from griffin_jax.cli import collect_main

    assert collect_main([str(sweep)]) == 0
    jobs = read_csv(sweep / "collected" / "jobs.csv")
    assert len(jobs) == 2 and all(j["status"] == "ok" for j in jobs)
    rows = read_csv(sweep / "collected" / "cycles.csv")
    assert {r["lanes"] for r in rows} == {"8", "16"}
    assert all(r["job"] and "core.lanes=" in r["overrides"] for r in rows)
