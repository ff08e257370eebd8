"""Sensitivity of the claims: elasticities (gradient vs finite differences, closed forms), the
fragile flag, re-pricing vs re-running, columns and errors."""

import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.design._presets import custom, preset
from griffin_jax.study import (
    SENSITIVITY_COLUMNS,
    SENSITIVITY_INPUTS,
    claims_report,
    sensitivity,
)
from griffin_jax.study import _sensitivity as S

# The default buffers (128 / 128 / 32 KB): on this core most banks sit exactly on a CACTI grid
# capacity, a corner of the interpolation, so the symmetric gradient is exercised too.
CORE = gj.Core(rows=2, cols=2, lanes=8)
CONTINUOUS = [n for n, i in SENSITIVITY_INPUTS.items() if i.continuous]


def _designs(core=CORE):
    p = {
        n: preset(n, core)
        for n in (
            "dense",
            "cnvlutin_like",
            "bit_tactical_like",
            "tensordash_like",
            "sparten_like",
            # The v1 wiring: its neighbour-group offset makes a one-column core unusable,
            # which test_geometry_reruns_or_says_why_not relies on.
            "griffin_v1",
        )
    }
    return {
        "dense": [p["dense"]],
        "A": [p["cnvlutin_like"], custom("A_box11", core, "A", gj.Window.box(1, 1))],
        "W": [p["bit_tactical_like"]],
        "AW": [p["tensordash_like"], custom("AW_box11", core, "AW", gj.Window.box(1, 1))],
        "prior": [
            p["cnvlutin_like"],
            p["bit_tactical_like"],
            p["tensordash_like"],
            p["sparten_like"],
        ],
        "griffin": [p["griffin_v1"]],
    }


def _workloads():
    rng = np.random.default_rng(3)
    out = []
    for cat in ("dense", "W", "A", "AW"):
        for net in ("n1",):
            a = rng.random((6, 24)) < (0.45 if cat in ("A", "AW") else 2)
            w = rng.random((24, 5)) < (0.35 if cat in ("W", "AW") else 2)
            out.append((net, cat, [("l0", a, w, 2)]))
    return out


@pytest.fixture(scope="module")
def report():
    return claims_report(_workloads(), _designs(), "horowitz45")


@pytest.fixture(scope="module")
def sens(report):
    return sensitivity(
        report, CONTINUOUS + ["sram_cells", "operand_bits"], workloads=_workloads(), samples=2
    )


def test_columns_and_rows(sens, report):
    assert all(tuple(r) == SENSITIVITY_COLUMNS for r in sens.rows)
    assert len(sens.rows) == (len(CONTINUOUS) + 2) * len(report.claims)
    r = next(r for r in sens.rows if r["input"] == "clock_ghz")
    assert (r["nominal"], r["low"], r["high"]) == (1.0, 0.5, 2.0)
    # the nominal ratio is the claims report's own
    for r, c in zip(sens.rows, report.claims):
        want = 1 - c["ours"] if c["reading"] == "" else c["ours"]
        assert r["ratio_nominal"] == pytest.approx(want, rel=1e-12, nan_ok=True)
    discrete = [r for r in sens.rows if r["input"] in ("sram_cells", "operand_bits")]
    assert all(math.isnan(r["elasticity"]) for r in discrete)
    bits = next(r for r in discrete if r["input"] == "operand_bits")
    assert (bits["nominal"], bits["low"], bits["high"]) == (8, 4, 16)


def test_precision_reruns_the_claims(sens):
    rows = [r for r in sens.rows if r["input"] == "operand_bits"]
    assert all(math.isfinite(r["ratio_low"]) == math.isfinite(r["ratio_nominal"]) for r in rows)
    # 4-bit operands make SRAM bits a larger share of every design's energy: ratios move
    assert any(r["ratio_low"] != pytest.approx(r["ratio_nominal"], rel=1e-6) for r in rows)


def test_gradient_agrees_with_finite_differences(sens):
    big = [r for r in sens.rows if abs(r["elasticity"]) > 0.01]
    assert len(big) >= 10  # not vacuous
    for r in big:
        assert r["elasticity_fd"] == pytest.approx(r["elasticity"], rel=0.05), r


def _closed_form(report, row, leak_share):
    """d log ratio / d log input when d log E / d log input = leak_share(report)."""
    logs = {}
    for (_, cat), reps in report.reports:
        for rep in reps:
            logs.setdefault((rep.name, cat), []).append(-leak_share(rep))
    mean = {k: sum(v) / len(v) for k, v in logs.items()}
    return mean[(row["design"], row["category"])] - mean[(row["baseline"], row["category"])]


