"""Figures of the design-space study, drawn from its tidy ``summary`` rows: one module per chart.

Every plotting function first computes what it will draw (pure Python, validated), then draws
it on a matplotlib Agg canvas and writes a PNG. It returns a ``Plot``: the path and the numbers
drawn, so tests and reports can check a figure without reading pixels. matplotlib (the ``plot``
extra) is imported only inside the drawing step, through the object-oriented API: no pyplot
figures, and the caller's backend is left alone. ``pareto_front`` is pure. Figures are sized for
a 7 in page width with 6.5-8 pt text, and labels are placed so that none overlaps another or
leaves its axes.

Rows: flat dicts as ``run_study`` writes them or as ``read_csv`` reads them back (numbers given
as strings are accepted). Columns used: ``design``, ``kind`` ("space", "preset", "griffin"),
``exploit``, ``category`` ("dense", "W", "A", "AW"), ``network``, the plotted metrics, and
``box_time`` / ``box_lane`` / ``box_group`` (-1 when the window is not a box). A design is
identified by its name plus, where present, its core and sync columns (grid labels do not name
the core).

Several networks in one category: a design's numbers are combined over them by geometric mean
(the usual summary of per-benchmark ratios); ``network=`` restricts a figure to one network.

Modules: ``_style`` (fonts, colours, labels, the figure lifecycle), ``_labels`` (point label
placement), ``_rows`` (row checks, network combination, ``pareto_front``), then one per chart:
``_pareto``, ``_bars``, ``_heatmap``, ``_breakdown``, ``_geometry``, ``_tornado``; ``_all``
draws every chart of the main job (``study_plots``).
"""

from griffin_jax.study._plots._all import study_figures, study_plots
from griffin_jax.study._plots._bars import category_bars
from griffin_jax.study._plots._breakdown import breakdown_plot
from griffin_jax.study._plots._geometry import geometry_plot
from griffin_jax.study._plots._heatmap import speedup_heatmap
from griffin_jax.study._plots._pareto import pareto_plot
from griffin_jax.study._plots._rows import CATEGORY_ORDER, LOWER_IS_BETTER, pareto_front
from griffin_jax.study._plots._style import Plot
from griffin_jax.study._plots._tornado import tornado_plot

__all__ = [
    "CATEGORY_ORDER",
    "LOWER_IS_BETTER",
    "Plot",
    "breakdown_plot",
    "category_bars",
    "geometry_plot",
    "pareto_front",
    "pareto_plot",
    "speedup_heatmap",
    "study_figures",
    "study_plots",
    "tornado_plot",
]
