"""Extension points end to end: a user's module registers a preset, a network, a window shape
and an experiment, and the CLI runs them by name (``runtime.imports``)."""

import json
import os
import subprocess
import sys
import textwrap

from griffin_jax.study import read_csv

PLUGIN = textwrap.dedent(
    '''
    import dataclasses

    import griffin_jax as gj
    from griffin_jax.experiments import Outcome, register_experiment
    from griffin_jax.workloads import linear_gemm


    @gj.register_preset("toy_aw", kind="prior", source="a test")
    def toy_aw(core=None):
        """A toy dual-sparse preset: AW with a one-step lookahead."""
        core = gj.design.DEFAULT_CORE if core is None else core
        return gj.custom("toy_aw", core, "AW", gj.Window.box(1))


    @gj.register_layer_table("toy_net")
    def toy_net(batch):
        """One fully connected layer."""
        return (linear_gemm("fc", 16 * batch, 64, 32),)


    @gj.register_shape("toy_cross")
    def toy_cross():
        """dt = 1 in lanes 0, +1, -1 (right before left: not the box's order)."""
        return gj.Window.from_offsets([(1, 0), (1, 1), (1, -1)])


    @dataclasses.dataclass(frozen=True)
    class ToyOptions:
        repeat: int = 1


    @register_experiment("toy", options=ToyOptions)
    def toy(spec, options, ctx):
        """Names of the designs, repeated."""
        ctx.phase("designs")
        names = [e.accel.name for e in spec.designs.entries(spec.core)] * options.repeat
        return Outcome(tables={"names.csv": [{"design": n} for n in names]}, printed="toy done")
    '''
)


def _cli(args, cwd, plugin_dir):
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    env["PYTHONPATH"] = os.pathsep.join([str(plugin_dir), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [sys.executable, "-m", "griffin_jax", "runtime.imports=[toy_plugin]", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_plugin_preset_network_and_shape_run_in_the_study(tmp_path):
    (tmp_path / "toy_plugin.py").write_text(PLUGIN)
    out = tmp_path / "run"
    res = _cli(
        [
            "design.exploits=[AW]",
            "design.box_time=[1]",
            "design.box_lane=[0]",
            "design.box_group=[0]",
            "design.shapes=[toy_cross]",
            "design.presets=[dense,toy_aw,griffin]",
            "workload.kind=network",
            "workload.networks=[toy_net]",
            "workload.categories=[AW]",
            "experiment.plots=false",
            "runtime.progress=false",
            f"hydra.run.dir={out}",
        ],
        tmp_path,
        tmp_path,
    )
    assert res.returncode == 0, res.stderr
    summary = read_csv(out / "summary.csv")
    assert {r["network"] for r in summary} == {"toy_net"}
    names = {r["design"]: r for r in summary}
    assert {"dense", "toy_aw", "griffin", "AW:box(1,0,0)", "AW:1,0,0;1,1,0;1,-1,0"} == set(names)
    assert names["toy_aw"]["kind"] == "preset" and float(names["toy_aw"]["speedup"]) >= 1.0
    # the overview's "best prior" candidates include the registered prior preset
    overview = read_csv(out / "overview.csv")
    assert any(r["role"] == "best prior" for r in overview)


def test_a_plugin_experiment_runs_with_its_options_and_rejects_bad_ones(tmp_path):
    (tmp_path / "toy_plugin.py").write_text(PLUGIN)
    out = tmp_path / "toy"
    args = ["experiment=toy", "design=presets", "design.presets=[dense,toy_aw]"]
    res = _cli([*args, "experiment.toy.repeat=2", f"hydra.run.dir={out}"], tmp_path, tmp_path)
    assert res.returncode == 0, res.stderr
    assert "toy done" in res.stdout
    assert [r["design"] for r in read_csv(out / "names.csv")] == ["dense", "toy_aw"] * 2
    assert json.loads((out / "manifest.json").read_text())["files"] == ["names.csv"]
    # a typo in the plugin experiment's block names the nearest key, in one line, exit 2
    bad = _cli([*args, "experiment.toy.repaet=2"], tmp_path, tmp_path)
    assert bad.returncode == 2 and "did you mean experiment.toy.repeat?" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_a_missing_plugin_module_is_one_line(tmp_path):
    res = _cli(["runtime.imports=[no_such_plugin]"], tmp_path, tmp_path)
    assert res.returncode == 2 and "runtime.imports" in res.stderr
