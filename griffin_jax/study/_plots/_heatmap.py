"""The speedup heatmap: a metric of box-window designs over two window parameters."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from griffin_jax.study._plots._rows import (
    _BOX,
    _check_fields,
    _check_rows,
    _combine_networks,
    _ints,
    _num,
)
from griffin_jax.study._plots._style import (
    _CATEGORY_TITLE,
    _FONT,
    Plot,
    _figure,
    _label,
    _save,
    _style_axes,
)


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
