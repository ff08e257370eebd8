"""What every chart shares: print size, and a clear error without matplotlib."""

import sys

import pytest

from griffin_jax.study import category_bars, pareto_plot, speedup_heatmap
from griffin_jax.study._plots import _style
from tests.conftest import plot_table


def test_figures_are_print_sized(tmp_path):
    """At most a 7 in text width, so a PNG placed at its natural size keeps its 6.5-8 pt fonts."""
    pytest.importorskip("matplotlib")
    rows = plot_table()
    for fn in (pareto_plot, category_bars, speedup_heatmap):
        path = fn(rows, tmp_path / f"{fn.__name__}.png").path
        with open(path, "rb") as f:
            head = f.read(24)
        width_px = int.from_bytes(head[16:20], "big")
        assert width_px <= 7.0 * _style._DPI + 1, fn.__name__


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
            fn(plot_table(), tmp_path / "x.png")
