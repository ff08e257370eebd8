"""The Pareto chart: the numbers drawn, its labels at print size, its colours, its errors."""

import math

import pytest

from griffin_jax.study import pareto_plot
from griffin_jax.study._plots import _pareto
from griffin_jax.study._plots._rows import pareto_front
from griffin_jax.study._plots._style import _CATEGORY_TITLE, _EXPLOIT_COLOR
from griffin_jax.study._tables import read_csv, write_csv
from tests.conftest import (
    PLOT_CATS,
    assert_apart_and_inside,
    check_png,
    crowded_plot_table,
    plot_table,
    text_boxes,
)

CATS = PLOT_CATS


def test_pareto_plot_writes_png_and_its_front(tmp_path):
    pytest.importorskip("matplotlib")
    rows = plot_table()
    plot = pareto_plot(rows, tmp_path / "sub" / "pareto.png")
    check_png(plot.path)
    assert set(plot.data) == set(CATS)
    for cat in CATS:
        d = plot.data[cat]
        designs = {r["design"] for r in rows if r["category"] == cat}
        assert {p[0] for p in d["points"]} == designs
        # the combined numbers are the geometric means over the two networks
        for name, x, y in d["points"]:
            per = [r for r in rows if r["design"] == name and r["category"] == cat]
            assert x == pytest.approx(math.sqrt(per[0]["area_mm2"] * per[1]["area_mm2"]))
            assert y == pytest.approx(math.sqrt(per[0]["tops_per_w"] * per[1]["tops_per_w"]))
        # the drawn front is pareto_front of the drawn points
        pts = [{"design": n, "x": x, "y": y} for n, x, y in d["points"]]
        assert [p[0] for p in d["front"]] == [r["design"] for r in pareto_front(pts, "x", "y")]
        assert {p[0] for p in d["labelled"]} == {
            "dense",
            "tensordash_like",
            "bit_tactical_like",
            "griffin",
        }
    # one network only: the raw numbers
    one = pareto_plot(rows, tmp_path / "net1.png", network="net1", y="tops_per_mm2")
    g = [p for p in one.data["AW"]["points"] if p[0] == "griffin"][0]
    assert g[2] == 1.5 / 1.4


def test_pareto_read_back_from_csv(tmp_path):
    pytest.importorskip("matplotlib")
    rows = plot_table()
    back = read_csv(write_csv(rows, tmp_path / "summary.csv"))
    a = pareto_plot(rows, tmp_path / "a.png").data
    b = pareto_plot(back, tmp_path / "b.png").data
    for cat in CATS:
        assert [p[0] for p in a[cat]["front"]] == [p[0] for p in b[cat]["front"]]
        for pa, pb in zip(a[cat]["points"], b[cat]["points"]):
            assert pa[1:] == pytest.approx(pb[1:])


def test_bad_field_names_raise_value_error_naming_the_field(tmp_path):
    rows = plot_table()
    with pytest.raises(ValueError, match="tops_per_x"):
        pareto_plot(rows, tmp_path / "p.png", y="tops_per_x")
    with pytest.raises(ValueError, match="area_um2"):
        pareto_plot(rows, tmp_path / "p.png", x="area_um2")
    with pytest.raises(ValueError, match="network"):
        pareto_plot(rows, tmp_path / "p.png", network="resnet")
    with pytest.raises(ValueError, match="category"):
        pareto_plot([{**rows[0], "category": "sparse"}], tmp_path / "p.png")
    with pytest.raises(ValueError, match="rows"):
        pareto_plot([], tmp_path / "p.png")
    assert not list(tmp_path.iterdir())  # nothing was written


# -- readability: what a reader sees at print size ----------------------------------------------
@pytest.mark.parametrize("table", [plot_table, crowded_plot_table])
def test_pareto_labels_are_apart_inside_and_name_the_front(table):
    pytest.importorskip("matplotlib")
    data = _pareto._pareto_data(table(), "area_mm2", "tops_per_w", ("preset", "griffin"), None)
    fig = _pareto._draw_pareto(data, "area_mm2", "tops_per_w", None)
    for ax, cat in zip(fig.axes, CATS):
        assert ax.get_title() == _CATEGORY_TITLE[cat]
        frame, boxes = text_boxes(fig, ax)
        assert_apart_and_inside(frame, boxes)
        named = [name for name, _ in boxes]
        expect = {p[0] for p in data[cat]["labelled"]} | {p[0] for p in data[cat]["front"]}
        assert set(named) == expect and len(named) == len(set(named))
        for label in ax.get_xticklabels() + ax.get_yticklabels():
            assert label.get_rotation() == 0
    # one legend for the figure: every exploit shown, the prior designs, Griffin, the front
    (legend,) = fig.legends
    entries = [t.get_text() for t in legend.get_texts()]
    assert entries == [
        "exploits dense (none)",
        "exploits weights (W)",
        "exploits both (AW)",
        "prior design",
        "Griffin",
        "Pareto front (labelled)",
    ]
    assert "Pareto front" in fig.get_suptitle()


def test_pareto_points_are_coloured_by_exploit():
    pytest.importorskip("matplotlib")
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_rgba

    rows = plot_table()
    data = _pareto._pareto_data(rows, "area_mm2", "tops_per_w", ("preset", "griffin"), None)
    fig = _pareto._draw_pareto(data, "area_mm2", "tops_per_w", None)
    ax = fig.axes[CATS.index("AW")]
    colours = {}
    for coll in ax.collections:
        if not isinstance(coll, PathCollection):  # the labels' leader lines
            continue
        rgba = tuple(coll.get_facecolors()[0])
        for px, py in coll.get_offsets():
            colours[(round(px, 9), round(py, 9))] = rgba
    for (name, px, py), (kind, exploit) in zip(data["AW"]["points"], data["AW"]["styles"]):
        expect = "tab:red" if kind == "griffin" else _EXPLOIT_COLOR[exploit]
        assert colours[(round(px, 9), round(py, 9))][:3] == to_rgba(expect)[:3], name
        assert (kind, exploit) == next(
            (r["kind"], r["exploit"]) for r in rows if r["design"] == name and r["category"] == "AW"
        )
