"""Experiments from Python: the same results as the CLI, one registry, checked inputs."""

import dataclasses

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import experiments
from griffin_jax.cli import _app
from griffin_jax.experiments import DesignSet, Outcome, Spec
from griffin_jax.study import read_csv
from tests.conftest import FULL
from tests.conftest import compose_config as _compose

TINY_CLI = [
    "core.rows=2",
    "core.cols=2",
    "core.lanes=8",
    "design.exploits=[A,AW]",
    "design.box_time=[1,2]",
    "design.box_lane=[0,1]",
    "design.box_group=[0]",
    "design.presets=[dense,tensordash_like,griffin]",
    "workload.n_images=2",
    "workload.categories=[W,AW]",
    "experiment.plots=false",
    "runtime.progress=false",
]
TINY_SPEC = Spec(
    core=gj.Core(2, 2, 8),
    designs=DesignSet(
        exploits=("A", "AW"),
        box_time=(1, 2),
        box_lane=(0, 1),
        box_group=(0,),
        presets=("dense", "tensordash_like", "griffin"),
    ),
    workloads=(gj.workloads.load("digits", n_images=2),),
    categories=("W", "AW"),
    plots=False,
)


def _same_rows(csv_rows, rows, skip=("run_id", "jax_backend")):
    assert len(csv_rows) == len(rows)
    for got, want in zip(csv_rows, rows):
        for k, v in want.items():
            if k in skip:
                continue
            if isinstance(v, float):
                assert float(got[k]) == pytest.approx(v, rel=1e-12), k
            else:
                assert got[k] == str(v), k


@pytest.mark.slow
def test_the_study_from_python_equals_the_cli(tmp_path):
    # Small form: the AW category only (half the compiled programs); full form: W and AW.
    cli, spec = TINY_CLI, TINY_SPEC
    if not FULL:
        cli = [*TINY_CLI, "workload.categories=[AW]"]
        spec = dataclasses.replace(TINY_SPEC, categories=("AW",))
    _app.run(_compose(cli), str(tmp_path))
    out = experiments.run("study", spec)
    assert set(out.tables) == {"results.csv", "summary.csv", "overview.csv"}
    for name, rows in out.tables.items():
        _same_rows(read_csv(tmp_path / name), rows)
    assert out.summary["designs"] == len({r["design"] for r in out.tables["summary.csv"]})


def test_quick_from_python_equals_the_cli(tmp_path):
    cli = ["experiment=quick", "workload.M=24", "workload.N=8", "workload.K=40"]
    _app.run(_compose(cli), str(tmp_path))
    a = gj.workloads.bernoulli_mask((24, 40), 0.5, 0)
    w = gj.workloads.bernoulli_mask((40, 8), 0.4, 1)
    spec = Spec(
        designs=DesignSet(
            exploits=("none", "A", "W", "AW"),
            box_time=(1, 2),
            box_lane=(0, 1),
            box_group=(0,),
            presets=(),
        ),
        workloads=(gj.Workload("syn", [gj.GemmLayer("gemm", a, w)]),),
    )
    out = experiments.run("quick", spec)
    _same_rows(read_csv(tmp_path / "cycles.csv"), out.tables["cycles.csv"])


def test_outcome_write_puts_every_file_in_the_folder(tmp_path):
    drawn = []

    def draw(path):
        drawn.append(path)
        open(path, "w").close()
        return path

    out = Outcome(tables={"t.csv": [{"a": 1}]}, texts={"r.md": "# r\n"}, plots={"p.png": draw})
    paths = out.write(tmp_path / "o")
    assert sorted(p.split("/")[-1] for p in map(str, paths)) == ["p.png", "r.md", "t.csv"]
    assert read_csv(tmp_path / "o" / "t.csv") == [{"a": "1"}] and drawn
    assert out.names() == ["t.csv", "r.md", "p.png"]


