"""Figures of the design-space study, drawn from its tidy ``summary`` rows.

Every plotting function first computes what it will draw (pure Python, validated), then draws
it on a matplotlib Agg canvas and writes a PNG. It returns a ``Plot``: the path and the numbers
drawn, so tests and reports can check a figure without reading pixels. matplotlib and adjustText
(the ``plot`` extra) are imported only inside the drawing step, through the object-oriented API:
no pyplot figures, and the caller's backend is left alone. ``pareto_front`` is pure. Figures are
sized for a 7 in page width with 6.5-8 pt text, and labels are placed so that none overlaps
another or leaves its axes.

Rows: flat dicts as ``run_study`` writes them or as ``read_csv`` reads them back (numbers given
as strings are accepted). Columns used: ``design``, ``kind`` ("space", "preset", "griffin"),
``exploit``, ``category`` ("dense", "W", "A", "AW"), ``network``, the plotted metrics, and
``box_time`` / ``box_lane`` / ``box_group`` (-1 when the window is not a box). A design is
identified by its name plus, where present, its core and sync columns (grid labels do not name
the core).

Several networks in one category: a design's numbers are combined over them by geometric mean
(the usual summary of per-benchmark ratios); ``network=`` restricts a figure to one network.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence

from griffin_jax._checks import nonempty_of

CATEGORY_ORDER = ("dense", "W", "A", "AW")
_CATEGORY_TITLE = {
    "dense": "dense models",
    "W": "weight-sparse models",
    "A": "activation-sparse models",
    "AW": "dual-sparse models",
}
_FIELD_LABEL = {
    "area_mm2": "total area with SRAM (mm$^2$)",
    "area_core_mm2": "core-only area (mm$^2$)",
    "tops_per_w": "total power efficiency (TOPS/W)",
    "tops_per_w_core": "core-only power efficiency (TOPS/W)",
    "tops_per_mm2": "total area efficiency (TOPS/mm$^2$)",
    "tops_per_mm2_core": "core-only area efficiency (TOPS/mm$^2$)",
    "energy_pj": "total energy (pJ)",
    "energy_core_pj": "core-only energy (pJ)",
    "speedup": "speedup over the dense core (x)",
    "cycles": "cycles",
    "dense_cycles": "dense cycles",
    "box_time": "box time reach (steps)",
    "box_lane": "box lane reach (lanes)",
    "box_group": "box group reach (groups)",
}
# Metrics where smaller is better (the best grid design of ``category_bars`` minimises them).
LOWER_IS_BETTER = frozenset(
    {"area_mm2", "area_core_mm2", "energy_pj", "energy_core_pj", "cycles", "dense_cycles"}
)
_IDENTITY = ("design", "rows", "cols", "lanes", "sync")
_BOX = ("box_time", "box_lane", "box_group")


@dataclasses.dataclass(frozen=True)
class Plot:
    """A written figure: ``path`` of the PNG and ``data``, the numbers it shows."""

    path: str
    data: Mapping


# -- validation and small helpers ---------------------------------------------------------------
def _check_rows(rows) -> list:
    if isinstance(rows, Mapping) or not isinstance(rows, Sequence):
        raise ValueError(f"rows must be a sequence of dict rows, got {type(rows).__name__}")
    return nonempty_of("rows", rows, Mapping, "a dict", "rows must hold at least one row")


def _check_fields(rows: list, **fields) -> None:
    """Every ``role=name`` must be a column of every row; the error names role and field."""
    for role, name in fields.items():
        missing = [i for i, r in enumerate(rows) if name not in r]
        if missing:
            raise ValueError(
                f"{role}: {name!r} is not a column of rows[{missing[0]}]; "
                f"columns: {sorted(rows[missing[0]])}"
            )


def _num(row: Mapping, field: str) -> float:
    try:
        v = float(row[field])
    except (TypeError, ValueError):
        raise ValueError(
            f"{field}: {row[field]!r} is not a number (design {row.get('design')!r})"
        ) from None
    if math.isnan(v):
        raise ValueError(f"{field}: NaN for design {row.get('design')!r}")
    return v


def _label(field: str) -> str:
    return _FIELD_LABEL.get(field, field)


def _key(row: Mapping) -> tuple:
    return tuple(str(row[c]) for c in _IDENTITY if c in row)


def _gmean(values: Sequence[float], field: str) -> float:
    if len(values) == 1:
        return values[0]  # exact: no log / exp round trip
    if min(values) <= 0:
        raise ValueError(f"{field}: a geometric mean over networks needs positive values")
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))


def _combine_networks(rows: list, fields: Sequence[str]) -> list:
    """One row per (category, design): ``fields`` combined over networks by geometric mean,
    other columns from the design's first row, ``networks`` = how many were combined."""
    groups: dict = {}
    for r in rows:
        groups.setdefault((str(r["category"]), _key(r)), []).append(r)
    out = []
    for members in groups.values():
        row = dict(members[0])
        for f in fields:
            row[f] = _gmean([_num(m, f) for m in members], f)
        row["networks"] = len({str(m.get("network")) for m in members})
        out.append(row)
    return out


