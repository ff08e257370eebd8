"""The Pareto chart: per model category, every design as a dot coloured by what it exploits,
the Pareto front as a step line, prior designs, Griffin and the front named."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from griffin_jax.study._plots._labels import _place_labels
from griffin_jax.study._plots._rows import (
    CATEGORY_ORDER,
    _check_categories,
    _check_fields,
    _check_rows,
    _combine_networks,
    _only_network,
    pareto_front,
)
from griffin_jax.study._plots._style import (
    _CATEGORY_TITLE,
    _EXPLOIT_COLOR,
    _EXPLOIT_NAME,
    _FONT,
    _KIND_NAME,
    _KIND_STYLE,
    Plot,
    _figure,
    _freeze_layout,
    _label,
    _save,
    _style_axes,
)


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


def _step_path(front) -> list:
    """The vertices of the front's post-step line (as ``ax.step(..., where="post")`` draws)."""
    out = []
    for (_, x, y), nxt in zip(front, list(front[1:]) + [None]):
        out.append((x, y))
        if nxt is not None:
            out.append((nxt[1], y))
    return out


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
        # The front runs along the top: headroom above it for the front's labels.
        ax.set_ymargin(0.12)
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
            [p[1:] for p in d["points"]],
            [math.sqrt(_KIND_STYLE[st[0]]["s"]) for st in d["styles"]],
            [_step_path(d["front"])],
        )
    return fig
