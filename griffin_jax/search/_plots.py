"""The objective per descent step of a gradient search (matplotlib, optional)."""

from __future__ import annotations

import math
import pathlib

_UNITS = {
    "tops_per_w": "TOPS/W (higher is better)",
    "edp": "energy x delay, pJ x ns (lower is better)",
    "perf_under_area": "speedup over dense (higher is better)",
}


def plot_history(result, path) -> str:
    """Plot ``result.history`` (a gradient ``SearchResult``) to ``path`` (format from its suffix).

    Lines: the relaxed objective of the incumbent iterate per step; markers: the exact objective
    of its rounding at the checkpoints; dashed: the best exact design found. Returns the path.
    Needs matplotlib (extra ``plot``). Drawn on its own Agg canvas (no pyplot state, the
    caller's backend is left alone), 5 in wide with 7-8 pt fonts, so it prints at its size.
    """
    if not getattr(result, "history", None):
        raise ValueError("result has no history to plot (only gradient searches record one)")
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError("plot_history needs matplotlib: pip install 'griffin_jax[plot]'") from e
    fig = Figure(figsize=(5.0, 3.1), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    steps = [h.step for h in result.history]
    ax.plot(steps, [h.relaxed for h in result.history], label="relaxed (incumbent iterate)")
    ex = [(h.step, h.exact) for h in result.history if not math.isnan(h.exact)]
    if ex:
        ax.plot(*zip(*ex), "o", markersize=4, label="exact (rounded incumbent)")
    if result.best_value is not None:
        ax.axhline(
            result.best_value,
            ls="--",
            color="gray",
            label=f"best exact: {result.best.label} ({result.n_exact} exact evals)",
        )
    ax.set_xlabel("descent step", fontsize=7.5)
    ax.set_ylabel(_UNITS.get(result.objective, result.objective), fontsize=7.5)
    ax.tick_params(labelsize=7)
    title = f"gradient search: {result.objective}"
    if result.area_budget_mm2 is not None:
        title += f" (area <= {result.area_budget_mm2:.3g} mm$^2$)"
    ax.set_title(title, fontsize=8)
    ax.legend(fontsize=6.5)
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=200)
    return str(path)
