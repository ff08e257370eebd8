"""Study plots: the Pareto front by hand, figures written, numbers drawn, errors."""

import math
import sys

import pytest

from griffin_jax.study import _plots
from griffin_jax.study._plots import (
    category_bars,
    pareto_front,
    pareto_plot,
    speedup_heatmap,
    tornado_plot,
)
from griffin_jax.study._tables import read_csv, write_csv

CATS = ("dense", "W", "A", "AW")
NETS = {"net1": 2.0, "net2": 5.0}  # dense TOPS/W per network


def _row(design, kind, exploit, cat, net, area, eff, speedup, box=(-1, -1, -1)):
    return {
        "design": design,
        "kind": kind,
        "exploit": exploit,
        "category": cat,
        "network": net,
        "window": "none" if box[0] < 0 else f"box{box}",
        "cycles": 100,
        "dense_cycles": round(100 * speedup),
        "speedup": speedup,
        "energy_pj": 1e3 / eff,
        "area_mm2": area,
        "tops_per_w": eff,
        "tops_per_mm2": speedup / area,
        "box_time": box[0],
        "box_lane": box[1],
        "box_group": box[2],
    }


def _grid_speedup(t, l, g, net):
    return 1 + 0.3 * t + 0.2 * l + 0.1 * g + (0.05 if net == "net2" else 0.0)


def _table():
    """Dense, two presets, Griffin and a small AW / W box grid on every category and network."""
    rows = []
    for net, base in NETS.items():
        for ci, cat in enumerate(CATS):
            rows.append(_row("dense", "preset", "none", cat, net, 1.0, base, 1.0))
            rows.append(
                _row("tensordash_like", "preset", "AW", cat, net, 1.3, base * (1.1 + 0.1 * ci), 1.4)
            )
            rows.append(
                _row(
                    "bit_tactical_like", "preset", "W", cat, net, 1.2, base * (1.2 - 0.05 * ci), 1.3
                )
            )
            rows.append(
                _row(
                    "griffin",
                    "griffin",
                    "none" if cat == "dense" else cat,
                    cat,
                    net,
                    1.4,
                    base * (1.25 + 0.2 * ci),
                    1.5,
                )
            )
            rows.append(_row("dense_grid", "space", "none", cat, net, 1.0, base, 1.0))
            for ex in ("W", "AW"):
                for t in (1, 2):
                    for lane in (0, 1, 2):
                        for g in (0, 1) if ex == "AW" else (0,):
                            area = 1 + 0.1 * t + 0.05 * lane + 0.2 * g + (0.02 if ex == "AW" else 0)
                            eff = base * (1 + 0.07 * t * (lane + 1) - 0.03 * g * ci)
                            rows.append(
                                _row(
                                    f"{ex}:box({t},{lane},{g})",
                                    "space",
                                    ex,
                                    cat,
                                    net,
                                    area,
                                    eff,
                                    _grid_speedup(t, lane, g, net),
                                    (t, lane, g),
                                )
                            )
    return rows


def _pts(*xy):
    return [{"design": f"p{i}", "x": x, "y": y} for i, (x, y) in enumerate(xy)]


# -- pareto_front (pure) --------------------------------------------------------------------------
def test_pareto_front_by_hand():
    #          p0       p1      p2 (B beats: same x, lower y)  p3 (same y, larger x)
    rows = _pts(
        (1, 1),
        (2, 2),
        (2, 1),
        (3, 2),
        #  p4: smaller x and smaller y: not dominated   p5: duplicate of p1   p6
        (0.5, 0.5),
        (2, 2),
        (4, 5),
    )
    front = pareto_front(rows, "x", "y")
    assert [r["design"] for r in front] == ["p4", "p0", "p1", "p5", "p6"]
    # dominance is one-way: reversing y's sense (negating it) gives a different front
    flipped = [{**r, "y": -r["y"]} for r in rows]
    assert [r["design"] for r in pareto_front(flipped, "x", "y")] == ["p4"]


