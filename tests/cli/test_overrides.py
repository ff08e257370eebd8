"""Every user error is one line naming the key or file, exit status 2 (``cli/_overrides`` and
the checks ``cli/_app`` runs before it touches a folder)."""

import os
import sys

import pytest

from griffin_jax.cli import _overrides, _schema
from tests.conftest import run_cli

TINY = ["experiment=quick", "workload.M=24", "workload.N=8", "workload.K=40"]


def _cli(args, cwd):
    return run_cli(args, cwd)


@pytest.mark.parametrize(
    "override, named",
    [
        ("experiment=quik", "experiment: unknown choice 'quik'; did you mean quick?"),
        ("workload=resnet", "workload: unknown choice 'resnet'; did you mean resnet50?"),
        ("wrkload=digits", "wrkload: unknown config group; did you mean workload?"),
        ("core.lanes=[1,", "core.lanes=[1,: not a valid override"),
    ],
)
def test_a_mistyped_choice_or_syntax_is_one_line_before_hydra_runs(
    monkeypatch, capsys, tmp_path, override, named
):
    # in-process: the console script stops at its pre-checks, before Hydra's app starts
    from griffin_jax.cli import main

    monkeypatch.setattr(sys, "argv", ["griffin-jax", *TINY, override])
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HYDRA_FULL_ERROR", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main()
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert exit_.value.code == 2 and len(lines) == 1, err
    assert lines[0].startswith(f"griffin-jax: error: {named}"), lines
    assert os.listdir(tmp_path) == []  # no run folder made


@pytest.mark.parametrize(
    "override, named",
    [
        ("tech.name={tmp}/bad.yaml", "tech.name: {tmp}/bad.yaml: not valid YAML: "),
        ("hydra.run.dir={tmp}/a_file/run", "hydra.run.dir: {tmp}/a_file/run: cannot write"),
        ("runtime.compilation_cache={tmp}/a_file/c", "runtime.compilation_cache: {tmp}/a_file"),
        ("runtime.platform=gpu", "runtime.platform: 'gpu' requested, but"),
        ("experiment.tags=5", "experiment.tags: must be a mapping"),
        # runtime.cpu_devices=100000 and core.act_kb=0.5: test_rundir (checked before touching)
    ],
)
def test_a_user_error_is_one_line_naming_the_key_and_exit_2(tmp_path, override, named):
    (tmp_path / "bad.yaml").write_text("name: bad\na: [1, 2\n")
    (tmp_path / "a_file").write_text("not a folder")
    override = override.replace("{tmp}", str(tmp_path))
    res = _cli([*TINY, f"hydra.run.dir={tmp_path / 'run'}", override], tmp_path)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.returncode == 2, res.stderr[-3000:]
    assert len(lines) == 1 and "Traceback" not in res.stderr, res.stderr[-3000:]
    assert lines[0].startswith("griffin-jax: error: ")
    assert named.replace("{tmp}", str(tmp_path)) in lines[0], lines[0]
    assert "\n" not in lines[0] and "a: [1, 2" not in lines[0]  # never quotes the file


def test_group_choices_and_syntax_are_checked_before_hydra_runs():
    _schema.register()
    _overrides.check([*TINY, "core.lanes=16"], multirun=False)
    _overrides.check(["experiment=quick,study", "core.lanes=8,16"], multirun=True)
    for bad, match in (
        (["experiment=quick,quik"], "did you mean quick"),  # each value of a sweep
        (["core.lanes=8,16"], "core.lanes"),  # a sweep without -m
        (["core=nope"], "unknown choice 'nope'"),
        (["core.lanes=(("], "not a valid override"),
    ):
        with pytest.raises(_schema.ConfigError, match=match) as err:
            _overrides.check(bad, multirun="," in bad[0] and "quik" in bad[0])
        assert "\n" not in str(err.value)
