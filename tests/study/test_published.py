"""The published figures of the prior presets (study/data/published.csv): schema and coverage.

The file is data for the validation experiment (docs/model.md section 7): every row names a
prior preset, a metric, a published number with its source and the conditions to reproduce it.
"""

import csv
import math
import pathlib

import pytest

import griffin_jax.study
from griffin_jax.design import PRIOR_PRESETS
from griffin_jax.workloads import CATEGORIES, NETWORKS, PROFILES, parse_nm
from tests.conftest import REQUIRED_VALIDATION

CSV_PATH = pathlib.Path(griffin_jax.study.__file__).parent / "data" / "published.csv"
COLUMNS = [
    "preset",
    "paper",
    "metric",
    "published",
    "unit",
    "conditions",
    "baseline",
    "scope",
    "a_density",
    "w_density",
    "structured",
    "networks",
    "how_matched",
    "source",
    "found_at",
    "verified",
    "note",
    "not_comparable",
]
METRICS = (
    "speedup",
    "energy_efficiency_gain",
    "perf_per_watt_gain",
    "area_overhead",
    "edp_gain",
    "power_overhead",
    "power_saving",
)
# Overheads and savings are fractions (0.045 for 4.5%); gains and speedups are ratios ("x").
UNIT = {m: ("fraction" if m.endswith(("_overhead", "_saving")) else "x") for m in METRICS}
# Issue 13 item 1, the "at least" list.
REQUIRED = REQUIRED_VALIDATION
TEXT_REQUIRED = ("paper", "conditions", "baseline", "scope", "how_matched", "source", "found_at")


def _load():
    with CSV_PATH.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


@pytest.fixture(scope="module")
def table():
    return _load()


def test_columns_exact(table):
    header, rows = table
    assert header == COLUMNS
    assert rows, "published.csv has no rows"
    for i, row in enumerate(rows):
        assert None not in row, f"row {i} has more cells than columns"
        assert all(v is not None for v in row.values()), f"row {i} has fewer cells than columns"


def test_published_is_a_positive_float_in_the_metric_unit(table):
    for row in table[1]:
        value = float(row["published"])
        assert math.isfinite(value) and value > 0, row["published"]
        assert row["metric"] in METRICS, row["metric"]
        assert row["unit"] == UNIT[row["metric"]], (row["metric"], row["unit"])
        if row["unit"] == "x":
            # A gain below 1 would be a loss: none of the published figures is.
            assert value >= 1.0, (row["preset"], row["metric"], value)


def test_presets_verified_and_text_fields(table):
    for row in table[1]:
        assert row["preset"] in PRIOR_PRESETS, row["preset"]
        assert row["verified"] in ("yes", "no", "partial"), row["verified"]
        for field in TEXT_REQUIRED:
            assert row[field].strip(), f"{row['preset']} {row['metric']}: empty {field}"
        if row["verified"] != "yes":
            # Unverified or second-hand figures must say why.
            assert row["note"].strip(), f"{row['preset']} {row['metric']}: no note"


def test_densities_in_unit_interval_or_empty(table):
    for row in table[1]:
        for field in ("a_density", "w_density"):
            if row[field] == "":
                continue
            d = float(row[field])
            assert 0.0 < d <= 1.0, (row["preset"], field, d)


def test_structured_patterns_match_weight_density(table):
    for row in table[1]:
        pattern = row["structured"]
        if ":" not in pattern:
            continue
        n, m = parse_nm(pattern)
        assert row["w_density"] != "", f"{pattern} row without w_density"
        assert math.isclose(float(row["w_density"]), n / m), (pattern, row["w_density"])


def test_networks_exist(table):
    known = set(NETWORKS) | {"digits"}
    for row in table[1]:
        for name in filter(None, row["networks"].split(";")):
            assert name in known, (row["preset"], name)


def test_issue_metrics_and_every_prior_preset_present(table):
    have = {(row["preset"], row["metric"]) for row in table[1]}
    missing = [pair for pair in REQUIRED if pair not in have]
    assert not missing, f"missing required published figures: {missing}"
    presets = {row["preset"] for row in table[1]}
    assert presets == set(PRIOR_PRESETS), set(PRIOR_PRESETS) ^ presets


def test_no_duplicate_rows(table):
    keys = [(r["preset"], r["paper"], r["metric"], r["scope"], r["conditions"]) for r in table[1]]
    assert len(keys) == len(set(keys))


def _check_operand(value: str) -> None:
    if value == "dense" or value in PROFILES:
        return
    if ":" in value:
        parse_nm(value)
        return
    assert 0.0 < float(value) <= 1.0, value


def test_how_matched_tags_name_a_category_and_valid_operands(table):
    """``[category=..; a=..; w=..; ..]`` opens how_matched for every row that runs a workload."""
    tagged = 0
    for row in table[1]:
        text = row["how_matched"]
        if not text.startswith("["):
            continue
        tagged += 1
        fields = dict(
            part.strip().split("=", 1)
            for part in text[1 : text.index("]")].split(";")
            if "=" in part
        )
        assert fields["category"] in CATEGORIES, fields
        _check_operand(fields["a"])
        _check_operand(fields["w"])
    assert tagged >= len(REQUIRED)


def test_not_comparable_rows_say_what_the_model_has_not_got(table):
    # docs/model.md 7: a back end, another chip and baseline, a GPU end to end, off-chip memory
    apart = [r for r in table[1] if r["not_comparable"].strip()]
    assert apart and len(apart) < len(table[1])
    assert all(r["preset"] == "bit_tactical_like" for r in table[1] if "back end" in r["note"])
    for r in table[1]:
        if r["preset"] in ("bit_tactical_like", "cambricon_x_like"):
            assert r["not_comparable"].strip(), (r["preset"], r["metric"])
    assert {r["preset"] for r in table[1] if r["metric"] == "power_saving"} == {"dense_gated"}
