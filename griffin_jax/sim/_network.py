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


_INT64_MAX = 2**63 - 1


def _int_total(name: str, results, counts) -> np.ndarray:
    """int64 ``[D]``: ``sum(multiplicity x counts(r))`` over layers, added in Python ints so
    that a total past int64 is a ``ValueError`` instead of a silent wrap."""
    totals = None
    for r in results:
        m = int(r.multiplicity)
        row = [m * int(c) for c in np.asarray(counts(r)).tolist()]
        totals = row if totals is None else [a + b for a, b in zip(totals, row)]
    if any(t > _INT64_MAX for t in totals):
        raise ValueError(f"network {name} exceed int64 ({max(totals)}): multiplicities too large")
    return np.asarray(totals, np.int64)


def _check_multiplicities(results) -> None:
    for i, r in enumerate(results):
        m = r.multiplicity
        if isinstance(m, (bool, np.bool_)) or not isinstance(m, (int, np.integer)) or m < 1:
            raise ValueError(f"results[{i}].multiplicity must be an int >= 1, got {m!r}")


def network_cycles(results: Sequence[LayerResult]) -> NetworkCycles:
    """Sum layer results (times their multiplicity) into network totals; ``ValueError`` when
    a total does not fit int64 (or, estimated, is not finite)."""
    results = nonempty_of(
        "results", results, LayerResult, "a LayerResult", "results must hold at least one layer"
    )
    _check_multiplicities(results)
    exact = all(r.activity is not None or r.estimate.exact.all() for r in results)
    dense = _int_total("dense_cycles", results, lambda r: r.dense_cycles)
    if all(r.activity is not None for r in results):
        cyc = _int_total("cycles", results, lambda r: r.activity.cycles)
        return NetworkCycles(cyc, dense, True)
    cyc = sum(float(r.multiplicity) * np.asarray(r.cycles, float) for r in results)
    if not np.all(np.isfinite(cyc)):
        raise ValueError("network cycles are not finite: multiplicities too large")
    var = sum(
        (float(r.multiplicity) * r.estimate.stderr) ** 2 for r in results if r.estimate is not None
    )
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
    return NetworkCycles(cyc, dense, exact, se, cyc - half, cyc + half, sampled, total)
