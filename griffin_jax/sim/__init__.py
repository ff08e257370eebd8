"""The exact cycle model: reference scheduler, JAX kernel, GEMM batching."""

from griffin_jax.sim._gemm import (
    Activity,
    GemmResult,
    gemm_activity_batch,
    simulate_gemm,
    simulate_gemm_batch,
    tile_activity,
    tile_cycles,
)
from griffin_jax.sim._reference import reference_gemm, reference_pending, reference_tile

__all__ = [
    "Activity", "GemmResult", "gemm_activity_batch", "simulate_gemm", "simulate_gemm_batch",
    "tile_activity", "tile_cycles", "reference_gemm", "reference_pending", "reference_tile",
]
