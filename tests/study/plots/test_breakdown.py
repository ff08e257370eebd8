"""The breakdown chart: stacks that add up to the totals, core apart from SRAM, its errors."""

import math

import pytest

from griffin_jax.cost._area import COMPONENTS, CORE_COMPONENTS
from griffin_jax.cost._energy import CORE_ENERGY_COMPONENTS, ENERGY_COMPONENTS
from griffin_jax.study import breakdown_plot, category_overview, read_csv, write_csv
from griffin_jax.study._plots import _breakdown
from tests.conftest import check_png


def _row_of(summary, bar):
    (row,) = [
        r for r in summary if r["category"] == bar["category"] and r["design"] == bar["design"]
    ]
    return row


def test_stacks_sum_to_the_totals_and_core_parts_to_the_core_totals(tiny_study, tmp_path):
    pytest.importorskip("matplotlib")
    summary = tiny_study[1]
    plot = breakdown_plot(summary, tmp_path / "sub" / "breakdown.png")
    check_png(plot.path)
    bars = plot.data["bars"]
    assert len(bars) == len(category_overview(summary))  # one bar per overview row
    for bar in bars:
        row = _row_of(summary, bar)
        energy, area = bar["energy"], bar["area"]
        assert list(energy) == list(ENERGY_COMPONENTS) and list(area) == list(COMPONENTS)
        # per op: ops = tops_per_w * energy_pj, so the stack is 1 / TOPS/W
        assert bar["ops"] == pytest.approx(row["tops_per_w"] * row["energy_pj"], rel=1e-12)
        assert math.fsum(energy.values()) * bar["ops"] == pytest.approx(row["energy_pj"], rel=1e-9)
        assert math.fsum(energy.values()) == pytest.approx(1 / row["tops_per_w"], rel=1e-9)
        assert math.fsum(area.values()) == pytest.approx(row["area_mm2"], rel=1e-12)
        core_energy = math.fsum(energy[k] for k in CORE_ENERGY_COMPONENTS) * bar["ops"]
        assert core_energy == pytest.approx(row["energy_core_pj"], rel=1e-9)
        assert math.fsum(area[k] for k in CORE_COMPONENTS) == pytest.approx(
            row["area_core_mm2"], rel=1e-12
        )
        assert bar["energy_core_per_op"] == pytest.approx(1 / row["tops_per_w_core"], rel=1e-9)
        assert bar["area_core_mm2"] == pytest.approx(row["area_core_mm2"], rel=1e-12)
        for k in ENERGY_COMPONENTS:
            assert energy[k] * bar["ops"] == pytest.approx(row[f"energy_{k}_pj"], rel=1e-12)
    # the overview's roles label the bars, in its order per category
    labels = [(b["category"], b["label"].split("\n")[0]) for b in bars]
    assert labels[:4] == [
        ("dense", "dense"),
        ("dense", "best grid"),
        ("dense", "best prior"),
        ("dense", "griffin"),
    ]


def test_core_and_sram_components_are_marked_apart(tiny_study):
    pytest.importorskip("matplotlib")
    fig = _breakdown._draw_breakdown(_breakdown._breakdown_data(tiny_study[1], None, None), None)
    energy, area = fig.legends
    assert [t.get_text() for t in energy.get_texts()] == [
        k if k in CORE_ENERGY_COMPONENTS else f"{k} (SRAM)"
        for k in (
            *CORE_ENERGY_COMPONENTS,
            *(k for k in ENERGY_COMPONENTS if k not in CORE_ENERGY_COMPONENTS),
        )
    ]
    assert [t.get_text() for t in area.get_texts()] == [
        k if k in CORE_COMPONENTS else f"{k} (SRAM)"
        for k in (*CORE_COMPONENTS, *(k for k in COMPONENTS if k not in CORE_COMPONENTS))
    ]
    for legend in (energy, area):  # SRAM parts hatched, core parts not
        for text, patch in zip(legend.get_texts(), legend.get_patches()):
            assert bool(patch.get_hatch()) == text.get_text().endswith("(SRAM)")


@pytest.mark.parametrize("column", ["energy_sram_pj", "area_multipliers_mm2", "tops_per_w"])
def test_a_missing_column_raises_naming_it(tiny_study, tmp_path, column):
    rows = [dict(r) for r in tiny_study[1]]
    del rows[3][column]
    with pytest.raises(ValueError, match=column):
        breakdown_plot(rows, tmp_path / "b.png")
    assert not list(tmp_path.iterdir())  # nothing was written


def test_components_that_miss_the_total_are_refused(tiny_study, tmp_path):
    rows = [dict(r) for r in tiny_study[1]]
    for r in rows:
        if r["design"] == "griffin":
            r["energy_mult_pj"] *= 0.5  # as if a component were missing from the columns
    with pytest.raises(ValueError, match="energy: the components of 'griffin'"):
        breakdown_plot(rows, tmp_path / "b.png")


def test_designs_by_name_and_read_back_from_csv(tiny_study, tmp_path):
    pytest.importorskip("matplotlib")
    summary = tiny_study[1]
    named = breakdown_plot(summary, tmp_path / "a.png", designs=["griffin", "dense"]).data
    assert [(b["category"], b["label"]) for b in named["bars"]] == [
        (c, d) for c in ("dense", "W", "A", "AW") for d in ("griffin", "dense")
    ]
    back = read_csv(write_csv(summary, tmp_path / "s.csv"))
    a = breakdown_plot(summary, tmp_path / "b.png").data["bars"]
    b = breakdown_plot(back, tmp_path / "c.png").data["bars"]
    assert [x["label"] for x in a] == [x["label"] for x in b]
    for x, y in zip(a, b):
        assert x["energy"] == pytest.approx(y["energy"]) and x["area"] == pytest.approx(y["area"])
    with pytest.raises(ValueError, match="designs: no rows of 'eyeriss'"):
        breakdown_plot(summary, tmp_path / "d.png", designs=["eyeriss"])
    with pytest.raises(ValueError, match="designs must be a sequence"):
        breakdown_plot(summary, tmp_path / "d.png", designs="griffin")


def test_networks_are_pooled_per_op(tiny_study, tmp_path):
    """Two networks: energy summed over both per op summed over both; area unchanged."""
    pytest.importorskip("matplotlib")
    one = [r for r in tiny_study[1] if r["category"] == "AW"]
    two = one + [
        {**r, "network": "m", "energy_pj": 2 * r["energy_pj"], "tops_per_w": r["tops_per_w"]}
        | {f"energy_{k}_pj": 2 * r[f"energy_{k}_pj"] for k in ENERGY_COMPONENTS}
        for r in one
    ]
    bars = breakdown_plot(two, tmp_path / "b.png", designs=["griffin"]).data["bars"]
    (g,) = [r for r in one if r["design"] == "griffin"]
    ((bar),) = bars
    ops = g["tops_per_w"] * g["energy_pj"] * 3  # the copy does twice the ops
    assert bar["ops"] == pytest.approx(ops, rel=1e-12)
    assert bar["energy_per_op"] == pytest.approx(3 * g["energy_pj"] / ops, rel=1e-9)
    assert bar["area_mm2"] == pytest.approx(g["area_mm2"], rel=1e-12)
    assert bar["networks"] == ["m", "n"]