def _only_network(rows: list, network) -> list:
    if network is None:
        return rows
    _check_fields(rows, network="network")
    kept = [r for r in rows if str(r["network"]) == str(network)]
    if not kept:
        raise ValueError(
            f"network: no rows for {network!r}; known: {sorted({str(r['network']) for r in rows})}"
        )
    return kept


def _check_categories(rows: list) -> None:
    bad = sorted({str(r["category"]) for r in rows} - set(CATEGORY_ORDER))
    if bad:
        raise ValueError(f"category: unknown {bad}; expected one of {CATEGORY_ORDER}")


def _ints(values) -> list:
    return [int(v) if float(v).is_integer() else v for v in values]


# -- Pareto front ---------------------------------------------------------------------------------
def pareto_front(rows: Sequence[Mapping], x: str, y: str) -> list:
    """The rows no other row dominates, for minimal ``x`` and maximal ``y``.

    Row p dominates q when ``p[x] <= q[x]`` and ``p[y] >= q[y]`` with at least one strict. Rows
    with identical ``(x, y)`` do not dominate each other: all of them are kept.
    Returns the front sorted by ``x`` ascending (``y`` then ascends too); the input order among
    identical points is kept.
    """
    if isinstance(rows, Sequence) and not isinstance(rows, Mapping) and not rows:
        return []
    rows = _check_rows(rows)
    _check_fields(rows, x=x, y=y)
    pts = sorted(((_num(r, x), -_num(r, y), i) for i, r in enumerate(rows)))
    front, best, last = [], -math.inf, None
    for px, neg_y, i in pts:
        py = -neg_y
        if py > best or (px, py) == last:
            front.append(rows[i])
            best, last = py, (px, py)
    return front


# -- data of each figure (pure) ----------------------------------------------------------------
def _pareto_data(rows, x, y, label_kinds, network) -> dict:
    rows = _only_network(_check_rows(rows), network)
    _check_fields(rows, x=x, y=y, category="category", design="design", kind="kind")
    _check_categories(rows)
    pts = _combine_networks(rows, (x, y))
    data = {}
    for cat in CATEGORY_ORDER:
        sub = [r for r in pts if r["category"] == cat]
        data[cat] = {
            "points": [(r["design"], r[x], r[y]) for r in sub],
            "styles": [(str(r["kind"]), str(r["exploit"])) for r in sub],
            "front": [(r["design"], r[x], r[y]) for r in pareto_front(sub, x, y)],
            "labelled": [
                (r["design"], r[x], r[y], r["kind"]) for r in sub if r["kind"] in label_kinds
            ],
        }
    return data


def _reference(rows: list, network, category):
    """The dense design's row of one network and category (``design == "dense"`` first, else a
    non-Griffin row with exploit ``"none"``)."""
    named = [r for r in rows if r["design"] == "dense"]
    if named:
        return named[0]
    plain = [r for r in rows if r["exploit"] == "none" and r["kind"] != "griffin"]
    if plain:
        return plain[0]
    raise ValueError(
        f"rows: no dense design (named 'dense' or exploit 'none') for network "
        f"{network!r}, category {category!r} to normalise to"
    )


def _bars_data(rows, metric, designs, network) -> dict:
    rows = _only_network(_check_rows(rows), network)
    _check_fields(
        rows,
        metric=metric,
        design="design",
        kind="kind",
        exploit="exploit",
        category="category",
        network="network",
    )
    _check_categories(rows)
    normed = []
    by_case: dict = {}
    for r in rows:
        by_case.setdefault((str(r["network"]), str(r["category"])), []).append(r)
    for (net, cat), members in by_case.items():
        ref = _num(_reference(members, net, cat), metric)
        if ref == 0:
            raise ValueError(f"metric: {metric!r} of the dense design is 0 on {net!r}/{cat!r}")
        normed += [{**r, metric: _num(r, metric) / ref} for r in members]
    combined = _combine_networks(normed, (metric,))

    lower = metric in LOWER_IS_BETTER
    best_space = {}
    for cat in CATEGORY_ORDER:
        grid = [
            r
            for r in combined
            if r["category"] == cat and r["kind"] == "space" and r["exploit"] != "none"
        ]
        if grid and designs is None:
            pick = min if lower else max
            best_space[cat] = pick(grid, key=lambda r: r[metric])["design"]

    if designs is None:
        series = []
        for r in combined:
            if (
                r["kind"] in ("preset", "griffin")
                and r["design"] != "dense"
                and r["design"] not in series
            ):
                series.append(r["design"])
    else:
        if isinstance(designs, str):
            raise ValueError("designs must be a sequence of design names, not one string")
        series = list(designs)
        known = {r["design"] for r in combined}
        unknown = [d for d in series if d not in known]
        if unknown:
            raise ValueError(f"designs: unknown {unknown}; known: {sorted(known)}")

    values: dict = {}
    for cat in CATEGORY_ORDER:
        sub = [r for r in combined if r["category"] == cat]
        if not sub:
            continue
        values[cat] = {}
        for name in series:
            hits = [r[metric] for r in sub if r["design"] == name]
            if hits:
                values[cat][name] = hits[0]
        if cat in best_space:
            values[cat]["best grid"] = next(
                r[metric] for r in sub if r["design"] == best_space[cat] and r["kind"] == "space"
            )
    if best_space:
        series.append("best grid")
    return {"metric": metric, "series": series, "values": values, "best_space": best_space}


