"""Tile sampling: estimate a layer's cycles from a random subset of its output tiles.

Tiles are drawn uniformly without replacement; the estimate of the total is ``N * mean`` with the
finite-population standard error ``N * sqrt((1 - n/N) * s^2 / n)`` and a normal-approximation
confidence interval. Every estimate says that it is one (``exact=False``, the sample size and the
interval); a layer with no more tiles than the sample is evaluated exactly.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Sequence

import numpy as np

from griffin_jax.design._core import Design
from griffin_jax.sim._program import DEFAULT_CHUNK


def sample_tiles(core, n_tiles: int, fraction: float, min_tiles: int, seed: int) -> np.ndarray:
    """The tile sample of one core geometry: ``max(min_tiles, fraction * n)`` distinct tiles
    (all of them when that is not fewer), uniform without replacement, sorted."""
    k = min(n_tiles, max(min_tiles, math.ceil(fraction * n_tiles)))
    if k == n_tiles:
        return np.arange(n_tiles)
    rng = np.random.default_rng([seed, core.rows, core.cols, core.lanes])
    return np.sort(rng.choice(n_tiles, size=k, replace=False))


def _stderr(tile_cycles: np.ndarray, n: int) -> np.ndarray:
    """Standard error ``[k]`` of ``n * mean`` over a uniform sample without replacement of
    ``tile_cycles`` ``[k, s]`` out of ``n`` tiles (finite-population correction)."""
    s = tile_cycles.shape[1]
    if s >= n or s < 2:
        return np.zeros(tile_cycles.shape[0])
    var = tile_cycles.astype(np.float64).var(axis=1, ddof=1)
    return n * np.sqrt((1 - s / n) * var / s)


@dataclasses.dataclass(frozen=True)
class CycleEstimate:
    """Estimated cycles per design (float ``[D]`` arrays) with a confidence interval.

    ``n_sampled`` / ``n_tiles``: int ``[D]`` tiles evaluated / tiles in the layer (they differ by
    design when cores differ). ``exact`` is True only where every tile was evaluated.
    """

    designs: tuple
    estimate: np.ndarray
    stderr: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    confidence: float
    n_sampled: np.ndarray
    n_tiles: np.ndarray
    dense_cycles: np.ndarray

    @property
    def exact(self) -> np.ndarray:
        return self.n_sampled == self.n_tiles

    def describe(self, i: int = 0) -> str:
        if self.exact[i]:
            return f"{self.estimate[i]:.0f} cycles (exact: all {self.n_tiles[i]} tiles)"
        half = (self.ci_high[i] - self.ci_low[i]) / 2
        return (
            f"{self.estimate[i]:.0f} +/- {half:.0f} cycles (ESTIMATE from "
            f"{self.n_sampled[i]} of {self.n_tiles[i]} tiles, "
            f"{100 * self.confidence:.0f}% confidence interval)"
        )


def _z(confidence: float) -> float:
    return statistics.NormalDist().inv_cdf(0.5 + confidence / 2)


def estimate_gemm_cycles(
    designs: Sequence[Design],
    a_mask,
    w_mask,
    *,
    fraction: float = 0.05,
    min_tiles: int = 32,
    seed: int = 0,
    confidence: float = 0.95,
    chunk: int | None = DEFAULT_CHUNK,
    devices=None,
    strategy: str | None = None,
) -> CycleEstimate:
    """Cycles of many designs on one GEMM, estimated from ``max(min_tiles, fraction * N)`` tiles.

    A view of ``gemm_activity_batch(sample=fraction, activity=False)`` (the one estimator path)
    with a confidence interval around its cycles.

    Args:
      designs: D designs; a_mask bool ``[M, K]``; w_mask bool ``[K, N]``.
      fraction: share of the tiles to evaluate, in (0, 1].
      min_tiles: at least this many tiles (or all of them) per design group.
      seed: the tile sample's seed (one sample per core geometry, shared by its designs).
      confidence: two-sided level of the interval, in (0, 1).
    Returns: ``CycleEstimate`` with ``[D]`` arrays.
    """
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, (int, float))
        or not 0 < fraction <= 1
    ):
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    if not isinstance(confidence, float) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a float in (0, 1), got {confidence!r}")
    # The GEMM path draws its samples with ``sample_tiles`` from this module: imported here,
    # at call time, so that neither module needs the other at import.
    from griffin_jax.sim._gemm import gemm_activity_batch

    act = gemm_activity_batch(
        designs,
        a_mask,
        w_mask,
        chunk=chunk,
        activity=False,
        devices=devices,
        sample=fraction,
        min_tiles=min_tiles,
        seed=seed,
        strategy=strategy,
    )
    est = act.cycles.astype(np.float64)
    half = _z(confidence) * act.stderr
    return CycleEstimate(
        act.designs,
        est,
        act.stderr,
        est - half,
        est + half,
        confidence,
        act.sampled_tiles,
        act.tiles,
        act.dense_cycles,
    )
