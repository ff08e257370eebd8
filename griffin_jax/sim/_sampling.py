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
from typing import Sequence

import numpy as np

from griffin_jax.design._core import Design
from griffin_jax.sim._gemm import (
    DEFAULT_CHUNK,
    _check_designs,
    _evaluate_group,
    _steps,
    check_masks,
    sample_tiles,
)


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
        return (f"{self.estimate[i]:.0f} +/- {half:.0f} cycles (ESTIMATE from "
                f"{self.n_sampled[i]} of {self.n_tiles[i]} tiles, "
                f"{100 * self.confidence:.0f}% confidence interval)")


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

    Args:
      designs: D designs; a_mask bool ``[M, K]``; w_mask bool ``[K, N]``.
      fraction: share of the tiles to evaluate, in (0, 1].
      min_tiles: at least this many tiles (or all of them) per design group.
      seed: the tile sample's seed (one sample per core geometry, shared by its designs).
      confidence: two-sided level of the interval, in (0, 1).
    Returns: ``CycleEstimate`` with ``[D]`` arrays.
    """
    import jax

    designs = _check_designs(designs)
    a, w = check_masks(a_mask, w_mask)
    if not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    if isinstance(min_tiles, bool) or not isinstance(min_tiles, int) or min_tiles < 2:
        raise ValueError(f"min_tiles must be an int >= 2, got {min_tiles!r}")
    if not isinstance(confidence, float) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a float in (0, 1), got {confidence!r}")
    devices = tuple(jax.devices() if devices is None else devices)
    D = len(designs)
    M, K = a.shape
    N = w.shape[1]
    est = np.zeros(D)
    se = np.zeros(D)
    n_sampled = np.zeros(D, np.int64)
    n_tiles = np.zeros(D, np.int64)
    dense = np.zeros(D, np.int64)
    groups: dict = {}
    for i, d in enumerate(designs):
        n = -(-M // d.core.cols) * -(-N // d.core.rows)
        n_tiles[i] = n
        dense[i] = n * _steps(K, d.core.lanes)
        if d.exploit == "none":
            est[i], n_sampled[i] = dense[i], n
            continue
        groups.setdefault((d.core, d.exploit, d.sync), []).append(i)
    for (core, _, _), idx in groups.items():
        n = int(n_tiles[idx[0]])
        ids = sample_tiles(core, n, fraction, min_tiles, seed)
        k = len(ids)
        out = _evaluate_group([designs[i] for i in idx], a, w, chunk, False, devices, ids,
                              strategy)
        per = out["tile_cycles"].astype(np.float64)
        for j, i in enumerate(idx):
            n_sampled[i] = k
            est[i] = n * per[j].mean()
            if k < n:
                var = per[j].var(ddof=1) if k > 1 else 0.0
                se[i] = n * math.sqrt((1 - k / n) * var / k)
    half = _z(confidence) * se
    return CycleEstimate(designs, est, se, est - half, est + half, confidence, n_sampled,
                         n_tiles, dense)
