"""Category bars: exact normalisation to the dense core, the best grid design, the notes."""

import math

import pytest

from griffin_jax.study import category_bars
from griffin_jax.study._plots import _bars
from griffin_jax.study._tables import read_csv, write_csv
from tests.conftest import (
    PLOT_CATS,
    PLOT_NETS,
    assert_apart_and_inside,
    check_png,
    plot_table,
    text_boxes,
)

CATS, NETS = PLOT_CATS, PLOT_NETS


def test_category_bars_normalise_exactly_to_dense(tmp_path):
    pytest.importorskip("matplotlib")
    rows = plot_table()
    one = category_bars(rows, tmp_path / "bars1.png", network="net1")
    check_png(one.path)
    base = NETS["net1"]
    for ci, cat in enumerate(CATS):
        v = one.data["values"][cat]
        assert v["griffin"] == base * (1.25 + 0.2 * ci) / base
        assert v["tensordash_like"] == base * (1.1 + 0.1 * ci) / base
        assert "dense" not in v  # the reference itself is the dashed line at 1
        # the best grid design is the arg-max of the ratio over grid designs (not dense_grid)
        grid = [
            r
            for r in rows
            if r["category"] == cat
            and r["network"] == "net1"
            and r["kind"] == "space"
            and r["exploit"] != "none"
        ]
        best = max(grid, key=lambda r: r["tops_per_w"])
        assert one.data["best_space"][cat] == best["design"]
        assert v["best grid"] == best["tops_per_w"] / base
    assert one.data["series"] == ["tensordash_like", "bit_tactical_like", "griffin", "best grid"]
    # two networks: the geometric mean of the per-network ratios
    both = category_bars(rows, tmp_path / "bars2.png", designs=["griffin", "dense"])
    for cat in CATS:
        ratios = [
            r["tops_per_w"] / NETS[r["network"]]
            for r in rows
            if r["design"] == "griffin" and r["category"] == cat
        ]
        assert both.data["values"][cat]["griffin"] == pytest.approx(
            math.sqrt(ratios[0] * ratios[1]), rel=1e-12
        )
        assert both.data["values"][cat]["dense"] == 1.0
    assert both.data["series"] == ["griffin", "dense"] and both.data["best_space"] == {}
    # lower-is-better metric: the best grid design minimises the ratio
    low = category_bars(rows, tmp_path / "bars3.png", metric="energy_pj", network="net1")
    grid = [
        r
        for r in rows
        if r["category"] == "AW"
        and r["network"] == "net1"
        and r["kind"] == "space"
        and r["exploit"] != "none"
    ]
    assert low.data["best_space"]["AW"] == min(grid, key=lambda r: r["energy_pj"])["design"]


def test_category_bars_falls_back_to_a_none_exploit_reference(tmp_path):
    pytest.importorskip("matplotlib")
    rows = [r for r in plot_table() if r["design"] != "dense" and r["network"] == "net1"]
    plot = category_bars(rows, tmp_path / "b.png", designs=["griffin"])
    assert plot.data["values"]["W"]["griffin"] == NETS["net1"] * (1.25 + 0.2 * 1) / NETS["net1"]
    no_ref = [r for r in rows if r["exploit"] != "none" or r["kind"] == "griffin"]
    with pytest.raises(ValueError, match="dense"):
        category_bars(no_ref, tmp_path / "c.png")


def test_category_bars_read_back_from_csv(tmp_path):
    pytest.importorskip("matplotlib")
    rows = plot_table()
    back = read_csv(write_csv(rows, tmp_path / "summary.csv"))
    c = category_bars(back, tmp_path / "c.png").data
    d = category_bars(rows, tmp_path / "d.png").data
    assert c["best_space"] == d["best_space"]
    for cat in CATS:
        assert c["values"][cat] == pytest.approx(d["values"][cat])


def test_bad_field_names_raise_value_error_naming_the_field(tmp_path):
    rows = plot_table()
    with pytest.raises(ValueError, match="metric: 'joules'"):
        category_bars(rows, tmp_path / "b.png", metric="joules")
    with pytest.raises(ValueError, match="designs: unknown"):
        category_bars(rows, tmp_path / "b.png", designs=["eyeriss"])
    assert not list(tmp_path.iterdir())  # nothing was written


def test_bars_labels_are_flat_inside_and_apart(tmp_path):
    pytest.importorskip("matplotlib")
    data = _bars._bars_data(plot_table(), "tops_per_w", None, None)
    fig = _bars._draw_bars(data, "tops_per_w", None)
    (ax,) = fig.axes
    frame, boxes = text_boxes(fig, ax)
    assert_apart_and_inside(frame, boxes)
    assert [name for name, _ in boxes] == [f"best grid:\n{data['best_space'][c]}" for c in CATS]
    tallest = max(p.get_height() for p in ax.patches)
    renderer = fig.canvas.get_renderer()
    bar_top = ax.transData.transform((0, tallest))[1]
    assert all(box.y0 > bar_top for _, box in boxes)  # the notes sit above every bar
    for label in ax.get_xticklabels() + ax.get_yticklabels():
        assert label.get_rotation() == 0
    ticks = [t.get_window_extent(renderer) for t in ax.get_xticklabels()]
    assert all(not a.overlaps(b) for a, b in zip(ticks, ticks[1:]))
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["dense core (= 1)"] + data["series"]
    assert ax.get_title() == "total power efficiency (TOPS/W) relative to the dense core"
