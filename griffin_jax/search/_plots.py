"""The objective per descent step of a gradient search (matplotlib, optional)."""

from __future__ import annotations

import math
import pathlib

_UNITS = {"tops_per_w": "TOPS/W (higher is better)",
          "edp": "energy x delay, pJ x ns (lower is better)",
          "perf_under_area": "speedup over dense (higher is better)"}


def plot_history(result, path) -> str:
    """Plot ``result.history`` (a gradient ``SearchResult``) to ``path`` (format from its suffix).

    Lines: the relaxed objective of the incumbent iterate per step; markers: the exact objective
    of its rounding at the checkpoints; dashed: the best exact design found. Returns the path.
    Needs matplotlib (extra ``plot``).
    """
    if not getattr(result, "history", None):
        raise ValueError("result has no history to plot (only gradient searches record one)")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plot_history needs matplotlib: pip install 'griffin_jax[plot]'") from e
    steps = [h.step for h in result.history]
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot(steps, [h.relaxed for h in result.history], label="relaxed (incumbent iterate)")
    ex = [(h.step, h.exact) for h in result.history if not math.isnan(h.exact)]
    if ex:
        ax.plot(*zip(*ex), "o", label="exact (rounded incumbent)")
    if result.best_value is not None:
        ax.axhline(result.best_value, ls="--", color="gray",
                   label=f"best exact: {result.best.label} ({result.n_exact} exact evals)")
    ax.set_xlabel("descent step")
    ax.set_ylabel(_UNITS.get(result.objective, result.objective))
    title = f"gradient search: {result.objective}"
    if result.area_budget_mm2 is not None:
        title += f" (area <= {result.area_budget_mm2:.3g} mm^2)"
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return str(path)
