"""Run folders: nothing the run did not write is deleted or replaced, checks come before any
change, and every interrupt, crash and failure is recorded (``cli/_rundir``, ``cli/_app``)."""

import json
import os
import pathlib
import signal
import textwrap
import time

import pytest

from griffin_jax.cli import _app, _rundir, _schema
from tests.conftest import FULL, compose_config, run_cli

TINY = ["experiment=quick", "workload.M=24", "workload.N=8", "workload.K=40"]

# A user's module with experiments that misbehave on purpose (runtime.imports=[misbehave]).
PLUGIN = textwrap.dedent(
    '''
    import os
    import time

    from griffin_jax.experiments import Outcome, register_experiment


    class Fatal(BaseException):
        """Not an Exception: what ``except Exception`` would miss."""


    SMALL = {"workload": "synthetic", "design": "quick"}


    @register_experiment("sleepy", config=SMALL)
    def sleepy(spec, options, ctx):
        """Says it started, then waits to be stopped."""
        open(os.environ["SLEEPY_MARK"], "w").close()
        time.sleep(120)
        return Outcome(tables={"never.csv": [{"a": 1}]})


    @register_experiment("fatal", config=SMALL)
    def fatal(spec, options, ctx):
        """Raises a BaseException that is not an Exception."""
        raise Fatal("out of cheese")


    def _half_then_fail(path):
        with open(path, "w") as f:
            f.write("a,b\\n1,")
        raise RuntimeError("disk gone")


    @register_experiment("broken_plot", config=SMALL)
    def broken_plot(spec, options, ctx):
        """One good table, then a plot that fails half-way through its file."""
        return Outcome(tables={"good.csv": [{"a": 1}]}, plots={"half.png": _half_then_fail})
    '''
)


def _cli(args, cwd, plugin_dir=None, wait=True, env_extra=()):
    if plugin_dir is not None:
        args = ["runtime.imports=[misbehave]", *args]
    path = () if plugin_dir is None else (plugin_dir,)
    return run_cli(args, cwd, env_extra=env_extra, pythonpath=path, popen=not wait)


def _status(folder) -> dict:
    return json.loads((pathlib.Path(folder) / "status.json").read_text())


def _one_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


@pytest.fixture
def plugin(tmp_path):
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "misbehave.py").write_text(PLUGIN)
    return folder


def _tree(folder) -> dict:
    """Every file under ``folder`` (relative path -> bytes)."""
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = pathlib.Path(root) / f
            out[str(p.relative_to(folder))] = p.read_bytes()
    return out


