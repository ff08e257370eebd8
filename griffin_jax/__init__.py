"""griffin_jax: exact, batched JAX models of sparse DNN accelerator cores that borrow work.

Public surface (see ``docs/model.md`` section 6)::

    import griffin_jax as gj
    core = gj.Core(rows=8, cols=8, lanes=16)
    design = gj.Design(core=core, exploit="AW", window=gj.Window.box(time=2, lane=1))
    res = gj.simulate_gemm(design, a_mask, w_mask)

Subpackages: ``gj.design`` (designs, presets, Griffin), ``gj.sim`` (the exact model),
``gj.cost`` (area, energy, efficiency), ``gj.workloads`` (networks, sparsity, real masks),
``gj.study`` (experiments and reports).
"""

from griffin_jax import cost, design, sim, study, workloads
from griffin_jax.cost import CostReport, evaluate, load_tech
from griffin_jax.design import (
    CATEGORIES,
    EXPLOITS,
    PRESETS,
    SYNCS,
    Accelerator,
    Core,
    Design,
    Window,
    griffin,
    preset,
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
    "griffin",
    "preset",
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
