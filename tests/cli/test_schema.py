"""The config checks: keys (with the nearest valid one), types and values, named by key."""

import pytest
from omegaconf import OmegaConf

from griffin_jax.cli import _build, _schema
from tests.conftest import compose_config

_compose = compose_config


@pytest.mark.parametrize("experiment", ["study", "quick", "paper", "search"])
def test_every_shipped_experiment_passes_the_checks(experiment):
    _build.check(_compose([f"experiment={experiment}"]))


@pytest.mark.parametrize(
    "override, msg",
    [
        ("+core.lane=8", "core.lane: unknown key; did you mean core.lanes?"),
        ("+runtime.sampel=0.1", "runtime.sampel: unknown key; did you mean runtime.sample?"),
        ("+experiment.search.step=3", "did you mean experiment.search.steps?"),
        ("+zzz=1", "zzz: unknown key; known: core, design"),
    ],
)
def test_appended_typos_name_the_nearest_key(override, msg):
    with pytest.raises(_schema.ConfigError, match=msg.replace("?", r"\?")):
        _schema.check_keys(_compose([override]))


def test_free_form_tags_accept_any_key():
    cfg = _compose(["+experiment.tags.sweep=a", "+experiment.tags.note=b"])
    _build.check(cfg)
    _schema.check_override_keys(
        [
            "+experiment.tags.sweep=a",
            "core=wide",
            "hydra.run.dir=x",
            "hydra/launcher=joblib",
            "~design.windows",
        ]
    )


@pytest.mark.parametrize(
    "override, msg",
    [
        ("core.lanez=4", "core.lanez: unknown key; did you mean core.lanes?"),
        ("++design.exploit=[A]", "design.exploit: unknown key; did you mean design.exploits?"),
        ("workload.sed=3", "workload.sed: unknown key; did you mean workload.seed?"),
    ],
)
def test_command_line_typos_are_caught_before_composition(override, msg):
    with pytest.raises(_schema.ConfigError, match=msg.replace("?", r"\?")):
        _schema.check_override_keys(["experiment=quick", override])


@pytest.mark.parametrize("override", ["core.rows=eight", "core.lanes=8,x", "design.box_time=[1,a]"])
def test_command_line_values_of_the_wrong_type_name_their_key(override):
    key = override.split("=")[0]
    with pytest.raises(_schema.ConfigError, match=f"{key}: Value"):
        _schema.check_override_keys([override])


def test_command_line_values_hydra_resolves_are_left_to_it():
    _schema.check_override_keys(
        [
            "core.lanes=8,16",
            "runtime.sample=null",
            "core.rows=${core.cols}",
            "core.lanes=range(8,17,8)",
            "workload.seed=choice(1,2)",
        ]
    )


def test_a_wrong_type_names_its_key():
    # A config built outside Hydra (a plain mapping): the schema's types still apply.
    cfg = OmegaConf.create(OmegaConf.to_container(_compose([])))
    cfg.core.rows = "eight"
    with pytest.raises(_schema.ConfigError, match="core.rows"):
        _schema.check_types(cfg)


@pytest.mark.parametrize(
    "override, key",
    [
        ("design.exploits=[B]", "design.exploits"),
        ("design.box_time=[0]", "design.box_time"),
        ("design.box_lane=[-1]", "design.box_lane"),
        ("design.boxes=[[1,0]]", "design.boxes"),
        ("design.sync=nope", "design.sync"),
        ("design.presets=[nope]", "design.presets"),
        ("workload.categories=[X]", "workload.categories"),
        ("workload.n_images=0", "n_images"),
        ("workload.a_density=1.5", "workload.a_density"),
        ("workload.M=0", "workload.M"),
        ("runtime.chunk=0", "runtime.chunk"),
        ("runtime.memory_gb=0", "runtime.memory_gb"),
        ("runtime.memory_gb=-2", "runtime.memory_gb"),
        ("runtime.platform=abc", "runtime.platform"),
        ("experiment.search.objective=speed", "experiment.search.objective"),
        ("experiment.search.area_budget_mm2=0", "area_budget_mm2"),
    ],
)
def test_bad_values_name_their_key(override, key):
    with pytest.raises(_schema.ConfigError, match=key):
        _build.check(_compose([override]))


def test_the_memory_budget_reaches_the_scheduler_with_the_librarys_default():
    from griffin_jax.sim import SimOptions

    assert _build.sim(_compose([])).memory_gb == SimOptions().memory_gb
    assert _build.sim(_compose(["runtime.memory_gb=2.5"])).memory_gb == 2.5
    assert _build.sim(_compose(["runtime.memory_gb=null"])).memory_gb is None
