"""Seeded sparsity-mask generators (numpy only).

Every generator takes ``seed``: an int (>= 0) or a ``numpy.random.Generator``, and is
deterministic given it. Masks are bool arrays, True where the operand is nonzero.

Weights are ``[K, N]`` (reduction x output channels); activations are ``[H, W, C]`` maps that
``im2col_mask`` lowers to ``[M, K]``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from griffin_jax.workloads._layers import _int

# Bernoulli masks are drawn in slabs of about this many elements so that huge weight matrices
# (VGG-16 fc6 is 25088 x 4096) never need a float temporary of the full size.
_SLAB = 1 << 22


def as_rng(seed) -> np.random.Generator:
    """``seed`` (int >= 0 or Generator) as a Generator; a Generator is used as is."""
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int >= 0 or a numpy Generator, got {seed!r}")
    return np.random.default_rng(int(seed))


def check_density(name: str, density) -> float:
    if isinstance(density, bool) or not isinstance(density, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number in [0, 1], got {density!r}")
    d = float(density)
    if not (0.0 <= d <= 1.0):  # also rejects NaN
        raise ValueError(f"{name} must be in [0, 1], got {density!r}")
    return d


def _shape(shape) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        return tuple(_int("shape", s) for s in shape)
    except TypeError:
        raise ValueError(f"shape must be a tuple of positive ints, got {shape!r}") from None


def bernoulli_mask(shape, density: float, seed) -> np.ndarray:
    """Independent Bernoulli(``density``) entries: bool ``shape``.

    The realised density is random (binomial around ``density``); ``density`` 0 and 1 give
    all-False and all-True masks exactly.
    """
    shape = _shape(shape)
    p = check_density("density", density)
    rng = as_rng(seed)
    out = np.empty(shape, np.bool_)
    flat = out.reshape(-1)
    for lo in range(0, flat.size, _SLAB):
        hi = min(lo + _SLAB, flat.size)
        flat[lo:hi] = rng.random(hi - lo, dtype=np.float32) < p
    return out


def _exact_choice(n_items: int, n_keep: int, rng: np.random.Generator) -> np.ndarray:
    keep = np.zeros(n_items, np.bool_)
    keep[rng.permutation(n_items)[:n_keep]] = True
    return keep


def parse_nm(pattern: str) -> tuple[int, int]:
    """``"2:4"`` -> ``(2, 4)``; ValueError unless ``0 < n <= m``."""
    try:
        n, m = (int(p) for p in str(pattern).split(":"))
    except ValueError:
        raise ValueError(f"N:M pattern must look like '2:4', got {pattern!r}") from None
    if not (0 < n <= m):
        raise ValueError(f"N:M pattern needs 0 < N <= M, got {pattern!r}")
    return n, m


def nm_mask(k: int, n: int, n_keep: int, m: int, seed) -> np.ndarray:
    """N:M structured weight mask along K: bool ``[k, n]``.

    In every column, each run of ``m`` consecutive k (``k = g*m .. g*m+m-1``) keeps exactly
    ``n_keep`` entries, chosen uniformly at random (the NVIDIA 2:4 sparse tensor core layout,
    generalised to 1:4, 2:8, ...). When ``k`` is not a multiple of ``m``, K is treated as
    zero-padded to the next multiple, as the hardware does; the padding positions are already
    zero, so the short tail group of ``r = k mod m`` rows keeps ``min(n_keep, r)`` entries and
    every group still has at most ``n_keep`` nonzeros. The density is then slightly above
    ``n_keep / m``.
    """
    k, n, n_keep, m = _int("k", k), _int("n", n), _int("n_keep", n_keep), _int("m", m)
    if n_keep > m:
        raise ValueError(f"n_keep must be <= m, got {n_keep}:{m}")
    rng = as_rng(seed)
    full, tail = divmod(k, m)
    out = np.empty((k, n), np.bool_)
    if full:
        out[: full * m] = _random_subsets(full, m, n_keep, n, rng).reshape(full * m, n)
    if tail:
        out[full * m :] = _random_subsets(1, tail, min(n_keep, tail), n, rng)[0]
    return out


def _random_subsets(groups: int, m: int, n_keep: int, n: int, rng) -> np.ndarray:
    """bool ``[groups, m, n]``: every ``[g, :, j]`` holds a uniform random n_keep-subset."""
    combos = math.comb(m, n_keep)
    if combos <= 4096:
        # Draw one index per (group, column) into the table of all subsets: uniform, and far
        # cheaper than ranking random scores for the common 2:4 / 1:4 / 2:8 cases.
        table = np.zeros((combos, m), np.bool_)
        for i, pick in enumerate(itertools.combinations(range(m), n_keep)):
            table[i, list(pick)] = True
        pick = rng.integers(0, combos, size=(groups, n), dtype=np.int16)  # combos <= 4096
        out = np.empty((groups, m, n), np.bool_)
        for r in range(m):
            out[:, r, :] = table[:, r][pick]
        return out
    out = np.empty((groups, m, n), np.bool_)
    rows = max(1, _SLAB // (m * n))
    for g0 in range(0, groups, rows):
        g1 = min(g0 + rows, groups)
        scores = rng.random((g1 - g0, m, n), dtype=np.float32)
        # argpartition returns n_keep distinct positions per (group, column), even on ties.
        top = np.argpartition(scores, m - n_keep, axis=1)[:, m - n_keep :, :]
        keep = np.zeros(scores.shape, np.bool_)
        np.put_along_axis(keep, top, True, axis=1)
        out[g0:g1] = keep
    return out


def block_mask(shape, block, density: float, seed) -> np.ndarray:
    """Block-structured mask: bool ``shape`` (2-D) tiled by ``block = (b0, b1)`` blocks.

    Exactly ``round(density * n_blocks)`` blocks (chosen uniformly) are all True, the rest all
    False. Edge blocks are cropped, so the realised density equals ``density`` up to block
    rounding and edge cropping.
    """
    shape = _shape(shape)
    if len(shape) != 2:
        raise ValueError(f"shape must be 2-D for block_mask, got {shape!r}")
    rows, cols = shape
    if not isinstance(block, (tuple, list)) or len(block) != 2:
        raise ValueError(f"block must be a (rows, cols) pair, got {block!r}")
    b0, b1 = _int("block", block[0]), _int("block", block[1])
    d = check_density("density", density)
    nb0, nb1 = -(-rows // b0), -(-cols // b1)
    keep = _exact_choice(nb0 * nb1, round(d * nb0 * nb1), as_rng(seed)).reshape(nb0, nb1)
    return np.repeat(np.repeat(keep, b0, axis=0), b1, axis=1)[:rows, :cols]


def channel_mask(
    k: int, n: int, density: float, seed, *, axis: str = "out", cin: int | None = None
) -> np.ndarray:
    """Channel-structured weight mask: bool ``[k, n]``.

    ``axis="out"``: keep ``round(density * n)`` whole output channels (columns), drop the rest
    (filter pruning). ``axis="in"``: keep ``round(density * cin)`` whole input channels; with the
    conv K order ``k = (r*S + s)*cin + c`` an input channel ``c`` owns the rows ``k % cin == c``
    (``cin`` defaults to ``k``, i.e. an fc layer, where each row is one input).
    """
    k, n = _int("k", k), _int("n", n)
    d = check_density("density", density)
    rng = as_rng(seed)
    if axis == "out":
        keep = _exact_choice(n, round(d * n), rng)
        return np.broadcast_to(keep[None, :], (k, n)).copy()
    if axis == "in":
        cin = k if cin is None else _int("cin", cin)
        if k % cin:
            raise ValueError(f"cin {cin} must divide k {k} (k = kernel positions * cin)")
        keep = _exact_choice(cin, round(d * cin), rng)
        return np.broadcast_to(np.tile(keep, k // cin)[:, None], (k, n)).copy()
    raise ValueError(f"axis must be 'out' or 'in', got {axis!r}")


def _gaussian_taps(sigma: float) -> np.ndarray:
    r = max(1, math.ceil(3.0 * sigma))
    x = np.arange(-r, r + 1, dtype=np.float64)
    taps = np.exp(-0.5 * (x / sigma) ** 2)
    return (taps / np.sqrt(np.sum(taps**2))).astype(np.float32)  # keeps unit variance


def _smooth_axis(field: np.ndarray, taps: np.ndarray, axis: int) -> np.ndarray:
    """Circular convolution along ``axis``: a periodic field has no border artefacts."""
    r = len(taps) // 2
    pad = [(0, 0)] * field.ndim
    pad[axis] = (r, r)
    padded = np.pad(field, pad, mode="wrap")
    size = field.shape[axis]
    out = np.zeros_like(field)
    for j, t in enumerate(taps):
        out += t * np.take(padded, np.arange(j, j + size), axis=axis)
    return out


def clustered_activation_map(
    h: int,
    w: int,
    c: int,
    density: float,
    seed,
    *,
    sigma: float = 2.0,
    channel_spread: float = 0.0,
    batch: int | None = None,
) -> np.ndarray:
    """A spatially clumpy activation mask with exactly ``round(density * size)`` True entries.

    Model: post-ReLU feature maps are nonzero where a smooth pre-activation is positive, so
    zeros come in blobs rather than independently. We draw white Gaussian noise per
    ``(b, y, x, channel)``, smooth it over (y, x) with a Gaussian of std ``sigma`` pixels (the
    clumpiness: 0 gives independent pixels), optionally add a per-channel offset of std
    ``channel_spread`` (some channels fire more often than others), and keep the largest
    ``round(density * size)`` values. The field is periodic, so borders are not special.

    Returns bool ``[h, w, c]``, or ``[batch, h, w, c]`` when ``batch`` is given.
    """
    h, w, c = _int("h", h), _int("w", w), _int("c", c)
    b = 1 if batch is None else _int("batch", batch)
    d = check_density("density", density)
    for name, v in (("sigma", sigma), ("channel_spread", channel_spread)):
        number = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
        if not number or not v >= 0:
            raise ValueError(f"{name} must be a number >= 0, got {v!r}")
    rng = as_rng(seed)
    field = rng.standard_normal((b, h, w, c), dtype=np.float32)
    if sigma > 0:
        taps = _gaussian_taps(float(sigma))
        field = _smooth_axis(_smooth_axis(field, taps, 1), taps, 2)
    if channel_spread > 0:
        field += rng.normal(0.0, channel_spread, size=c).astype(np.float32)
    flat = field.reshape(-1)
    n_keep = round(d * flat.size)
    mask = np.zeros(flat.size, np.bool_)
    if n_keep:
        mask[np.argpartition(flat, flat.size - n_keep)[flat.size - n_keep :]] = True
    mask = mask.reshape(b, h, w, c)
    return mask[0] if batch is None else mask
