"""The paper experiment: claims on the configured core and the best dense geometry."""

import pytest

from griffin_jax.cli import _app, _build, _schema
from griffin_jax.experiments import Context
from griffin_jax.experiments._candidates import paper_geometries
from griffin_jax.study import READINGS, read_csv
from tests.conftest import FULL
from tests.conftest import compose_config as _compose

TINY = [
    "experiment=paper",
    "workload=synthetic",
    "workload.M=24",
    "workload.N=8",
    "workload.K=40",
    "core.rows=2",
    "core.cols=2",
    "core.lanes=8",
    "design.boxes=[[1,1,0]]",
    "experiment.plots=false",
    "experiment.paper.validate=false",
    "experiment.paper.sensitivity=[]",
]


def test_paper_runs_both_geometries_and_labels_every_row(tmp_path):
    out = _app.run(_compose(TINY), str(tmp_path))
    labels = out["geometries"]
    assert len(labels) == 2 and labels[0] == "2x2x8" and labels[1] != "2x2x8"
    claims = read_csv(tmp_path / "claims.csv")
    summary = read_csv(tmp_path / "summary.csv")
    for rows in (claims, summary):
        assert [r["geometry"] for r in rows] == sorted(
            (r["geometry"] for r in rows), key=labels.index
        )
        assert {r["geometry"] for r in rows} == set(labels)
    for label in labels:
        mine = [r for r in claims if r["geometry"] == label]
        assert {r["reading"] for r in mine} == {"", "R1", "R2", "R3"}
        assert all(
            r["comparator"] in ("tensordash_like", "sparten_like")
            for r in mine
            if r["reading"] == "R1"
        )
    md = (tmp_path / "claims.md").read_text()
    first_table = md.index("\n|")
    assert all(
        -1 < md.index(f"**{k}, {name}**") < first_table for k, (name, _, _) in READINGS.items()
    )
    assert md.count("**R1,") == 1 and all(f"## Geometry {g}" in md for g in labels)
    # A core the stored derivation was not made for: its section is left out of the report
    # (test_paper_report_holds_claims_validation_sensitivity_and_griffin has it on the core
    # it was made for).
    assert "## The derived Griffin" not in (tmp_path / "report.md").read_text()


def test_paper_geometries_switch(tmp_path, monkeypatch):
    import griffin_jax.study as study

    def geometries(overrides):
        spec, opts, settings = _build.check(_compose([*TINY, *overrides]))
        max_lanes = settings["geometry"].max_lanes
        return paper_geometries(spec, opts.geometries, max_lanes, Context())

    geoms, note = geometries(["experiment.paper.geometries=[configured]"])
    assert [(role, c.lanes) for role, c, _ in geoms] == [("configured", 8)] and "only" in note
    real = study.geometry_study

    def configured_wins(*args, **kwargs):
        rows = real(*args, **kwargs)
        for r in rows:
            r["rank"] = 1 if r["geometry"] == "2x2x8" else 2
        return rows

    monkeypatch.setattr(study, "geometry_study", configured_wins)
    for which in ("[configured,best]", "[best]"):
        geoms, note = geometries([f"experiment.paper.geometries={which}"])
        assert [role for role, _, _ in geoms] == ["configured"] and "one run" in note
    with pytest.raises(_schema.ConfigError, match="experiment.paper.geometries"):
        _app.run(_compose([*TINY, "experiment.paper.geometries=[best,nope]"]), str(tmp_path))


@pytest.mark.slow
def test_paper_report_holds_claims_validation_sensitivity_and_griffin(tmp_path):
    # One report.md with every part, its plots beside it; a small validation (one layer, eight
    # rows) and two inputs keep it short.
    keep = [o for o in TINY if not o.startswith(("experiment.paper.", "experiment.plots"))]
    cfg = _compose(
        [
            *keep,
            "experiment.paper.geometries=[configured]",
            "experiment.paper.sensitivity=[leakage_power_density,sram_cells]",
            "experiment.validate.max_layers=1",
            "experiment.validate.max_rows=8",
            "core.rows=8",
            "core.cols=8",
            "core.lanes=16",
        ]
    )
    out = _app.run(cfg, str(tmp_path))
    report = (tmp_path / "report.md").read_text()
    parts = [
        "## Readings",
        "## Claims",
        "## The derived Griffin",
        "## Validation of the prior presets",
        "## Sensitivity of the claims",
        "## Plots",
    ]
    assert all(p in report for p in parts)
    assert [report.index(p) for p in parts] == sorted(report.index(p) for p in parts)
    assert "Schedules are exact" in report
    for plot in out["plots"]:
        name = plot.rsplit("/", 1)[-1]
        assert (tmp_path / name).exists() and f"]({name})" in report
    sens = read_csv(tmp_path / "sensitivity.csv")
    assert {r["input"] for r in sens} == {"leakage_power_density", "sram_cells"}
    assert {r["geometry"] for r in sens} == {"8x8x16"}
    validation = read_csv(tmp_path / "validation.csv")
    agree = sum(r["verdict"] == "agrees" for r in validation)
    comparable = sum(r["verdict"] != "not comparable" for r in validation)
    assert f"{agree} of {comparable} comparable figures agree" in report
    # The derived wiring is named; a core it was not derived for leaves the section out (small
    # form: checked on test_paper_runs_both_geometries_and_labels_every_row's run instead of a
    # run of its own).
    from griffin_jax.design import derived_griffin

    assert derived_griffin().meta["wired_label"] in report
    if FULL:
        small = _compose([*TINY, "experiment.paper.geometries=[configured]"])
        _app.run(small, str(tmp_path / "small"))
        assert "## The derived Griffin" not in (tmp_path / "small" / "report.md").read_text()
