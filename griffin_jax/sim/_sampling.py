"""Tile sampling: estimate a layer's cycles from a random subset of its output tiles.

Tiles are drawn uniformly without replacement; the estimate of the total is ``N * mean`` with the
finite-population standard error ``N * sqrt((1 - n/N) * s^2 / n)`` and a normal-approximation
confidence interval. Every estimate says that it is one (``exact=False``, the sample size and the
interval); a layer with no more tiles than the sample is evaluated exactly.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Sequence

import numpy as np

from griffin_jax.design._core import Design
from griffin_jax.sim._gemm import DEFAULT_CHUNK, gemm_activity_batch


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
