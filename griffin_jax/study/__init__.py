"""Studies built on the simulator and the cost model: design-space studies, tables, plots and
the paper's claims report."""

from griffin_jax.study._claims import (
    KINDS,
    PAPER_LOSS,
    PAPER_RATIO,
    ClaimsReport,
    candidate_designs,
    claims_report,
)
from griffin_jax.study._collect import collect_runs
from griffin_jax.study._geometry import (
    GEOMETRY_COLUMNS,
    best_geometry,
    geometries,
    geometry_label,
    geometry_study,
)
from griffin_jax.study._plots import (
    CATEGORY_ORDER,
    LOWER_IS_BETTER,
    Plot,
    category_bars,
    geometry_plot,
    pareto_front,
    pareto_plot,
    speedup_heatmap,
)
from griffin_jax.study._space import box_space, grid_points
from griffin_jax.study._study import (
    Entry,
    Workload,
    best_by,
    category_overview,
    digits_study_workload,
    grid_entries,
    network_study_workload,
    preset_entries,
    run_study,
)
from griffin_jax.study._tables import format_table, gemm_cycles_table, read_csv, write_csv
from griffin_jax.study._validate import (
    PUBLISHED_CSV,
    TOLERANCE,
    VALIDATION_COLUMNS,
    load_published,
    parse_tag,
    validate,
    validation_markdown,
    verdict,
)

__all__ = [
    "KINDS",
    "PAPER_LOSS",
    "PAPER_RATIO",
    "ClaimsReport",
    "candidate_designs",
    "claims_report",
    "CATEGORY_ORDER",
    "LOWER_IS_BETTER",
    "Plot",
    "category_bars",
    "pareto_front",
    "pareto_plot",
    "speedup_heatmap",
    "box_space",
    "grid_points",
    "Entry",
    "Workload",
    "best_by",
    "category_overview",
    "digits_study_workload",
    "grid_entries",
    "network_study_workload",
    "preset_entries",
    "run_study",
    "format_table",
    "gemm_cycles_table",
    "read_csv",
    "write_csv",
    "collect_runs",
    "GEOMETRY_COLUMNS",
    "best_geometry",
    "geometry_plot",
    "geometries",
    "geometry_label",
    "geometry_study",
    "PUBLISHED_CSV",
    "TOLERANCE",
    "VALIDATION_COLUMNS",
    "load_published",
    "parse_tag",
    "validate",
    "validation_markdown",
    "verdict",
]
