"""griffin_jax: exact, batched JAX models of sparse DNN accelerator cores that borrow work.

Public surface (see ``shared/spec/MODEL.md`` section 6)::

    import griffin_jax as gj
    core = gj.Core(rows=8, cols=8, lanes=16)
    design = gj.Design(core=core, exploit="AW", window=gj.Window.box(time=2, lane=1))
    res = gj.simulate_gemm(design, a_mask, w_mask)
"""

from griffin_jax.design import EXPLOITS, SYNCS, Core, Design, Window
from griffin_jax.sim import (
    Activity,
    GemmResult,
    gemm_activity_batch,
    reference_gemm,
    reference_tile,
    simulate_gemm,
    simulate_gemm_batch,
    tile_activity,
    tile_cycles,
)

__version__ = "0.1.0"

__all__ = [
    "EXPLOITS", "SYNCS", "Core", "Design", "Window",
    "Activity", "GemmResult", "gemm_activity_batch", "simulate_gemm", "simulate_gemm_batch",
    "tile_activity", "tile_cycles", "reference_gemm", "reference_tile",
]
