"""The speedup heatmap: the best over the free box parameter, missing cells, its title."""

import math

import pytest

from griffin_jax.study import speedup_heatmap
from griffin_jax.study._plots import _heatmap
from tests.conftest import check_png, plot_grid_speedup, plot_table, text_boxes


def test_speedup_heatmap_max_over_the_free_parameter(tmp_path):
    pytest.importorskip("matplotlib")
    rows = plot_table()
    plot = speedup_heatmap(rows, tmp_path / "heat.png")
    check_png(plot.path)
    d = plot.data
    assert d["x"] == [1, 2] and d["y"] == [0, 1, 2] and d["max_over"] == ["box_group"]
    for i, lane in enumerate(d["y"]):
        for j, t in enumerate(d["x"]):
            # max over box_group of the geometric mean over networks
            expect = max(
                math.sqrt(
                    plot_grid_speedup(t, lane, g, "net1") * plot_grid_speedup(t, lane, g, "net2")
                )
                for g in (0, 1)
            )
            assert d["values"][i][j] == pytest.approx(expect)
            assert d["designs"][i][j] == f"AW:box({t},{lane},1)"
    pinned = speedup_heatmap(
        rows, tmp_path / "heat0.png", fix={"box_group": 0}, x="box_lane", y="box_time", category="W"
    )
    assert pinned.data["max_over"] == [] and pinned.data["x"] == [0, 1, 2]
    assert pinned.data["designs"][1][2] == "AW:box(2,2,0)"
    assert pinned.data["values"][1][2] == pytest.approx(
        math.sqrt(plot_grid_speedup(2, 2, 0, "net1") * plot_grid_speedup(2, 2, 0, "net2"))
    )


def test_speedup_heatmap_missing_cells_are_nan(tmp_path):
    pytest.importorskip("matplotlib")
    rows = [r for r in plot_table() if r["design"] not in ("AW:box(2,0,0)", "AW:box(2,0,1)")]
    d = speedup_heatmap(rows, tmp_path / "h.png").data
    assert math.isnan(d["values"][0][1]) and d["designs"][0][1] is None
    assert not math.isnan(d["values"][0][0])


def test_bad_field_names_raise_value_error_naming_the_field(tmp_path):
    rows = plot_table()
    with pytest.raises(ValueError, match="box_depth"):
        speedup_heatmap(rows, tmp_path / "h.png", x="box_depth")
    with pytest.raises(ValueError, match="value: 'speed'"):
        speedup_heatmap(rows, tmp_path / "h.png", value="speed")
    with pytest.raises(ValueError, match="box_zzz"):
        speedup_heatmap(rows, tmp_path / "h.png", fix={"box_zzz": 0})
    with pytest.raises(ValueError, match="fix"):
        speedup_heatmap(rows, tmp_path / "h.png", fix={"box_time": 1})
    with pytest.raises(ValueError, match="differ"):
        speedup_heatmap(rows, tmp_path / "h.png", x="box_lane", y="box_lane")
    with pytest.raises(ValueError, match="exploit='A'"):
        speedup_heatmap(rows, tmp_path / "h.png", exploit="A")
    assert not list(tmp_path.iterdir())  # nothing was written


def test_heatmap_title_says_what_it_shows():
    pytest.importorskip("matplotlib")
    data = _heatmap._heatmap_data(plot_table(), "box_time", "box_lane", "AW", "AW", None, "speedup")
    fig = _heatmap._draw_heatmap(data, "box_time", "box_lane", "AW", "AW")
    ax = fig.axes[0]
    title = ax.get_title()
    assert title.startswith("Speedup over the dense core")
    assert "AW-exploiting box designs" in title and "dual-sparse models" in title
    assert "best over box_group" in title
    assert ax.get_xlabel() == "box time reach (steps)"
    _, boxes = text_boxes(fig, ax)
    assert len(boxes) == sum(not math.isnan(v) for row in data["values"] for v in row)