def test_pareto_front_ties_and_edge_cases():
    # equal x: only the highest y survives; equal y: only the smallest x
    rows = _pts((1, 3), (1, 2), (1, 3), (0.5, 1), (2, 3))
    assert [r["design"] for r in pareto_front(rows, "x", "y")] == ["p3", "p0", "p2"]
    assert pareto_front([], "x", "y") == []
    single = _pts((7, 7))
    assert pareto_front(single, "x", "y") == single
    # numbers given as strings (a table read back from CSV) compare as numbers, not text
    text = [{"design": "a", "x": "10", "y": "2"}, {"design": "b", "x": "9", "y": "1"}]
    assert [r["design"] for r in pareto_front(text, "x", "y")] == ["b", "a"]


def test_pareto_front_bad_input():
    with pytest.raises(ValueError, match="'z'"):
        pareto_front(_pts((1, 1)), "x", "z")
    with pytest.raises(ValueError, match="y"):
        pareto_front([{"x": 1, "y": "fast"}], "x", "y")
    with pytest.raises(ValueError, match="rows"):
        pareto_front({"x": 1, "y": 1}, "x", "y")


# -- figures ------------------------------------------------------------------------------------
def _check_png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    assert head == b"\x89PNG\r\n\x1a\n"


def test_pareto_plot_writes_png_and_its_front(tmp_path):
    pytest.importorskip("matplotlib")
    rows = _table()
    plot = pareto_plot(rows, tmp_path / "sub" / "pareto.png")
    _check_png(plot.path)
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


def test_category_bars_normalise_exactly_to_dense(tmp_path):
    pytest.importorskip("matplotlib")
    rows = _table()
    one = category_bars(rows, tmp_path / "bars1.png", network="net1")
    _check_png(one.path)
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
    rows = [r for r in _table() if r["design"] != "dense" and r["network"] == "net1"]
    plot = category_bars(rows, tmp_path / "b.png", designs=["griffin"])
    assert plot.data["values"]["W"]["griffin"] == NETS["net1"] * (1.25 + 0.2 * 1) / NETS["net1"]
    no_ref = [r for r in rows if r["exploit"] != "none" or r["kind"] == "griffin"]
    with pytest.raises(ValueError, match="dense"):
        category_bars(no_ref, tmp_path / "c.png")


def test_speedup_heatmap_max_over_the_free_parameter(tmp_path):
    pytest.importorskip("matplotlib")
    rows = _table()
    plot = speedup_heatmap(rows, tmp_path / "heat.png")
    _check_png(plot.path)
    d = plot.data
    assert d["x"] == [1, 2] and d["y"] == [0, 1, 2] and d["max_over"] == ["box_group"]
    for i, lane in enumerate(d["y"]):
        for j, t in enumerate(d["x"]):
            # max over box_group of the geometric mean over networks
            expect = max(
                math.sqrt(_grid_speedup(t, lane, g, "net1") * _grid_speedup(t, lane, g, "net2"))
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
        math.sqrt(_grid_speedup(2, 2, 0, "net1") * _grid_speedup(2, 2, 0, "net2"))
    )


def test_speedup_heatmap_missing_cells_are_nan(tmp_path):
    pytest.importorskip("matplotlib")
    rows = [r for r in _table() if r["design"] not in ("AW:box(2,0,0)", "AW:box(2,0,1)")]
    d = speedup_heatmap(rows, tmp_path / "h.png").data
    assert math.isnan(d["values"][0][1]) and d["designs"][0][1] is None
    assert not math.isnan(d["values"][0][0])


def test_plots_read_back_from_csv(tmp_path):
    pytest.importorskip("matplotlib")
    rows = _table()
    back = read_csv(write_csv(rows, tmp_path / "summary.csv"))
    a = pareto_plot(rows, tmp_path / "a.png").data
    b = pareto_plot(back, tmp_path / "b.png").data
    for cat in CATS:
        assert [p[0] for p in a[cat]["front"]] == [p[0] for p in b[cat]["front"]]
        for pa, pb in zip(a[cat]["points"], b[cat]["points"]):
            assert pa[1:] == pytest.approx(pb[1:])
    c = category_bars(back, tmp_path / "c.png").data
    d = category_bars(rows, tmp_path / "d.png").data
    assert c["best_space"] == d["best_space"]
    for cat in CATS:
        assert c["values"][cat] == pytest.approx(d["values"][cat])


