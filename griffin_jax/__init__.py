"""griffin_jax: exact, batched JAX models of sparse DNN accelerator cores that borrow work.

Public surface (see ``docs/model.md`` section 6)::

    import griffin_jax as gj
    core = gj.Core(rows=8, cols=8, lanes=16)
    design = gj.Design(core=core, exploit="AW", window=gj.Window.box(time=2, lane=1))
    res = gj.simulate_gemm(design, a_mask, w_mask)

One call from a design to an answer (``docs/model.md`` 4.3 for the figures)::

    reps = gj.evaluate(["tensordash_like", "griffin"], "resnet50", "AW")
    gj.to_rows(reps)  # cycles, speedup, utilisation, TOPS/W, area and energy per component

Subpackages: ``gj.design`` (designs, presets, Griffin), ``gj.sim`` (the exact model),
``gj.cost`` (area, energy, efficiency), ``gj.workloads`` (networks, sparsity, real masks),
``gj.study`` (experiments and reports). Extension points (one registration each):
``register_preset``, ``register_network`` / ``register_layer_table``, ``register_shape``.
"""

from griffin_jax import cost, design, sim, study, workloads
from griffin_jax._api import evaluate_compat as evaluate
from griffin_jax._api import to_frame, to_rows
from griffin_jax.cost import CostReport, load_tech
from griffin_jax.design import (
    CATEGORIES,
    EXPLOITS,
    PRESETS,
    SYNCS,
    Accelerator,
    Core,
    Design,
    Window,
    box_grid,
    custom,
    griffin,
    preset,
    preset_names,
    register_preset,
    register_shape,
    window_from_spec,
)
from griffin_jax.sim import (
    Activity,
    CycleEstimate,
    GemmResult,
    SimOptions,
    estimate_gemm_cycles,
    gemm_activity_batch,
    network_cycles,
    reference_gemm,
    reference_tile,
    simulate_gemm,
    simulate_gemm_batch,
    simulate_layers,
    tile_activity,
    tile_cycles,
)
from griffin_jax.study import claims_report
from griffin_jax.workloads import GemmLayer, Workload, register_layer_table, register_network

__version__ = "0.1.0"

__all__ = [
    "cost",
    "design",
    "sim",
    "study",
    "workloads",
    "CATEGORIES",
    "EXPLOITS",
    "PRESETS",
    "SYNCS",
    "Accelerator",
    "Core",
    "Design",
    "Window",
    "box_grid",
    "custom",
    "griffin",
    "preset",
    "preset_names",
    "register_preset",
    "register_shape",
    "window_from_spec",
    "GemmLayer",
    "Workload",
    "register_layer_table",
    "register_network",
    "to_frame",
    "to_rows",
    "Activity",
    "CycleEstimate",
    "SimOptions",
    "GemmResult",
    "estimate_gemm_cycles",
    "gemm_activity_batch",
    "network_cycles",
    "reference_gemm",
    "reference_tile",
    "simulate_gemm",
    "simulate_gemm_batch",
    "simulate_layers",
    "tile_activity",
    "tile_cycles",
    "CostReport",
    "evaluate",
    "load_tech",
    "claims_report",
]
