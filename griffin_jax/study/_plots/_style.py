"""What every chart shares: the returned ``Plot``, print sizes and fonts, colours, axis labels,
and the figure lifecycle (a bare Agg figure, its layout frozen once, the PNG written)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping


@dataclasses.dataclass(frozen=True)
class Plot:
    """A written figure: ``path`` of the PNG and ``data``, the numbers it shows."""

    path: str
    data: Mapping


# Figures are sized in inches for a two-column paper page (7 in text width) and drawn with
# fonts of 6.5-8 pt, so a PNG placed at its natural size reads like the rest of the page.
# 150 dpi keeps 6.5 pt text about 14 px tall (readable on screen and in print) with 0.56x the
# pixels of 200 dpi: files 30% smaller, and the main job's figures about 10% faster to draw.
_DPI = 150
# zlib level 3 encodes a figure in half the time of the default 6, and (on these flat-colour
# charts) into a slightly smaller file.
_PNG = {"compress_level": 3}
_FONT = {"label": 7.5, "tick": 7, "title": 8, "note": 6.5}

# A superscript character, not mathtext: no parser to build and no math layout per draw.
_MM2 = "mm\u00b2"
_CATEGORY_TITLE = {
    "dense": "dense models",
    "W": "weight-sparse models",
    "A": "activation-sparse models",
    "AW": "dual-sparse models",
}
_FIELD_LABEL = {
    "area_mm2": f"total area with SRAM ({_MM2})",
    "area_core_mm2": f"core-only area ({_MM2})",
    "tops_per_w": "total power efficiency (TOPS/W)",
    "tops_per_w_core": "core-only power efficiency (TOPS/W)",
    "tops_per_mm2": f"total area efficiency (TOPS/{_MM2})",
    "tops_per_mm2_core": f"core-only area efficiency (TOPS/{_MM2})",
    "mm2_per_tops": f"total area per TOPS ({_MM2}/TOPS, lower is better)",
    "energy_pj": "total energy (pJ)",
    "energy_core_pj": "core-only energy (pJ)",
    "speedup": "speedup over the dense core (x)",
    "cycles": "cycles",
    "dense_cycles": "dense cycles",
    "box_time": "box time reach (steps)",
    "box_lane": "box lane reach (lanes)",
    "box_group": "box group reach (groups)",
}
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


def _label(field: str) -> str:
    return _FIELD_LABEL.get(field, field)


def _figure(figsize):
    """A figure on its own Agg canvas (no pyplot state; the caller's backend is left alone)."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as err:
        raise ImportError(
            "study plots need matplotlib: install the 'plot' extra "
            "(pip install 'griffin-jax[plot]')"
        ) from err
    fig = Figure(figsize=figsize, layout="constrained", dpi=_DPI)
    FigureCanvasAgg(fig)
    return fig


def _freeze_layout(fig) -> None:
    """Run the constrained layout once and keep it: labels are placed in display space
    afterwards, and a later layout pass would move the axes under them.

    The layout engine measures text with the canvas's renderer but rasterises nothing, so
    this costs a fraction of a full draw (the figure is rendered once, when saved)."""
    fig.get_layout_engine().execute(fig)
    fig.set_layout_engine("none")


def _save(fig, path) -> str:
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=_DPI, pil_kwargs=_PNG)
    return path


def _style_axes(ax, x_label, y_label, title) -> None:
    ax.set_title(title, fontsize=_FONT["title"])
    ax.set_xlabel(x_label, fontsize=_FONT["label"])
    ax.set_ylabel(y_label, fontsize=_FONT["label"])
    ax.tick_params(labelsize=_FONT["tick"])