# -- errors (raised before matplotlib is needed) ------------------------------------------------
def test_bad_field_names_raise_value_error_naming_the_field(tmp_path):
    rows = _table()
    with pytest.raises(ValueError, match="tops_per_x"):
        pareto_plot(rows, tmp_path / "p.png", y="tops_per_x")
    with pytest.raises(ValueError, match="area_um2"):
        pareto_plot(rows, tmp_path / "p.png", x="area_um2")
    with pytest.raises(ValueError, match="metric: 'joules'"):
        category_bars(rows, tmp_path / "b.png", metric="joules")
    with pytest.raises(ValueError, match="designs: unknown"):
        category_bars(rows, tmp_path / "b.png", designs=["eyeriss"])
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
    with pytest.raises(ValueError, match="network"):
        pareto_plot(rows, tmp_path / "p.png", network="resnet")
    with pytest.raises(ValueError, match="category"):
        pareto_plot([{**rows[0], "category": "sparse"}], tmp_path / "p.png")
    with pytest.raises(ValueError, match="rows"):
        pareto_plot([], tmp_path / "p.png")
    assert not list(tmp_path.iterdir())  # nothing was written


def test_missing_matplotlib_asks_for_the_plot_extra(tmp_path, monkeypatch):
    for name in (
        "matplotlib",
        "matplotlib.figure",
        "matplotlib.backends",
        "matplotlib.backends.backend_agg",
    ):
        monkeypatch.setitem(sys.modules, name, None)
    for fn in (pareto_plot, category_bars, speedup_heatmap):
        with pytest.raises(ImportError, match="'plot' extra"):
            fn(_table(), tmp_path / "x.png")


