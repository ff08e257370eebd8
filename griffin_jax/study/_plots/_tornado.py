"""The tornado chart: how far each uncertain input moves one claim of a sensitivity study."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from griffin_jax.study._plots._rows import _check_fields, _check_rows, _num
from griffin_jax.study._plots._style import (
    _CATEGORY_TITLE,
    _FONT,
    Plot,
    _figure,
    _save,
    _style_axes,
)


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