# -- 1. never delete (or replace) what the run did not write --------------------------------------
def test_a_users_files_of_any_name_and_age_survive_failed_runs_and_reruns(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    mine = {"notes.txt": b"mine", "summary.csv": b"x\n1\n", ".hidden": b"h", "cycles.csv": b"c\n"}
    for name, data in mine.items():
        (run / name).write_bytes(data)
    old = time.time() - 10 * 86400  # older and newer than any run
    os.utime(run / "notes.txt", (old, old))
    os.utime(run / "summary.csv", (time.time() + 86400,) * 2)
    # a run that fails its checks, then one that would write a file of the user's name
    with pytest.raises(_schema.ConfigError):
        _app.run(compose_config([*TINY, "core.lanes=0"]), str(run))
    with pytest.raises(ValueError, match=r"hydra.run.dir: .*cycles.csv exists"):
        _app.run(compose_config(TINY), str(run))
    assert _status(run)["status"] == "failed"
    # a rerun after the user moved their file away, then a replacing rerun
    (run / "cycles.csv").rename(tmp_path / "kept.csv")
    _app.run(compose_config(TINY), str(run))
    _app.run(compose_config([*TINY, "runtime.overwrite=true"]), str(run))
    for name, data in mine.items():
        if name != "cycles.csv":
            assert (run / name).read_bytes() == data, name
    assert (tmp_path / "kept.csv").read_bytes() == b"c\n"
    assert _status(run)["status"] == "ok"


def test_clear_previous_removes_only_plain_names_its_manifest_lists(tmp_path):
    (tmp_path / "a.csv").write_text("a")
    (tmp_path / "b.csv").write_text("b")
    (tmp_path / ".a.partial-12.csv").write_text("half")
    (tmp_path / ".a.partial-mine.csv").write_text("a user's, not a partial file")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    outside.write_text("o")
    hostile = ["a.csv", "../" + outside.name, str(outside), "status.json", "", "..", 5, None]
    (tmp_path / "manifest.json").write_text(json.dumps({"files": hostile}))
    removed = _rundir.clear_previous(str(tmp_path))
    assert sorted(os.path.basename(p) for p in removed) == [".a.partial-12.csv", "a.csv"]
    assert (tmp_path / "b.csv").exists() and (tmp_path / ".a.partial-mine.csv").exists()
    assert outside.read_text() == "o"
    for junk in ("[1, 2]", "{", '{"files": "a.csv"}'):  # a manifest that is not one: no-op
        (tmp_path / "manifest.json").write_text(junk)
        assert _rundir.clear_previous(str(tmp_path)) == []
        assert (tmp_path / "b.csv").exists()


# -- 2. check before touching ----------------------------------------------------------------------
BAD_OVERWRITES = [
    ["core.lanes=0"],  # the library's own check
    ["runtime.cpu_devices=100000"],  # bounded before XLA would abort
    ["runtime.platform=tpu"],  # fails only when JAX starts: now part of the check
    ["core.act_kb=0.5"],  # fails only when a design is priced: now part of the check
]


# Full form: one finished run per bad value. Small form: one finished run, every bad value
# tried on it in turn (each attempt must leave it as it was, so the next finds it unchanged).
@pytest.mark.slow
@pytest.mark.parametrize("bads", [[b] for b in BAD_OVERWRITES] if FULL else [BAD_OVERWRITES])
def test_overwrite_with_a_bad_value_leaves_the_finished_run_as_it_was(tmp_path, bads):
    run = tmp_path / "run"
    first = _cli([*TINY, "runtime.progress=false", f"hydra.run.dir={run}"], tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    before = _tree(run)
    before.pop("griffin_jax.log", None)  # Hydra's log
    for bad in bads:
        res = _cli([*TINY, *bad, "runtime.overwrite=true", f"hydra.run.dir={run}"], tmp_path)
        assert res.returncode == 2
        assert bad[0].split("=")[0] in _one_error_line(res.stderr)
        after = _tree(run)
        after.pop("griffin_jax.log", None)
        assert after == before, bad  # tables, status, manifest and .hydra/ as they were


# -- 3. interrupts and crashes are recorded; tables never look complete ----------------------------
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_is_recorded_as_interrupted(tmp_path, plugin, sig):
    run, mark = tmp_path / "run", tmp_path / "started"
    proc = _cli(
        ["experiment=sleepy", f"hydra.run.dir={run}"],
        tmp_path,
        plugin,
        wait=False,
        env_extra={"SLEEPY_MARK": str(mark)},
    )
    try:
        deadline = time.time() + 300
        while not mark.exists() and proc.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert mark.exists(), proc.communicate()
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
    finally:  # never leave the child (or its pipes) behind, whatever failed
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    assert proc.returncode != 0
    status = _status(run)
    assert status["status"] == "interrupted", status
    assert signal.Signals(sig).name in status["error"] or "KeyboardInterrupt" in status["error"]
    assert not (run / "never.csv").exists()


def test_a_base_exception_is_recorded_as_failed(tmp_path, plugin):
    run = tmp_path / "run"
    res = _cli(["experiment=fatal", f"hydra.run.dir={run}"], tmp_path, plugin)
    assert res.returncode != 0
    status = _status(run)
    assert status["status"] == "failed" and "Fatal: out of cheese" in status["error"]


def test_a_file_that_fails_half_way_never_appears_under_its_name(tmp_path, plugin):
    run = tmp_path / "run"
    res = _cli(["experiment=broken_plot", f"hydra.run.dir={run}"], tmp_path, plugin)
    assert res.returncode != 0
    status = _status(run)
    assert status["status"] == "failed" and "disk gone" in status["error"]
    assert (run / "good.csv").read_text().startswith("a")
    assert not (run / "half.png").exists()
    assert not [f for f in os.listdir(run) if ".partial-" in f]  # no temporary left behind
    # the manifest listed both before writing, so a retry removes what the failed run wrote
    assert json.loads((run / "manifest.json").read_text())["files"] == ["good.csv", "half.png"]


def test_phases_record_each_phase_peak_memory():
    """A phase that holds a large array peaks above one that does not (the peak restarts at
    each phase), and the job's peak is the highest of them."""
    import numpy as np

    from griffin_jax.cli._rundir import Phases

    phases = Phases()
    phases.start("small")
    phases.start("large")
    x = np.ones(2**28, np.uint8)  # 256 MB, touched
    del x
    phases.start("after")
    phases.stop()
    mem = phases.memory()
    if mem["peak_rss_gb"] is None:
        pytest.skip("no /proc peak RSS on this system")
    peaks = mem["phase_peak_rss_gb"]
    assert peaks["large"] >= peaks["small"] + 0.2 and peaks["large"] >= peaks["after"] + 0.2
    assert mem["peak_rss_gb"] == pytest.approx(max(peaks.values()), abs=1e-3)
