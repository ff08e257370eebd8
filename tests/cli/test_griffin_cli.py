"""experiment=griffin: Griffin's derivation from the command line's config (docs/model.md 5.2)."""

import json

import pytest

from griffin_jax.cli import _app, _schema
from griffin_jax.design import derived_griffin
from griffin_jax.design._griffin import DERIVED_RESOURCE
from griffin_jax.study import WIRING_COLUMNS, read_csv
from tests.conftest import compose_config

SMALL = [
    "experiment=griffin",
    "workload=synthetic",
    "workload.M=32",
    "workload.K=48",
    "workload.N=16",
    "core.rows=2",
    "core.cols=2",
    "core.lanes=8",
    "design.box_time=[1,2]",
    "design.box_lane=[0,1]",
    "design.box_group=[0]",
    "design.boxes=[[1,0,1]]",
    "design.shapes=[]",
    "experiment.griffin.search=false",
    "runtime.progress=false",
    "runtime.sample=null",
]


_compose = compose_config


def _package_file() -> str:
    import importlib.resources

    package, name = DERIVED_RESOURCE
    return importlib.resources.files(package).joinpath(name).read_text()


def test_small_derivation_writes_tables_and_a_derived_file(tmp_path, capsys):
    before = _package_file()
    out = _app.run(_compose(SMALL), str(tmp_path))
    rows = read_csv(tmp_path / "griffin.csv")
    assert list(rows[0])[: len(WIRING_COLUMNS)] == list(WIRING_COLUMNS)
    # 5 wirings (4 grid boxes + one listed box), each: AW hardware + Griffin in 4 categories
    # per wiring: the fixed AW core, then both Griffins (reuse, no reuse) in four categories
    assert len(rows) == 5 * 9 and out["wirings"] == 5
    modes = read_csv(tmp_path / "griffin_modes.csv")
    assert {r["category"] for r in modes if r["chosen"] in (True, "True")} == {
        "dense",
        "W",
        "A",
        "AW",
    }
    d = derived_griffin(tmp_path / "derived.yaml")
    assert d.wired.label() == out["wired"]
    assert d.meta["command"].startswith("griffin-jax experiment=griffin")
    assert d.meta["sim"] == {"exact": True}
    assert d.meta["core"]["lanes"] == 8 and d.meta["workloads"][0]["kind"] == "synthetic"
    md = (tmp_path / "griffin.md").read_text()
    assert "derived wiring" in md.lower() and "EDP-optimal wiring" in md
    assert "## The derivation's own sensitivity" in md
    moved = read_csv(tmp_path / "griffin_sensitivity.csv")
    assert {r["input"] for r in moved} >= {"ff_clock_energy", "cell_switching_energy", "sram_cells"}
    for r in moved:  # a row that keeps the wiring says so, and names the same wiring
        assert (r["wiring_changed"] in (True, "True")) == (r["wired"] != out["wired"])
    assert (tmp_path / "griffin_pareto.png").stat().st_size > 0
    # both Griffins' chosen modes, in every category
    chosen = {(r["variant"], r["category"]) for r in modes if r["chosen"] in (True, "True")}
    assert len(chosen) == 8 and {v for v, _ in chosen} == {"griffin", "griffin_noreuse"}
    with open(tmp_path / "status.json") as f:
        status = json.load(f)
    assert status["status"] == "ok"
    assert {"derive wirings", "derive modes AW", "derive modes A"} <= set(status["phases"])
    assert out["stored"] is None and _package_file() == before  # never silently overwritten
    assert f"derived wiring {out['wired']}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "key,value", [("search_steps", 0), ("search_seed", -1), ("search_objective", "best")]
)
def test_bad_griffin_options_name_the_key(tmp_path, key, value):
    with pytest.raises(Exception, match=f"experiment.griffin.{key}"):
        _app.run(_compose([*SMALL, f"experiment.griffin.{key}={value}"]), str(tmp_path))


def test_the_presets_windows_are_candidate_wirings_by_default():
    from griffin_jax.cli import _build

    cfg = _compose([s for s in SMALL if not s.startswith("design.shapes")])
    labels = [w.label() for w in _build.designs(cfg).extra_windows()]
    assert len(labels) == 4 and labels[0] == "box(1,0,1)"  # the listed box, then 3 shapes


def test_no_wiring_that_fits_is_a_config_error(tmp_path):
    cfg = _compose([*SMALL, "design.box_lane=[9]", "design.boxes=[]"])
    with pytest.raises(_schema.ConfigError, match="design"):
        _app.run(cfg, str(tmp_path))
