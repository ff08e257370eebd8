"""SensitivityReport: the fragile rows and what the markdown summary says about them."""

import math

from griffin_jax.study import SENSITIVITY_COLUMNS, SENSITIVITY_INPUTS, SensitivityReport


def _row(name, ratio, low, high, elasticity, fd, fragile):
    values = dict(
        input=name,
        nominal=1.0,
        low=0.5,
        high=2.0,
        claim="(b) Griffin vs best prior",
        reading="R1",
        category="AW",
        ratio_nominal=ratio,
        ratio_low=low,
        ratio_high=high,
        elasticity=elasticity,
        elasticity_fd=fd,
        fragile=fragile,
    )
    return {k: values[k] for k in SENSITIVITY_COLUMNS}


def test_fragile_rows_and_markdown(report):
    steady = _row("clock_ghz", 1.2, 1.1, 1.3, 0.25, 0.25, False)
    flips = _row("leakage_power_density", 1.004, 0.9, 1.1, -0.5, -0.3, True)
    nan = _row("operand_bits", 1.2, 1.3, 1.1, math.nan, math.nan, False)
    rep = SensitivityReport(rows=(steady, flips, nan), claims=report, samples=2)
    assert rep.fragile() == [flips]
    md = rep.markdown()
    for name in ("clock_ghz", "leakage_power_density", "operand_bits"):
        assert f"| {name} | {SENSITIVITY_INPUTS[name].how} |" in md
    assert "(and 2 points between)" in md
    # the per-bit SRAM model's constants are gone, not listed as unmoved assumptions
    assert "Not moved" not in md and "sram_bank_kb" not in md
    assert "| (b) Griffin vs best prior | R1 | AW | leakage_power_density | 1.004 | 0.900 |" in md
    assert "1 of the 1 fragile rows are near-ties" in md
    # the finite difference is 40% off the gradient on one row: the summary says where
    assert "differ by more than 5% in 1 rows (leakage_power_density on AW)" in md
    assert "leakage_power_density -0.500, clock_ghz +0.250" in md
    calm = SensitivityReport(rows=(steady,), claims=report).markdown()
    assert "No claim changes direction inside these ranges." in calm
    assert "Fragile claims" not in calm and "differ by more than" not in calm
