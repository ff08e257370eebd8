"""The sensitivity driver: columns and rows, re-pricing vs re-running, the fragile flag, the
geometry input, errors."""

import math

import pytest

from griffin_jax.study import SENSITIVITY_COLUMNS, SENSITIVITY_INPUTS, claims_report, sensitivity

CONTINUOUS = [n for n, i in SENSITIVITY_INPUTS.items() if i.continuous]


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


def test_sram_table_repriced_equals_rerun(sens, report, workloads, designs_for):
    rerun = claims_report(workloads, designs_for(), "horowitz45_hp")
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


def test_geometry_reruns_or_says_why_not(report, workloads, designs_for):
    out = sensitivity(report, ["lanes"], workloads=workloads, designs_for=designs_for)
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
