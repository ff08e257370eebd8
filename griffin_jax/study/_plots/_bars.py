"""Grouped bars: per model category, a metric of each design relative to the dense core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from griffin_jax.study._plots._rows import (
    CATEGORY_ORDER,
    LOWER_IS_BETTER,
    _check_categories,
    _check_fields,
    _check_rows,
    _combine_networks,
    _num,
    _only_network,
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
