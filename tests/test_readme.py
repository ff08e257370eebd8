"""The README is the front door: its commands match CI and its library example runs."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _blocks(lang):
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_quickstart_has_two_commands_and_ci_runs_the_test_one():
    quick = _blocks("bash")[0].strip().splitlines()
    assert len(quick) == 2
    assert "griffin-jax" in quick[0] and "pytest" in quick[1]
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert quick[1] in ci


def test_library_example_runs():
    code = _blocks("python")[0]
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["res"].cycles <= scope["res"].dense_cycles
    assert len(scope["cycles"]) == 9 and len(scope["reports"]) == 2
