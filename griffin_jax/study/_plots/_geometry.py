"""The dense-geometry chart: total and core-only TOPS/W of every dense core of equal peak."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from griffin_jax.study._plots._rows import _check_fields, _check_rows, _num
from griffin_jax.study._plots._style import _FONT, Plot, _figure, _save, _style_axes


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