def test_missing_adjusttext_asks_for_the_plot_extra(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.setitem(sys.modules, "adjustText", None)
    with pytest.raises(ImportError, match="adjustText.*'plot' extra"):
        pareto_plot(_table(), tmp_path / "x.png")


# -- readability: what a reader sees at print size ----------------------------------------------
def _text_boxes(fig, ax):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return ax.get_window_extent(renderer), [
        (t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()
    ]


def _assert_apart_and_inside(frame, boxes):
    for name, box in boxes:
        assert (
            box.x0 >= frame.x0 - 0.5
            and box.x1 <= frame.x1 + 0.5
            and box.y0 >= frame.y0 - 0.5
            and box.y1 <= frame.y1 + 0.5
        ), name
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            assert not ba.overlaps(bb), f"labels {a!r} and {b!r} overlap"


def _crowded_table():
    """Eight prior designs within a hair of one another: labels must still come apart."""
    rows = [r for r in _table() if r["network"] == "net1"]
    for k in range(8):
        for _ci, cat in enumerate(CATS):
            rows.append(
                _row(
                    f"crowded_design_{k}",
                    "preset",
                    "AW",
                    cat,
                    "net1",
                    1.25 + 0.001 * k,
                    2.6 + 0.001 * k,
                    1.2,
                )
            )
    return rows


@pytest.mark.parametrize("table", [_table, _crowded_table])
def test_pareto_labels_are_apart_inside_and_name_the_front(table):
    pytest.importorskip("matplotlib")
    pytest.importorskip("adjustText")
    data = _plots._pareto_data(table(), "area_mm2", "tops_per_w", ("preset", "griffin"), None)
    fig = _plots._draw_pareto(data, "area_mm2", "tops_per_w", None)
    for ax, cat in zip(fig.axes, CATS):
        assert ax.get_title() == _plots._CATEGORY_TITLE[cat]
        frame, boxes = _text_boxes(fig, ax)
        _assert_apart_and_inside(frame, boxes)
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


def test_label_fallback_separates_what_adjusttext_leaves(monkeypatch):
    """With adjustText doing nothing, the greedy pass alone must still part stacked labels."""
    pytest.importorskip("matplotlib")
    adjust_text = pytest.importorskip("adjustText")
    monkeypatch.setattr(adjust_text, "adjust_text", lambda *args, **kwargs: None)
    data = _plots._pareto_data(_crowded_table(), "area_mm2", "tops_per_w", ("preset",), None)
    fig = _plots._draw_pareto(data, "area_mm2", "tops_per_w", None)
    for ax in fig.axes:
        frame, boxes = _text_boxes(fig, ax)
        assert len(boxes) >= 8
        _assert_apart_and_inside(frame, boxes)


def test_pareto_points_are_coloured_by_exploit():
    pytest.importorskip("matplotlib")
    pytest.importorskip("adjustText")
    from matplotlib.colors import to_rgba

    rows = _table()
    data = _plots._pareto_data(rows, "area_mm2", "tops_per_w", ("preset", "griffin"), None)
    fig = _plots._draw_pareto(data, "area_mm2", "tops_per_w", None)
    ax = fig.axes[CATS.index("AW")]
    colours = {}
    for coll in ax.collections:
        rgba = tuple(coll.get_facecolors()[0])
        for px, py in coll.get_offsets():
            colours[(round(px, 9), round(py, 9))] = rgba
    for (name, px, py), (kind, exploit) in zip(data["AW"]["points"], data["AW"]["styles"]):
        expect = "tab:red" if kind == "griffin" else _plots._EXPLOIT_COLOR[exploit]
        assert colours[(round(px, 9), round(py, 9))][:3] == to_rgba(expect)[:3], name
        assert (kind, exploit) == next(
            (r["kind"], r["exploit"]) for r in rows if r["design"] == name and r["category"] == "AW"
        )


def test_bars_labels_are_flat_inside_and_apart(tmp_path):
    pytest.importorskip("matplotlib")
    data = _plots._bars_data(_table(), "tops_per_w", None, None)
    fig = _plots._draw_bars(data, "tops_per_w", None)
    (ax,) = fig.axes
    frame, boxes = _text_boxes(fig, ax)
    _assert_apart_and_inside(frame, boxes)
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


def test_heatmap_title_says_what_it_shows():
    pytest.importorskip("matplotlib")
    data = _plots._heatmap_data(_table(), "box_time", "box_lane", "AW", "AW", None, "speedup")
    fig = _plots._draw_heatmap(data, "box_time", "box_lane", "AW", "AW")
    ax = fig.axes[0]
    title = ax.get_title()
    assert title.startswith("Speedup over the dense core")
    assert "AW-exploiting box designs" in title and "dual-sparse models" in title
    assert "best over box_group" in title
    assert ax.get_xlabel() == "box time reach (steps)"
    _, boxes = _text_boxes(fig, ax)
    assert len(boxes) == sum(not math.isnan(v) for row in data["values"] for v in row)


def test_figures_are_print_sized(tmp_path):
    """At most a 7 in text width, so a PNG placed at its natural size keeps its 6.5-8 pt fonts."""
    pytest.importorskip("matplotlib")
    pytest.importorskip("adjustText")
    rows = _table()
    for fn in (pareto_plot, category_bars, speedup_heatmap):
        path = fn(rows, tmp_path / f"{fn.__name__}.png").path
        with open(path, "rb") as f:
            head = f.read(24)
        width_px = int.from_bytes(head[16:20], "big")
        assert width_px <= 7.0 * _plots._DPI + 1, fn.__name__


def _tornado_rows():
    def row(inp, cat, lo, hi, fragile=False):
        return {
            "input": inp,
            "low": 0.5,
            "high": 2.0,
            "claim": "(a) dual-sparse loss",
            "reading": "",
            "category": cat,
            "ratio_nominal": 0.9,
            "ratio_low": lo,
            "ratio_high": hi,
            "fragile": fragile,
        }

    return [
        row("small", "W", 0.89, 0.91),
        row("wide", "W", 0.5, 1.2, True),
        row("one_sided", "W", 0.95, 0.99),
        row("wide", "A", 0.9, 0.9),
    ]


def test_tornado_sorts_by_width_and_marks_fragile(tmp_path):
    plot = tornado_plot(_tornado_rows(), tmp_path / "t.png", claim="(a) dual-sparse loss")
    w = plot.data["panels"]["weight-sparse models"]
    assert [s.split(" ")[0] for s in w["inputs"]] == ["wide*", "one_sided", "small"]
    assert w["low"][0] == pytest.approx(math.log(0.5 / 0.9))
    assert w["high"][1] == pytest.approx(math.log(0.99 / 0.9))
    assert (tmp_path / "t.png").stat().st_size > 0
    with pytest.raises(ValueError, match="claim"):
        tornado_plot(_tornado_rows(), tmp_path / "u.png", claim="(b) nothing", reading="R1")
