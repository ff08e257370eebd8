"""Validation against the published figures: a small version of every row, and the rules."""

import math

import pytest

from griffin_jax import design
from griffin_jax.cost import evaluate
from griffin_jax.study import (
    TOLERANCE,
    VALIDATION_COLUMNS,
    agreement,
    agreement_text,
    load_published,
    parse_tag,
    validate,
    validation_markdown,
    verdict,
)
from griffin_jax.study._validate import metric_value, tag_layers
from tests.conftest import REQUIRED_VALIDATION


@pytest.fixture(scope="module")
def small():
    published = load_published()
    return published, validate(published, max_layers=1, max_rows=16)


def test_one_row_per_published_row_with_the_required_columns(small):
    published, rows = small
    assert len(rows) == len(published)
    for p, r in zip(published, rows):
        assert all(c in r for c in VALIDATION_COLUMNS)
        assert (r["preset"], r["metric"]) == (p["preset"], p["metric"])
        assert r["published"] == float(p["published"])
        assert r["source"] == p["source"]
        assert r["conditions"]


def test_verdict_rule_and_ratio(small):
    published, rows = small
    for p, r in zip(published, rows):
        if p["not_comparable"].strip():
            assert r["verdict"] == "not comparable" and r["reason"].startswith("not comparable")
            continue
        if math.isnan(r["ours"]):
            assert r["verdict"] == "deviates" and r["reason"]
            continue
        assert r["ratio"] == pytest.approx(r["ours"] / r["published"], rel=1e-12)
        if (
            "upper bound" in r["conditions"]
            or r["metric"] == "area_overhead"
            and (r["preset"] == "tensordash_like")
        ):
            continue  # the bound rule is tested below
        within = abs(r["ratio"] - 1) <= TOLERANCE
        assert (r["verdict"] == "agrees") == within, r
        if r["verdict"] == "deviates":
            assert r["reason"].strip()
        else:
            assert r["reason"] == ""


def test_the_issue_s_figures_are_all_measured(small):
    _, rows = small
    bounds = {(r["preset"], r["metric"]): r["bound"] for r in rows}
    assert bounds[("tensordash_like", "area_overhead")] == "upper"
    need = set(REQUIRED_VALIDATION)
    measured = {(r["preset"], r["metric"]) for r in rows if not math.isnan(r["ours"])}
    assert need <= measured


def test_bounds_and_the_tolerance_edges():
    assert verdict(1.25, 1.0) == (1.25, "agrees")
    assert verdict(1.26, 1.0)[1] == "deviates"
    assert verdict(0.74, 1.0)[1] == "deviates"
    assert verdict(0.06, 0.05, "upper")[1] == "agrees"
    assert verdict(0.07, 0.05, "upper")[1] == "deviates"
    assert verdict(0.001, 0.05, "upper")[1] == "agrees"
    assert verdict(5.0, 1.3, "lower")[1] == "agrees"
    assert verdict(0.9, 1.3, "lower")[1] == "deviates"
    assert verdict(float("nan"), 1.0)[1] == "deviates"
    # a figure that includes what the model has not got is counted apart, ratio still given
    assert verdict(1.0, 1.0, None, "a bit-serial back end") == (1.0, "not comparable")
    assert verdict(3.0, 1.0, None, "  ")[1] == "deviates"
    rows = [{"verdict": v} for v in ("agrees", "deviates", "not comparable", "agrees")]
    assert agreement(rows) == (2, 3, 4)
    assert agreement_text(rows).startswith("2 of 3 comparable figures agree")


def test_area_overhead_uses_total_area_for_a_whole_accelerator(small):
    published, rows = small
    r = next(r for r in rows if (r["preset"], r["metric"]) == ("cnvlutin_like", "area_overhead"))
    assert r["scope"] == "total"
    reps = evaluate(
        [design.preset("cnvlutin_like"), design.preset("dense")],
        "dense",
        [("probe", [[True] * 4] * 4, [[True] * 4] * 4, 1)],
    )
    want = reps[0].area_mm2 / reps[1].area_mm2 - 1
    assert r["ours"] == pytest.approx(want)
    assert r["ours_other"] == pytest.approx(reps[0].area_core_mm2 / reps[1].area_core_mm2 - 1)


def test_one_sided_baseline_is_the_faster_candidate():
    row = next(
        r
        for r in load_published()
        if r["preset"] == "sparten_like" and "one-sided" in r["baseline"]
    )
    out = validate([row], max_layers=1, max_rows=16)[0]
    tag = parse_tag(row["how_matched"])
    layers = tag_layers(tag, "vgg16", max_layers=1, max_rows=16)
    names = ("sparten_like", "cnvlutin_like", "cambricon_x_like")
    sp, cnv, cx = evaluate([design.preset(n) for n in names], "AW", layers)
    base = cnv if cnv.cycles <= cx.cycles else cx
    assert out["ours"] == pytest.approx(metric_value("speedup", sp, base, "total"))
    assert out["ours"] == pytest.approx(base.cycles / sp.cycles)


def test_tags_parse_and_bad_rows_raise():
    assert parse_tag("[category=W; a=dense; w=2:4] text") == {
        "category": "W",
        "a": "dense",
        "w": "2:4",
        "stand_in": False,
    }
    assert parse_tag("[category=AW; a=0.5; w=0.3; stand-ins] x")["stand_in"]
    assert parse_tag("no tag") is None
    with pytest.raises(ValueError, match="category"):
        parse_tag("[a=0.5] x")
    row = {**load_published()[0], "metric": "latency"}
    with pytest.raises(ValueError, match="metric"):
        validate([row], max_layers=1, max_rows=8)


def test_markdown_has_a_paragraph_per_deviation(small):
    _, rows = small
    md = validation_markdown(rows, "# t")
    assert md.count("\n| ") == len(rows) + 1
    n_dev = sum(r["verdict"] != "agrees" for r in rows)
    assert md.count("\n**") == n_dev
    assert "comparable figures agree" in md and "## Not comparable" in md


def test_density_sweep_is_monotone_in_density():
    from griffin_jax.study import density_sweep

    pts = ((0.9, 0.9), (0.3, 0.3))
    rows = density_sweep(networks=("vgg16",), points=pts, max_layers=2, max_rows=16)
    assert [(r["a_density"], r["w_density"]) for r in rows] == list(pts)
    # Sparser operands leave fewer effectual MACs: the skipping design cannot get slower.
    assert rows[1]["speedup"] >= rows[0]["speedup"] >= 1.0
    md = validation_markdown([], "", rows)
    assert md.count("| 0.3 | 0.3 |") == 1