@pytest.mark.parametrize(
    "field, value, match",
    [
        ("exploits", ("A", "X"), "DesignSet.exploits"),
        ("box_time", (0,), "DesignSet.box_time"),
        ("boxes", ((1, 0),), "DesignSet.boxes"),
        ("shapes", ("l_shape(2, x)",), "DesignSet.shapes"),
        ("shapes", ("no_shape",), "unknown window shape 'no_shape'"),
        ("presets", ("griffn",), "did you mean 'griffin'"),
        ("sync", "both", "DesignSet.sync"),
    ],
)
def test_design_set_names_the_bad_field(field, value, match):
    with pytest.raises(ValueError, match=match):
        DesignSet(**{field: value})


def test_design_set_builds_the_grid_then_the_presets():
    core = gj.Core(2, 2, 8)
    ds = DesignSet(
        exploits=("AW",), box_time=(1,), box_lane=(0, 8), box_group=(0,), shapes=("t_shape",)
    )
    names = [e.accel.name for e in ds.entries(core)]
    grid = ["AW:box(1,0,0)", f"AW:{gj.design.t_shape().label()}"]  # lane 8 does not fit: skipped
    assert names == grid + list(gj.preset_names(default=True))
    assert [e.kind for e in ds.entries(core)][-1] == "griffin"
    with pytest.raises(ValueError, match="shapes|lanes"):
        DesignSet(exploits=("AW",), shapes=("l_shape(1, 9)",)).entries(core)  # |dl| >= lanes


def test_spec_and_run_check_their_inputs():
    with pytest.raises(ValueError, match="Spec.workloads\\[0\\]"):
        Spec(workloads=("resnet50",))
    with pytest.raises(ValueError, match="Spec.categories"):
        Spec(categories=("sparse",))
    with pytest.raises(ValueError, match="did you mean 'paper'"):
        experiments.run("papr")
    with pytest.raises(ValueError, match="takes PaperOptions"):
        experiments.run("paper", TINY_SPEC, experiments.SearchOptions())
    with pytest.raises(ValueError, match="PaperOptions.geometries"):
        experiments.PaperOptions(geometries=("best", "nope"))


def test_every_registered_experiment_has_a_cli_block_with_its_defaults():
    cfg = _compose([])
    for entry in experiments.EXPERIMENT_REGISTRY.entries():
        opts = entry.options
        if opts is None:
            continue
        block = cfg.experiment[entry.name]
        for f in dataclasses.fields(opts):
            want = getattr(opts(), f.name)
            got = block[f.name]
            assert (list(want) if isinstance(want, tuple) else want) == (
                list(got) if hasattr(got, "__len__") and not isinstance(got, str) else got
            ), (entry.name, f.name)


def test_a_registered_experiment_runs_from_python_and_can_be_removed():
    @dataclasses.dataclass(frozen=True)
    class EchoOptions:
        word: str = "hi"

    def echo(spec, options, ctx):
        ctx.phase("echo")
        return Outcome(printed=options.word * len(spec.categories))

    experiments.register_experiment("echo", echo, options=EchoOptions)
    try:
        phases = []
        ctx = experiments.Context(phase=phases.append)
        out = experiments.run("echo", TINY_SPEC, EchoOptions("ab"), context=ctx)
        assert out.printed == "abab" and phases == ["echo"]
        with pytest.raises(ValueError, match="already registered"):
            experiments.register_experiment("echo", echo)
    finally:
        experiments.EXPERIMENT_REGISTRY.unregister("echo")
    assert "echo" not in experiments.experiment_names()


def test_category_workloads_fit_each_category():
    spec = TINY_SPEC
    wls = spec.category_workloads()
    assert [(w.name, w.category) for w in wls] == [("digits_p75", "W"), ("digits_p75", "AW")]
    first = next(iter(wls[0]))
    assert first.a_mask.all() and not first.w_mask.all()
    assert np.array_equal(next(iter(wls[1])).a_mask, spec.workloads[0].layers[0].a_mask)
