"""Elasticities of the claims: the JAX gradient against finite differences and closed forms."""

import math

import pytest


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