def _heatmap_data(rows, x, y, exploit, category, fix, value) -> dict:
    rows = _check_rows(rows)
    if x == y:
        raise ValueError(f"x and y must differ, both are {x!r}")
    fix = dict(fix or {})
    _check_fields(
        rows,
        x=x,
        y=y,
        value=value,
        exploit="exploit",
        category="category",
        design="design",
        **{f"fix[{k!r}]": k for k in fix},
    )
    for k in fix:
        if k in (x, y):
            raise ValueError(f"fix: {k!r} is an axis of the heatmap and cannot be pinned")
    kept = []
    for r in rows:
        if str(r["exploit"]) != exploit or str(r["category"]) != category:
            continue
        if _num(r, x) < 0 or _num(r, y) < 0:  # not a box window
            continue
        if all(_num(r, k) == float(v) for k, v in fix.items()):
            kept.append(r)
    if not kept:
        raise ValueError(
            f"rows: none with exploit={exploit!r}, category={category!r}, a box "
            f"window and fix={fix}"
        )
    cells: dict = {}
    for r in _combine_networks(kept, (value,)):
        cell = (_num(r, x), _num(r, y))
        if cell not in cells or r[value] > cells[cell][0]:
            cells[cell] = (r[value], r["design"])
    xs = sorted({c[0] for c in cells})
    ys = sorted({c[1] for c in cells})
    grid = [[cells.get((xv, yv), (math.nan, None))[0] for xv in xs] for yv in ys]
    names = [[cells.get((xv, yv), (math.nan, None))[1] for xv in xs] for yv in ys]
    free = [f for f in _BOX if f in rows[0] and f not in (x, y) and f not in fix]
    return {
        "x": _ints(xs),
        "y": _ints(ys),
        "values": grid,
        "designs": names,
        "value": value,
        "max_over": free,
        "fix": fix,
    }


