"""The exact cycle model: reference scheduler, JAX kernel, GEMM batching, networks, sampling."""

from griffin_jax.sim._cache import enable_compilation_cache
from griffin_jax.sim._gemm import (
    Activity,
    GemmResult,
    gemm_activity_batch,
    simulate_gemm,
    simulate_gemm_batch,
    tile_activity,
    tile_cycles,
)
from griffin_jax.sim._network import LayerResult, NetworkCycles, network_cycles, simulate_layers
from griffin_jax.sim._options import SimOptions, sim_options
from griffin_jax.sim._reference import reference_gemm, reference_pending, reference_tile
from griffin_jax.sim._sampling import CycleEstimate, estimate_gemm_cycles

__all__ = [
    "SimOptions",
    "sim_options",
    "Activity",
    "GemmResult",
    "gemm_activity_batch",
    "simulate_gemm",
    "simulate_gemm_batch",
    "tile_activity",
    "tile_cycles",
    "LayerResult",
    "NetworkCycles",
    "network_cycles",
    "simulate_layers",
    "reference_gemm",
    "reference_pending",
    "reference_tile",
    "CycleEstimate",
    "estimate_gemm_cycles",
    "enable_compilation_cache",
]
