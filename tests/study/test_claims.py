"""Claims report: structure, consistency with its own table, statuses, errors."""

import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.design._presets import custom, preset
from griffin_jax.study import KINDS, PAPER_LOSS, PAPER_RATIO, candidate_designs, claims_report
from griffin_jax.study._claims import READINGS

CORE = gj.Core(rows=2, cols=2, lanes=8)


def _designs():
    p = {
        n: preset(n, CORE)
        for n in (
            "dense",
            "cnvlutin_like",
            "bit_tactical_like",
            "tensordash_like",
            "sparten_like",
            "stc_2to4",
            "griffin",
        )
    }
    return {
        "dense": [p["dense"]],
        "A": [p["cnvlutin_like"], custom("A_box11", CORE, "A", gj.Window.box(1, 1))],
        "W": [p["bit_tactical_like"], p["stc_2to4"]],
        "AW": [p["tensordash_like"], custom("AW_box11", CORE, "AW", gj.Window.box(1, 1))],
        "prior": [
            p["cnvlutin_like"],
            p["bit_tactical_like"],
            p["tensordash_like"],
            p["sparten_like"],
            p["stc_2to4"],
        ],
        "griffin": [p["griffin"]],
    }


def _workloads(seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for cat in ("dense", "W", "A", "AW"):
        for net in ("n1", "n2"):
            a = rng.random((6, 24)) < (0.45 if cat in ("A", "AW") else 2)
            w = rng.random((24, 5)) < (0.35 if cat in ("W", "AW") else 2)
            out.append((net, cat, [("l0", a, w, 2)]))
    return out


@pytest.fixture(scope="module")
def report():
    return claims_report(_workloads(), _designs(), "horowitz45", tolerance=0.2)


def test_rows_and_consistency(report):
    score = {(r["design"], r["category"]): r["tops_per_w"] for r in report.table}
    designs = _designs()
    a_rows = [r for r in report.claims if r["claim"].startswith("(a)")]
    b_rows = [r for r in report.claims if r["claim"].startswith("(b)")]
    assert [r["category"] for r in a_rows] == ["W", "A"]
    assert all(r["reading"] == "" and r["comparator"] == r["baseline"] for r in a_rows)
    assert [r["reading"] for r in b_rows] == ["R1"] * 4 + ["R2"] * 4 + ["R3"] * 4 * 5
    dual = max((d.name for d in designs["AW"]), key=lambda n: score[(n, "AW")])
    for r in a_rows:
        cat = r["category"]
        single = max((d.name for d in designs[cat]), key=lambda n: score[(n, cat)])
        assert (r["design"], r["baseline"]) == (dual, single)
        assert r["ours"] == pytest.approx(1 - score[(dual, cat)] / score[(single, cat)])
        assert r["paper"] == PAPER_LOSS
        lo, hi = PAPER_LOSS
        assert r["status"] == ("matches" if lo <= r["ours"] <= hi else "differs")
    for r in b_rows:
        cat = r["category"]
        assert r["claim"] == READINGS[r["reading"]][1]
        assert r["comparator"] == r["baseline"]
        assert r["ours"] == pytest.approx(score[("griffin", cat)] / score[(r["comparator"], cat)])
        assert r["ratio_vs_dense"] == pytest.approx(score[("griffin", cat)] / score[("dense", cat)])
        assert r["paper"] == PAPER_RATIO[cat]
        # within the band AND on the paper's side of 1 (docs/model.md 5.4)
        within = abs(r["ours"] / r["paper"] - 1) <= 0.2
        assert r["status"] == ("matches" if within and r["ours"] > 1 else "differs")
    for r in report.table:
        assert all(
            math.isfinite(r[k]) and r[k] > 0 for k in ("tops_per_w", "tops_per_mm2", "speedup")
        )
    # a sparse-aware design beats the dense core on dual-sparse models here
    assert max(score[(d.name, "AW")] for d in designs["AW"]) > score[("dense", "AW")]


def test_readings(report):
    score = {(r["design"], r["category"]): r["tops_per_w"] for r in report.table}
    priors = [d.name for d in _designs()["prior"]]
    by = {k: [r for r in report.claims if r["reading"] == k] for k in READINGS}
    for cat in ("dense", "W", "A", "AW"):
        (r1,) = [r for r in by["R1"] if r["category"] == cat]
        assert r1["comparator"] in ("tensordash_like", "sparten_like")
        assert score[(r1["comparator"], cat)] == max(
            score[(n, cat)] for n in ("tensordash_like", "sparten_like")
        )
        (r2,) = [r for r in by["R2"] if r["category"] == cat]
        assert score[(r2["comparator"], cat)] == max(score[(n, cat)] for n in priors)
        assert r2["prior_dual"] == r1["comparator"]
        assert r2["ratio_vs_prior_dual"] == pytest.approx(r1["ours"])
        r3 = [r["comparator"] for r in by["R3"] if r["category"] == cat]
        assert r3 == priors  # one row per prior preset, in order
        assert r2["ours"] == pytest.approx(min(r["ours"] for r in by["R3"] if r["category"] == cat))


def test_r1_without_a_dual_sparse_prior_is_not_applicable():
    d = _designs()
    d["prior"] = [a for a in d["prior"] if a.hardware.exploit != "AW"]
    rep = claims_report(_workloads()[:2], d)
    (r1,) = [r for r in rep.claims if r["reading"] == "R1"]
    assert r1["status"] == "n/a" and math.isnan(r1["ours"]) and r1["comparator"] == ""
    assert {r["reading"] for r in rep.claims} == {"R1", "R2", "R3"}


def test_geometry_labels(report):
    rows = report.claims + report.table
    assert report.geometry == "2x2x8" and all(r["geometry"] == "2x2x8" for r in rows)
    rep = claims_report(_workloads()[:2], _designs(), geometry="best 2x2x8")
    assert all(r["geometry"] == "best 2x2x8" for r in rep.claims + rep.table)
    assert "best 2x2x8" in rep.markdown()


def test_markdown(report):
    md = report.markdown()
    assert "| claim |" in md and "20%-30%" in md and "3.1x" in md and "horowitz45" in md
    assert md.count("\n| (b)") == 4 * (1 + 1 + 5)
    first_table = md.index("\n|")
    for key, (name, _, argument) in READINGS.items():
        assert -1 < md.index(f"**{key}, {name}**: {argument}") < first_table
    bare = report.markdown(readings=False)
    assert "**R1" not in bare and bare.startswith("Geometry `2x2x8`")


def test_tolerance_only_changes_statuses():
    wl = _workloads()[:2] + _workloads()[6:]  # dense and AW networks only
    loose = claims_report(wl, _designs(), tolerance=100.0)
    strict = claims_report(wl, _designs(), tolerance=0.0)
    assert [r["ours"] for r in loose.claims] == [r["ours"] for r in strict.claims]
    # however wide the band, a ratio below 1 never matches a paper that says Griffin wins
    assert all((r["status"] == "matches") == (r["ours"] > 1) for r in loose.claims)
    assert any(r["ours"] < 1 for r in loose.claims) and any(r["ours"] > 1 for r in loose.claims)
    assert all(r["status"] == "differs" for r in strict.claims)
    assert not any(r["claim"].startswith("(a)") for r in loose.claims)  # no single-sparse nets


def test_a_loss_inside_the_band_is_not_a_match():
    from griffin_jax.study._claims import ratio_status

    assert ratio_status(0.98, 1.2) == "differs"  # inside +-20% of 1.2x, but Griffin loses
    assert ratio_status(1.0, 1.2) == "differs"
    assert ratio_status(1.05, 1.2) == "matches"
    assert ratio_status(1.5, 1.2) == "differs"
    assert ratio_status(0.9, 0.8) == "matches"  # both below 1


def test_candidate_designs_cover_every_kind():
    cands = candidate_designs(CORE)
    assert set(cands) == set(KINDS)
    for kind, accs in cands.items():
        assert accs
        for acc in accs:
            assert acc.core.multipliers == CORE.multipliers
            if kind in ("A", "W", "AW"):
                assert acc.hardware.exploit == kind
    assert {"tensordash_like", "sparten_like"} <= {a.name for a in cands["AW"]}


def test_bad_arguments():
    d = _designs()
    with pytest.raises(ValueError, match="workloads"):
        claims_report([], d)
    with pytest.raises(ValueError, match="category"):
        claims_report([("n", "sparse", [])], d)
    with pytest.raises(ValueError, match="workloads"):
        claims_report([("n", "W")], d)
    with pytest.raises(ValueError, match="griffin"):
        claims_report(_workloads()[:1], {k: v for k, v in d.items() if k != "griffin"})
    dup = dict(d, A=[custom("dense", CORE, "A", gj.Window.box(1))])
    with pytest.raises(ValueError, match="named 'dense'"):
        claims_report(_workloads()[:1], dup)