@pytest.mark.parametrize(
    "name, share",
    [
        ("leakage_power_density", lambda r: r.energy["leakage"] / r.energy_pj),
        (
            "clock_ghz",
            lambda r: -(r.energy["leakage"] + r.energy["sram_leakage"]) / r.energy_pj,
        ),
    ],
)
def test_elasticity_closed_forms(sens, report, name, share):
    rows = [r for r in sens.rows if r["input"] == name]
    checked = 0
    for r, c in zip(rows, report.claims):
        if not math.isfinite(r["ratio_nominal"]):
            continue
        want = _closed_form(report, c, share)
        assert r["elasticity"] == pytest.approx(want, rel=1e-9, abs=1e-12)
        checked += abs(want) > 1e-4
    assert checked


def test_sram_table_repriced_equals_rerun(sens, report):
    rerun = claims_report(_workloads(), _designs(), "horowitz45_hp")
    rows = [r for r in sens.rows if r["input"] == "sram_cells"]
    for r, c in zip(rows, rerun.claims):
        want = 1 - c["ours"] if c["reading"] == "" else c["ours"]
        assert r["ratio_low"] == pytest.approx(want, rel=1e-10, nan_ok=True)
    assert any(r["ratio_low"] != pytest.approx(r["ratio_nominal"]) for r in rows)


def test_fragile_when_and_only_when_the_direction_flips(report):
    # At an extreme core leakage every energy is core leakage: a ratio tends to the inverse
    # ratio of (core area x time). A claim whose nominal direction differs from that limit's
    # must flip inside a wide enough range; none may be flagged otherwise (samples=0).
    out = sensitivity(report, ["leakage_power_density"], factors=(1e-6, 1e6), samples=0)
    flipped = 0
    for r in out.rows:
        d0 = r["ratio_nominal"] > 1
        if not math.isfinite(r["ratio_nominal"]):
            assert not r["fragile"]
            continue
        moved = (r["ratio_low"] > 1) != d0 or (r["ratio_high"] > 1) != d0
        assert r["fragile"] == moved
        flipped += moved
    assert 0 < flipped < len(out.rows)
    assert "Fragile claims" in out.markdown()


def test_geometry_reruns_or_says_why_not(report):
    out = sensitivity(report, ["lanes"], workloads=_workloads(), designs_for=_designs)
    r = out.rows[0]
    assert (r["nominal"], r["low"], r["high"]) == ("2x2x8", "4x2x4", "2x1x16")
    assert all(math.isfinite(x["ratio_low"]) for x in out.rows if x["reading"] != "R1")
    # Griffin's neighbour-group offset needs two groups: 2x1x16 cannot hold it
    assert all(math.isnan(x["ratio_high"]) for x in out.rows)
    assert len(out.notes) == 1 and "2x1x16" in out.notes[0] and "2x1x16" in out.markdown()


def test_unknown_inputs_and_bad_ranges_name_the_field(report):
    with pytest.raises(ValueError, match="'clock'"):
        sensitivity(report, ["clock"])
    with pytest.raises(ValueError, match="factors"):
        sensitivity(report, ["clock_ghz"], factors=(2.0, 0.5))
    with pytest.raises(ValueError, match="workloads"):
        sensitivity(report, ["operand_bits"])


def test_every_assumption_of_the_tech_is_moved_or_said_unused():
    tech = cost.load_tech("horowitz45")
    assumed = {f for f, src in tech.sources.items() if src.startswith("ASSUMPTION")}
    moved = set(SENSITIVITY_INPUTS) | set(S.UNUSED_ASSUMPTIONS)
    assert assumed <= moved, assumed - moved
    for inp in SENSITIVITY_INPUTS.values():
        assert inp.how and inp.source and len(inp.range) == 2
        assert not inp.continuous or inp.range == S.DEFAULT_FACTORS


def test_precision_rule_and_lanes_cores():
    tech = cost.load_tech("horowitz45")
    t4 = S.precision_tech(tech, 4)
    assert t4.operand_bits == 4 and t4.accumulator_bits == 16
    assert t4.mult8_energy == pytest.approx(tech.mult8_energy / 4)
    assert t4.mult8_area == pytest.approx(tech.mult8_area / 4)
    assert t4.add8_energy == tech.add8_energy
    core = gj.Core(8, 8, 16)
    lo, hi = S.lanes_core(core, 0.5), S.lanes_core(core, 2.0)
    assert (lo.rows, lo.cols, lo.lanes) == (16, 8, 8)
    assert (hi.rows, hi.cols, hi.lanes) == (8, 4, 32)
    assert lo.multipliers == hi.multipliers == core.multipliers
