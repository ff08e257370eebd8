"""Many designs over the layers of a network: exact (or tile-sampled) cycles and activity.

A layer is a ``workloads.GemmLayer`` (or a ``(name, a_mask [M, K], w_mask [K, N],
multiplicity)`` tuple); ``multiplicity`` counts the identical GEMMs it stands for (``groups x
count`` of a layer table), so network totals are ``sum(multiplicity x layer cycles)``. Memory
stays bounded by the chunk size, whatever the number of designs: designs of a bucket run one
after another inside one compiled program.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from griffin_jax._checks import nonempty_of
from griffin_jax.design._core import Design
from griffin_jax.sim._gemm import DEFAULT_CHUNK, Activity, _check_designs, gemm_activity_batch
from griffin_jax.sim._sampling import CycleEstimate, estimate_gemm_cycles
from griffin_jax.workloads._workload import Workload, iter_layers


@dataclasses.dataclass(frozen=True)
class LayerResult:
    """One layer's outcome: ``activity`` when exact, ``estimate`` when tile-sampled."""

    name: str
    multiplicity: int
    activity: Activity | None = None
    estimate: CycleEstimate | None = None

    @property
    def cycles(self) -> np.ndarray:
        """Cycles of ONE instance per design (float when estimated)."""
        return self.activity.cycles if self.activity is not None else self.estimate.estimate

    @property
    def dense_cycles(self) -> np.ndarray:
        src = self.activity if self.activity is not None else self.estimate
        return src.dense_cycles


def simulate_layers(
    designs: Sequence[Design],
    layers: Iterable,
    *,
    activity: bool = True,
    sample: float | None = None,
    seed: int = 0,
    confidence: float = 0.95,
    chunk: int | None = DEFAULT_CHUNK,
    devices=None,
    progress: Callable[[int, str], None] | None = None,
    strategy: str | None = None,
) -> list[LayerResult]:
    """Evaluate D designs on every layer.

    Args:
      designs: D designs.
      layers: a ``Workload`` or an iterable of ``GemmLayer`` (or ``(name, a_mask bool [M, K],
        w_mask bool [K, N], multiplicity)``); consumed lazily, so a generator keeps only one
        layer's masks in memory.
      activity: exact activity counters too (only without ``sample``).
      sample: None for exact cycles; else the tile fraction of ``estimate_gemm_cycles``.
      progress: called as ``progress(i, name)`` after each layer.
      strategy: design layout of the compiled programs (see ``gemm_activity_batch``).
    Returns: one ``LayerResult`` per layer, in order.
    """
    designs = _check_designs(designs)
    out = []
    if isinstance(layers, Workload):
        layers = layers.layers
    for i, layer in enumerate(iter_layers(layers)):
        name, a, w, mult = layer.name, layer.a_mask, layer.w_mask, layer.multiplicity
        if sample is None:
            act = gemm_activity_batch(
                designs, a, w, chunk=chunk, activity=activity, devices=devices, strategy=strategy
            )
            out.append(LayerResult(name, mult, activity=act))
        else:
            est = estimate_gemm_cycles(
                designs,
                a,
                w,
                fraction=sample,
                seed=seed + i,
                confidence=confidence,
                chunk=chunk,
                devices=devices,
                strategy=strategy,
            )
            out.append(LayerResult(name, mult, estimate=est))
        if progress is not None:
            progress(i, name)
    return out


@dataclasses.dataclass(frozen=True)
class NetworkCycles:
    """Network totals per design: ``cycles`` and ``dense_cycles`` ``[D]``; for sampled runs also
    the standard error and interval (independent per-layer samples: variances add)."""

    cycles: np.ndarray
    dense_cycles: np.ndarray
    exact: bool
    stderr: np.ndarray | None = None
    ci_low: np.ndarray | None = None
    ci_high: np.ndarray | None = None
    sampled_tiles: int = 0
    total_tiles: int = 0


def network_cycles(results: Sequence[LayerResult]) -> NetworkCycles:
    """Sum layer results (times their multiplicity) into network totals."""
    results = nonempty_of(
        "results", results, LayerResult, "a LayerResult", "results must hold at least one layer"
    )
    exact = all(r.activity is not None or r.estimate.exact.all() for r in results)
    if all(r.activity is not None for r in results):
        cyc = sum(r.multiplicity * r.activity.cycles for r in results)
        dense = sum(r.multiplicity * r.activity.dense_cycles for r in results)
        return NetworkCycles(np.asarray(cyc, np.int64), np.asarray(dense, np.int64), True)
    cyc = sum(r.multiplicity * np.asarray(r.cycles, float) for r in results)
    dense = sum(r.multiplicity * r.dense_cycles for r in results)
    var = sum((r.multiplicity * r.estimate.stderr) ** 2 for r in results if r.estimate is not None)
    se = np.sqrt(var)
    conf = next(r.estimate.confidence for r in results if r.estimate is not None)
    from griffin_jax.sim._sampling import _z

    half = _z(conf) * se
    sampled = sum(
        int(r.estimate.n_sampled.max()) if r.estimate is not None else int(r.activity.tiles.max())
        for r in results
    )
    total = sum(
        int(r.estimate.n_tiles.max()) if r.estimate is not None else int(r.activity.tiles.max())
        for r in results
    )
    return NetworkCycles(
        cyc, np.asarray(dense, np.int64), exact, se, cyc - half, cyc + half, sampled, total
    )