# -- drawing ------------------------------------------------------------------------------------
def _figure(figsize):
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError(
            "study plots need matplotlib: install the 'plot' extra "
            "(pip install 'griffin-jax[plot]')"
        ) from err
    fig = Figure(figsize=figsize, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _freeze_layout(fig) -> None:
    """Run the constrained layout once and keep it: labels are placed in display space
    afterwards, and a later layout pass would move the axes under them."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


def _save(fig, path) -> str:
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=_DPI)
    return path


# Figures are sized in inches for a two-column paper page (7 in text width) and drawn with
# fonts of 6.5-8 pt, so a PNG placed at its natural size reads like the rest of the page.
_DPI = 200
_FONT = {"label": 7.5, "tick": 7, "title": 8, "note": 6.5}
_EXPLOIT_COLOR = {"none": "0.45", "W": "tab:blue", "A": "tab:green", "AW": "tab:purple"}
_EXPLOIT_NAME = {
    "none": "dense (none)",
    "W": "weights (W)",
    "A": "activations (A)",
    "AW": "both (AW)",
}
_KIND_STYLE = {
    "space": {"marker": "o", "s": 7, "alpha": 0.55, "linewidths": 0, "zorder": 2},
    "preset": {"marker": "D", "s": 22, "edgecolors": "black", "linewidths": 0.6, "zorder": 4},
    "griffin": {"marker": "*", "s": 110, "edgecolors": "black", "linewidths": 0.5, "zorder": 5},
}
_KIND_NAME = {"space": "grid design", "preset": "prior design", "griffin": "Griffin"}


def _style_axes(ax, x_label, y_label, title) -> None:
    ax.set_title(title, fontsize=_FONT["title"])
    ax.set_xlabel(x_label, fontsize=_FONT["label"])
    ax.set_ylabel(y_label, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])


def _overlaps(a, b, pad: float = 1.0) -> bool:
    return a.x0 < b.x1 + pad and b.x0 < a.x1 + pad and a.y0 < b.y1 + pad and b.y0 < a.y1 + pad


def _inside(box, frame) -> bool:
    return box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1


def _place_labels(ax, texts, anchors, marker_pt, xs, ys) -> None:
    """Move ``texts`` apart and off the points ``xs, ys``, then draw a leader line from each
    moved label to its anchor point (``anchors[i]``, a marker ``marker_pt[i]`` points wide).

    adjustText does the spreading (iteration-capped, so deterministic) but does not promise a
    result without overlaps; a greedy pass then moves any label still overlapping another label
    or an anchor's marker, or sticking out of the axes, to the nearest free slot on rings around
    its anchor.
    """
    from matplotlib.transforms import Bbox

    try:
        from adjustText import adjust_text
    except ImportError as err:
        raise ImportError(
            "study plots need adjustText: install the 'plot' extra "
            "(pip install 'griffin-jax[plot]')"
        ) from err
    if not texts:
        return
    ax.set_autoscale_on(False)  # leader lines must not rescale the axes under placed labels
    adjust_text(
        texts,
        x=list(xs),
        y=list(ys),
        ax=ax,
        iter_lim=300,
        time_lim=None,
        expand=(1.2, 1.5),
        ensure_inside_axes=True,
    )
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in texts]
    to_data = ax.transData.inverted()
    px_per_pt = ax.figure.dpi / 72
    markers = []
    for (px, py), size in zip(anchors, marker_pt):
        (mx, my), r = ax.transData.transform((px, py)), size * px_per_pt / 2
        markers.append(Bbox.from_extents(mx - r, my - r, mx + r, my + r))
    for i, t in enumerate(texts):
        others = boxes[:i] + boxes[i + 1 :] + markers
        if _inside(boxes[i], frame) and not any(_overlaps(boxes[i], o) for o in others):
            continue
        ax_, ay_ = ax.transData.transform(anchors[i])
        w, h = boxes[i].width, boxes[i].height
        for radius in range(int(h), int(frame.width + frame.height), max(2, int(h / 2))):
            spots = []
            for k in range(24):
                ang = 2 * math.pi * k / 24
                cx, cy = ax_ + radius * math.cos(ang), ay_ + radius * math.sin(ang)
                spots.append(Bbox.from_bounds(cx - w / 2, cy - h / 2, w, h))
            free = [
                b for b in spots if _inside(b, frame) and not any(_overlaps(b, o) for o in others)
            ]
            if free:
                boxes[i] = free[0]
                t.set_position(to_data.transform((boxes[i].x0, boxes[i].y0)))
                t.set_horizontalalignment("left")
                t.set_verticalalignment("bottom")
                break
    for _t, box, (px, py) in zip(texts, boxes, anchors):
        dx, dy = ax.transData.transform((px, py))
        nx, ny = min(max(dx, box.x0), box.x1), min(max(dy, box.y0), box.y1)
        if math.hypot(nx - dx, ny - dy) > 6:  # points: a label touching its marker needs none
            lx, ly = to_data.transform([(dx, dy), (nx, ny)]).T
            ax.plot(lx, ly, color="0.35", linewidth=0.5, zorder=5.5)


def _pareto_legend(fig, kinds, exploits):
    from matplotlib.lines import Line2D

    def marker(kind, color):
        st = _KIND_STYLE[kind]
        size = math.sqrt(st["s"]) * (1.6 if kind == "space" else 1.0)
        return Line2D(
            [],
            [],
            linestyle="",
            marker=st["marker"],
            markersize=size,
            markerfacecolor=color,
            markeredgecolor=st.get("edgecolors", color),
            markeredgewidth=st["linewidths"],
        )

    handles = [marker("space", _EXPLOIT_COLOR[e]) for e in exploits]
    labels = [f"exploits {_EXPLOIT_NAME[e]}" for e in exploits]
    for kind in kinds:
        if kind != "space":
            handles.append(marker(kind, "tab:red" if kind == "griffin" else "white"))
            labels.append(_KIND_NAME[kind])
    handles.append(Line2D([], [], color="black", linewidth=1.0))
    labels.append("Pareto front (labelled)")
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=4,
        fontsize=_FONT["note"],
        frameon=False,
        title="colour: what the design exploits; marker: its origin",
        title_fontsize=_FONT["note"],
    )


def _draw_pareto(data, x, y, network):
    fig = _figure((7.0, 7.0))
    axes = fig.subplots(2, 2).ravel()
    kinds, exploits = {}, {}
    for ax, cat in zip(axes, CATEGORY_ORDER):
        d = data[cat]
        _style_axes(ax, _label(x), _label(y), _CATEGORY_TITLE[cat])
        if not d["points"]:
            ax.text(
                0.5,
                0.5,
                "no rows",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize=_FONT["label"],
            )
            continue
        for kind in _KIND_STYLE:
            for exploit in _EXPLOIT_COLOR:
                pts = [p for p, st in zip(d["points"], d["styles"]) if st == (kind, exploit)]
                if not pts:
                    continue
                kinds[kind] = True
                if kind != "griffin":  # Griffin is always the red star
                    exploits[exploit] = True
                color = "tab:red" if kind == "griffin" else _EXPLOIT_COLOR[exploit]
                ax.scatter(
                    [p[1] for p in pts], [p[2] for p in pts], color=color, **_KIND_STYLE[kind]
                )
        ax.step(
            [p[1] for p in d["front"]],
            [p[2] for p in d["front"]],
            where="post",
            color="black",
            linewidth=1.0,
            zorder=3,
        )
    _pareto_legend(
        fig, [k for k in _KIND_STYLE if k in kinds], [e for e in _EXPLOIT_COLOR if e in exploits]
    )
    where = f" on {network}" if network is not None else ""
    fig.suptitle(
        f"{_label(y)} vs {_label(x)}{where}\nevery design; prior designs and the "
        "Pareto front (upper left) named",
        fontsize=_FONT["title"],
    )
    _freeze_layout(fig)
    for ax, cat in zip(axes, CATEGORY_ORDER):
        d = data[cat]
        named = dict.fromkeys([p[:3] for p in d["labelled"]] + list(d["front"]))
        kind_of = {p: st[0] for p, st in zip(d["points"], d["styles"])}
        texts = [ax.text(px, py, name, fontsize=_FONT["note"], zorder=6) for name, px, py in named]
        _place_labels(
            ax,
            texts,
            [(px, py) for _, px, py in named],
            [math.sqrt(_KIND_STYLE[kind_of.get(p, "space")]["s"]) for p in named],
            [p[1] for p in d["points"]],
            [p[2] for p in d["points"]],
        )
    return fig


def pareto_plot(
    rows: Sequence[Mapping],
    path,
    *,
    x: str = "area_mm2",
    y: str = "tops_per_w",
    label_kinds: Sequence[str] = ("preset", "griffin"),
    network=None,
) -> Plot:
    """Per model category (2 x 2 panels): every design as a dot coloured by what it exploits,
    the Pareto front (minimal ``x``, maximal ``y``) as a step line, designs of ``label_kinds``
    and of the front named (labels moved apart, with leader lines).

    Args:
      rows: ``summary`` rows (several networks of a category are combined; see module doc).
      path: PNG to write. x, y: numeric columns. network: plot one network only.
    Returns: ``Plot``; ``data[category]`` has ``points`` and ``front`` (lists of
      ``(design, x, y)``), ``styles`` (``(kind, exploit)`` per point) and ``labelled``
      (``(design, x, y, kind)``).
    """
    data = _pareto_data(rows, x, y, tuple(label_kinds), network)
    return Plot(_save(_draw_pareto(data, x, y, network), path), data)


def category_bars(
    rows: Sequence[Mapping],
    path,
    *,
    metric: str = "tops_per_w",
    designs: Sequence[str] | None = None,
    network=None,
) -> Plot:
    """Grouped bars: per model category, ``metric`` of each design divided by the dense
    design's on the same network and category (then combined over networks).

    Args:
      rows: ``summary`` rows; every (network, category) needs a dense row (design named
        "dense", else a non-Griffin row with exploit "none").
      metric: numeric column. designs: design names to show (default: every preset but the
        dense one, Griffin, and per category the best grid design, shown as "best grid":
        highest ratio, or lowest for ``LOWER_IS_BETTER`` metrics).
    Returns: ``Plot``; ``data["values"][category][series]`` is the bar height,
      ``data["best_space"][category]`` the grid design behind "best grid".
    """
    data = _bars_data(rows, metric, designs, network)
    return Plot(_save(_draw_bars(data, metric, network), path), data)


def _draw_bars(data, metric, network):
    cats = [c for c in CATEGORY_ORDER if c in data["values"]]
    series = data["series"]
    fig = _figure((7.0, 3.4))
    ax = fig.subplots()
    width = 0.84 / max(1, len(series))
    # Griffin and the best grid design have fixed colours; the others take the remaining tab10
    # colours in order, so no two series share one.
    fixed = {"griffin": "tab:red", "best grid": "0.45"}
    palette = iter(
        c
        for c in (
            "tab:blue",
            "tab:orange",
            "tab:green",
            "tab:purple",
            "tab:brown",
            "tab:pink",
            "tab:olive",
            "tab:cyan",
            "gold",
            "navy",
            "teal",
        )
        if c not in fixed.values()
    )
    colors = {n: fixed.get(n) or next(palette, None) for n in series}
    for j, name in enumerate(series):
        xs = [
            i + (j - (len(series) - 1) / 2) * width
            for i, c in enumerate(cats)
            if name in data["values"][c]
        ]
        hs = [data["values"][c][name] for c in cats if name in data["values"][c]]
        ax.bar(
            xs,
            hs,
            width=width,
            label=name,
            color=colors.get(name),
            hatch="///" if name == "best grid" else None,
            edgecolor="white",
            linewidth=0.3,
        )
    ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--", label="dense core (= 1)")
    ax.set_xticks(range(len(cats)), [_CATEGORY_TITLE[c] for c in cats])
    ax.set_xlim(-0.5, len(cats) - 0.5)
    top = max([v for c in cats for v in data["values"][c].values()] + [1.0])
    where = f" on {network}" if network is not None else ""
    _style_axes(
        ax, "", f"{_label(metric)} / dense", f"{_label(metric)} relative to the dense core{where}"
    )
    # The grid design behind each "best grid" bar, written flat above its category's bars (a
    # rotated label would not fit, and outside the axes it would collide with the title).
    notes = [
        (i, f"best grid:\n{data['best_space'][c]}")
        for i, c in enumerate(cats)
        if c in data["best_space"] and "best grid" in data["values"][c]
    ]
    ax.set_ylim(0, top * (1.22 if notes else 1.08))
    for i, text in notes:
        ax.text(
            i, top * 1.03, text, ha="center", va="bottom", fontsize=_FONT["note"], linespacing=1.1
        )
    fig.legend(loc="outside right upper", fontsize=_FONT["note"], frameon=False)
    return fig


def speedup_heatmap(
    rows: Sequence[Mapping],
    path,
    *,
    x: str = "box_time",
    y: str = "box_lane",
    exploit: str = "AW",
    category: str = "AW",
    fix: Mapping | None = None,
    value: str = "speedup",
) -> Plot:
    """Heatmap of ``value`` (default speedup) of box-window designs over two window parameters.

    Rows kept: ``exploit`` designs on ``category`` models with a box window (``x`` and ``y``
    >= 0) matching ``fix`` (``{column: value}``). Each cell shows the maximum over the kept
    designs at that ``(x, y)``: over the box parameters not on an axis or pinned, and over
    cores if the table holds several.
    Returns: ``Plot``; ``data["values"][i][j]`` is the cell at ``y[i]``, ``x[j]`` (NaN: no
    design), ``data["designs"][i][j]`` the design that reaches it.
    """
    data = _heatmap_data(rows, x, y, exploit, category, fix, value)
    return Plot(_save(_draw_heatmap(data, x, y, exploit, category), path), data)


def _draw_heatmap(data, x, y, exploit, category):
    nx, ny = len(data["x"]), len(data["y"])
    fig = _figure((min(7.0, 0.62 * nx + 2.6), 0.42 * ny + 1.9))
    ax = fig.subplots()
    im = ax.imshow(data["values"], origin="lower", cmap="viridis", aspect="auto")
    bar = fig.colorbar(im, ax=ax)
    bar.set_label(_label(data["value"]), fontsize=_FONT["label"])
    bar.ax.tick_params(labelsize=_FONT["tick"])
    ax.set_xticks(range(nx), [str(v) for v in data["x"]])
    ax.set_yticks(range(ny), [str(v) for v in data["y"]])
    finite = [v for row in data["values"] for v in row if not math.isnan(v)]
    mid = (min(finite) + max(finite)) / 2
    for i, row in enumerate(data["values"]):
        for j, v in enumerate(row):
            if not math.isnan(v):
                ax.text(
                    j,
                    i,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=_FONT["note"],
                    color="black" if v > mid else "white",
                )
    notes = [f"{k}={v}" for k, v in data["fix"].items()]
    if data["max_over"]:
        notes.append("each cell: the best over " + ", ".join(data["max_over"]))
    what = _label(data["value"])
    title = (
        f"{what[:1].upper()}{what[1:]} of {exploit}-exploiting box designs\n"
        f"on {_CATEGORY_TITLE.get(category, category)}"
        + (f" ({'; '.join(notes)})" if notes else "")
    )
    _style_axes(ax, _label(x), _label(y), title)
    return fig


def geometry_plot(rows: Sequence[Mapping], path, *, default=None) -> Plot:
    """Dense-geometry study (``geometry_study`` rows): total and core-only TOPS/W of every
    geometry, two panels over the same axis, geometries grouped by lanes (then rows); the best
    geometry of each panel (``best`` / ``best_core`` flags) is a red star, ``default`` (a label
    "RxCxL" or an ``(R, C, L)`` triple) a black ring.

    Returns: ``Plot``; ``data["geometry"]`` the labels in axis order, ``data["tops_per_w"]`` and
    ``data["tops_per_w_core"]`` the values, ``data["best"]`` / ``data["best_core"]`` the best
    labels and ``data["default"]`` the default's label (``None`` when absent or not given).
    """
    rows = _check_rows(rows)
    _check_fields(
        rows,
        **{
            f"column {c}": c
            for c in ("rows", "cols", "lanes", "tops_per_w", "tops_per_w_core", "best", "best_core")
        },
    )
    dims = [tuple(int(_num(r, f)) for f in ("rows", "cols", "lanes")) for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (dims[i][2], dims[i][0]))
    labels = ["x".join(map(str, dims[i])) for i in order]
    if default is not None and not isinstance(default, str):
        default = "x".join(str(int(v)) for v in default)

    def flagged(flag):
        hits = [
            labels[j] for j, i in enumerate(order) if str(rows[i][flag]) in ("True", "1", "true")
        ]
        if len(hits) != 1:
            raise ValueError(f"{flag}: exactly one row must be flagged, got {len(hits)}")
        return hits[0]

    data = {
        "geometry": labels,
        "tops_per_w": [_num(rows[i], "tops_per_w") for i in order],
        "tops_per_w_core": [_num(rows[i], "tops_per_w_core") for i in order],
        "lanes": [dims[i][2] for i in order],
        "best": flagged("best"),
        "best_core": flagged("best_core"),
        "default": default if default in labels else None,
    }
    return Plot(_save(_draw_geometry(data), path), data)


def _draw_geometry(data):
    labels, lanes = data["geometry"], data["lanes"]
    n = len(labels)
    fig = _figure((7.0, 4.6))
    axes = fig.subplots(2, 1, sharex=True)
    panels = (
        ("tops_per_w", "best", "total (core + SRAM buffers)"),
        ("tops_per_w_core", "best_core", "core only (no SRAM)"),
    )
    xs = list(range(n))
    # Lane groups: a separator between them and the lane count written once per group.
    starts = [j for j in range(n) if j == 0 or lanes[j] != lanes[j - 1]]
    for ax, (field, flag, title) in zip(axes, panels):
        ys = data[field]
        ax.bar(xs, ys, width=0.75, color="tab:blue", alpha=0.75, linewidth=0)
        b = labels.index(data[flag])
        ax.scatter(
            [b],
            [ys[b]],
            marker="*",
            s=90,
            color="tab:red",
            edgecolors="black",
            linewidths=0.4,
            zorder=5,
            label=f"best: {data[flag]} ({ys[b]:.3f})",
        )
        if data["default"] is not None:
            d = labels.index(data["default"])
            ax.scatter(
                [d],
                [ys[d]],
                marker="o",
                s=45,
                facecolors="none",
                edgecolors="black",
                linewidths=1.0,
                zorder=6,
                label=f"default: {data['default']} ({ys[d]:.3f})",
            )
        # Headroom above the bars for the lane labels and the legend, so neither covers a bar.
        top = max(ys) * 1.42
        ax.set_ylim(0, top)
        for j in starts:
            if j:
                ax.axvline(j - 0.5, color="0.6", linewidth=0.5, linestyle=":")
            end = next((k for k in starts if k > j), n)
            ax.text(
                (j + end - 1) / 2,
                top * 0.985,
                f"L={lanes[j]}",
                ha="center",
                va="top",
                fontsize=_FONT["note"],
            )
        _style_axes(ax, "", "TOPS/W", f"Dense cores of equal peak: power efficiency, {title}")
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, 0.93),
            ncol=2,
            fontsize=_FONT["note"],
            frameon=False,
        )
        ax.set_xlim(-0.7, n - 0.3)
    ax = axes[-1]
    ax.set_xticks(xs, [lab.rsplit("x", 1)[0] for lab in labels], rotation=90)
    ax.tick_params(axis="x", labelsize=_FONT["note"] - 0.5)
    ax.set_xlabel(
        "geometry rows x cols (DPUs), grouped by lanes L per DPU", fontsize=_FONT["label"]
    )
    return fig


def tornado_plot(rows: Sequence[Mapping], path, *, claim: str, reading: str = "") -> Plot:
    """Tornado chart of one claim of a sensitivity study (``study.sensitivity`` rows): one panel
    per category (per claim label, for R3's one row per prior), one pair of bars per input:
    ``log(ratio_low / ratio_nominal)`` and ``log(ratio_high / ratio_nominal)``, inputs sorted
    by the width of their pair (widest on top). A dashed line marks ``ratio = 1``, where the
    claim's direction flips, when it falls inside the panel; a fragile input's label ends in
    ``*``; every label gives the input's low / high values.

    Args:
      rows: sensitivity rows (columns ``input``, ``claim``, ``reading``, ``category``,
        ``ratio_nominal``, ``ratio_low``, ``ratio_high``, ``fragile``).
      claim: the claim text the panels' rows start with (e.g. ``"(a) dual-sparse loss"``);
        reading: ``""`` for claim (a), ``"R1"``, ``"R2"`` or ``"R3"``.
    Returns: ``Plot``; ``data["panels"]`` maps a panel title to its ``inputs`` (top first),
      ``low`` / ``high`` (log ratio changes) and ``nominal`` (the nominal ratio).
    """
    rows = _check_rows(rows)
    cols = ("input", "claim", "reading", "category", "ratio_nominal", "ratio_low", "ratio_high")
    _check_fields(rows, **{f"column {c}": c for c in cols + ("fragile",)})
    mine = [r for r in rows if str(r["claim"]).startswith(claim) and str(r["reading"]) == reading]
    if not mine:
        raise ValueError(f"claim: no rows of claim {claim!r} reading {reading!r}")
    panels = {}
    for r in mine:
        # The figure's title names the claim; a panel names what tells its rows apart.
        extra = str(r["claim"])[len(claim) :].lstrip(": ")
        cat = _CATEGORY_TITLE.get(str(r["category"]), str(r["category"]))
        title = f"{cat}, vs {extra}" if extra else cat
        nom = _num(r, "ratio_nominal")
        lo, hi = _num(r, "ratio_low"), _num(r, "ratio_high")
        if not all(math.isfinite(x) and x > 0 for x in (nom, lo, hi)):
            continue
        p = panels.setdefault(title, {"inputs": [], "low": [], "high": [], "nominal": nom})
        star = "*" if str(r["fragile"]) in ("True", "1", "true") else ""
        # the values at the two ends, so a discrete input's alternatives are readable too
        ends = f"{_short(r.get('low'))} / {_short(r.get('high'))}"
        p["inputs"].append(f"{r['input']}{star} ({ends})")
        p["low"].append(math.log(lo / nom))
        p["high"].append(math.log(hi / nom))
    if not panels:
        raise ValueError(f"claim: rows of claim {claim!r} reading {reading!r} hold no ratios")
    for p in panels.values():
        order = sorted(
            range(len(p["inputs"])),
            key=lambda i: -(max(p["low"][i], p["high"][i], 0) - min(p["low"][i], p["high"][i], 0)),
        )
        for k in ("inputs", "low", "high"):
            p[k] = [p[k][i] for i in order]
    data = {"claim": claim, "reading": reading, "panels": panels}
    return Plot(_save(_draw_tornado(data), path), data)


def _short(value) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _draw_tornado(data):
    from matplotlib.ticker import MaxNLocator

    panels = data["panels"]
    n = len(panels)
    ncol = 1 if n == 1 else 2
    nrow = -(-n // ncol)
    height = max(len(p["inputs"]) for p in panels.values())
    fig = _figure((7.0, max(2.2, 0.5 + nrow * (0.6 + 0.2 * height))))
    axes = fig.subplots(nrow, ncol, squeeze=False)
    for ax, (title, p) in zip(axes.flat, panels.items()):
        ys = list(range(len(p["inputs"])))[::-1]  # widest on top
        # Side by side, so a low and a high bar on the same side of 0 both stay visible.
        ax.barh(
            [y + 0.19 for y in ys], p["low"], height=0.38, color="tab:blue", label="input at low"
        )
        ax.barh(
            [y - 0.19 for y in ys],
            p["high"],
            height=0.38,
            color="tab:orange",
            label="input at high",
        )
        ax.axvline(0.0, color="black", linewidth=0.6)
        span = max([abs(v) for v in p["low"] + p["high"]] + [1e-3]) * 1.15
        flip = -math.log(p["nominal"])  # log(1 / nominal): where the ratio crosses 1
        if abs(flip) <= span:
            ax.axvline(flip, color="tab:red", linewidth=0.8, linestyle="--", label="ratio = 1")
        ax.set_xlim(-span, span)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, symmetric=True))
        ax.set_yticks(ys, p["inputs"])
        _style_axes(
            ax, "log(ratio / nominal ratio)", "", f"{title}\nnominal ratio {p['nominal']:.3f}"
        )
        ax.tick_params(axis="y", labelsize=_FONT["note"])
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    for ax in list(axes.flat)[1:n]:  # a ratio = 1 line may appear in another panel only
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    fig.legend(
        handles, labels, loc="outside lower center", ncol=3, fontsize=_FONT["note"], frameon=False
    )
    reading = f" (reading {data['reading']})" if data["reading"] else ""
    fig.suptitle(
        f"Sensitivity of claim {data['claim']}{reading}; * = direction flips in the range",
        fontsize=_FONT["title"],
    )
    return fig


__all__ = [
    "CATEGORY_ORDER",
    "LOWER_IS_BETTER",
    "Plot",
    "category_bars",
    "geometry_plot",
    "pareto_front",
    "pareto_plot",
    "speedup_heatmap",
    "tornado_plot",
]
