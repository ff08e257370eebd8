"""The four model categories of the Griffin paper, as masks for every layer of a network.

Categories (Shin et al., HPCA 2022): ``"dense"`` (no zeros exploited), ``"W"`` (weight-only
sparse: a pruned model with dense activations, e.g. no ReLU), ``"A"`` (activation-only sparse:
an unpruned ReLU model), ``"AW"`` (dual sparse: a pruned ReLU model).

Default densities (override per call, or per layer with a profile):

* ``DEFAULT_A_DENSITY = 0.56``: Cnvlutin (Albericio et al., ISCA 2016) reports that the inputs of
  convolutional layers are on average 44% zeros across the networks it studied (as quoted by
  Shi & Chu, arXiv:1704.07724).
* ``DEFAULT_W_DENSITY``: the median ``Weights%`` over the conv layers of VGG-16 pruned by
  Han et al. (NIPS 2015) without accuracy loss, computed from the table in ``_profiles``
  (0.34). Conv layers, not the whole model: the model-wide 7.5% is dominated by fc6/fc7.

Without a profile the default (or given) density applies to every layer alike, the image-input
layer included: a synthetic category. With ``a_profile`` / ``w_profile`` the densities follow
the cited per-layer measurements instead (e.g. activations dense where there is no ReLU).

Operands of ``kind="matmul"`` layers (attention ``QK^T`` and ``PV``) are both activations: their
``W``-side operand is sparse only in the categories that sparsify activations (A, AW), at the
activation density, drawn Bernoulli; in "W" both stay dense (there is nothing to prune).
"""

from __future__ import annotations

import dataclasses
import statistics
import warnings
from collections.abc import Iterator

import numpy as np

from griffin_jax.workloads._layers import Layer, im2col_mask
from griffin_jax.workloads._networks import network as _network
from griffin_jax.workloads._profiles import HAN2015_VGG16, Profile, get_profile
from griffin_jax.workloads._sparsity import (
    as_rng,
    bernoulli_mask,
    block_mask,
    channel_mask,
    check_density,
    clustered_activation_map,
    nm_mask,
    parse_nm,
)
from griffin_jax.workloads._workload import GemmLayer, check_category

CATEGORY_NAMES = {
    "dense": "dense",
    "W": "weight-only sparse",
    "A": "activation-only sparse",
    "AW": "dual sparse",
}
A_PATTERNS = ("clustered", "bernoulli")
W_PATTERNS = ("bernoulli", "block", "channel_out", "channel_in", "N:M (e.g. '2:4')")

DEFAULT_A_DENSITY = 0.56
DEFAULT_W_DENSITY = round(statistics.median(r[3] for r in HAN2015_VGG16 if r[1] == "conv") / 100, 2)


_check_category = check_category


def _sparse_sides(category: str) -> tuple[bool, bool]:
    _check_category(category)
    return category in ("A", "AW"), category in ("W", "AW")


def _nm(pattern: str):
    return parse_nm(pattern) if isinstance(pattern, str) and ":" in pattern else None


def _resolve(category, a_density, w_density, w_pattern) -> tuple[float, float]:
    """The (activation, weight) densities one layer of ``category`` gets."""
    a_on, w_on = _sparse_sides(category)
    if a_density is not None and not a_on:
        raise ValueError(f"a_density given, but category {category!r} keeps activations dense")
    if w_density is not None and not w_on:
        raise ValueError(f"w_density given, but category {category!r} keeps weights dense")
    a = check_density("a_density", DEFAULT_A_DENSITY if a_density is None else a_density)
    nm = _nm(w_pattern)
    if nm is not None:
        if w_density is not None and not np.isclose(w_density, nm[0] / nm[1]):
            raise ValueError(f"w_density {w_density} contradicts w_pattern {w_pattern!r}")
        w = nm[0] / nm[1]
    else:
        w = check_density("w_density", DEFAULT_W_DENSITY if w_density is None else w_density)
    return (a if a_on else 1.0), (w if w_on else 1.0)


def activation_mask(
    layer: Layer,
    density: float,
    seed,
    *,
    pattern: str = "clustered",
    sigma: float = 2.0,
    channel_spread: float = 0.0,
) -> np.ndarray:
    """One group's ``a_mask`` bool ``[M, K]`` at ``density``.

    ``pattern="clustered"``: convs draw a clumpy ``[B, H, W, Cin/groups]`` map of group 0's
    input channels (``clustered_activation_map``) and lower it with ``im2col_mask``, so the realised
    density of the GEMM mask differs slightly from the map's (padding, stride, overlap); fc and
    matmul layers draw the map with ``H = 1``, ``W = M`` (clumps along tokens), ``C = K``.
    ``pattern="bernoulli"``: independent entries of the ``[M, K]`` mask.
    """
    d = check_density("a_density", density)
    if d == 1.0:
        return np.ones((layer.M, layer.K), np.bool_)
    rng = as_rng(seed)
    if pattern == "bernoulli":
        return bernoulli_mask((layer.M, layer.K), d, rng)
    if pattern != "clustered":
        raise ValueError(f"a_pattern must be one of {A_PATTERNS}, got {pattern!r}")
    if layer.kind == "conv":
        # Only group 0's input channels reach this GEMM: draw just those (a depthwise layer
        # would otherwise draw Cin times more map than it uses).
        one = dataclasses.replace(layer, cin=layer.cin // layer.groups, groups=1, depth=None)
        x = clustered_activation_map(
            one.h,
            one.w,
            one.cin,
            d,
            rng,
            sigma=sigma,
            channel_spread=channel_spread,
            batch=one.batch,
        )
        return im2col_mask(x, one)
    x = clustered_activation_map(
        1, layer.M, layer.K, d, rng, sigma=sigma, channel_spread=channel_spread
    )
    return x.reshape(layer.M, layer.K)


def weight_mask(
    layer: Layer, density: float, seed, *, pattern: str = "bernoulli", block=(4, 4)
) -> np.ndarray:
    """One group's ``w_mask`` bool ``[K, N]``.

    ``pattern``: "bernoulli" (unstructured), "N:M" such as "2:4" (along K; ``density`` must be
    N/M), "block" (``block = (bk, bn)`` blocks of the [K, N] matrix), "channel_out" (whole
    output channels), "channel_in" (whole input channels, using the conv K order).
    """
    d = check_density("w_density", density)
    k, n = layer.K, layer.N
    if d == 1.0 and _nm(pattern) is None:
        return np.ones((k, n), np.bool_)
    rng = as_rng(seed)
    nm = _nm(pattern)
    if nm is not None:
        if not np.isclose(d, nm[0] / nm[1]):
            raise ValueError(f"w_density {d} contradicts w_pattern {pattern!r}")
        return nm_mask(k, n, nm[0], nm[1], rng)
    if pattern == "bernoulli":
        return bernoulli_mask((k, n), d, rng)
    if pattern == "block":
        return block_mask((k, n), block, d, rng)
    if pattern == "channel_out":
        return channel_mask(k, n, d, rng, axis="out")
    if pattern == "channel_in":
        cin = layer.cin // layer.groups if layer.kind == "conv" else k
        return channel_mask(k, n, d, rng, axis="in", cin=cin)
    raise ValueError(f"w_pattern must be one of {W_PATTERNS}, got {pattern!r}")


def _split_rng(seed) -> tuple[np.random.Generator, np.random.Generator]:
    rng = as_rng(seed)
    a, w = rng.spawn(2)
    return a, w


def layer_masks(
    layer: Layer,
    category: str,
    seed,
    *,
    a_density: float | None = None,
    w_density: float | None = None,
    a_pattern: str = "clustered",
    w_pattern: str = "bernoulli",
    sigma: float = 2.0,
    channel_spread: float = 0.0,
    block=(4, 4),
) -> tuple[np.ndarray, np.ndarray]:
    """Masks of ONE group of ``layer`` in model ``category``.

    Returns ``(a_mask bool [M, K], w_mask bool [K, N])``.

    All ``groups * count`` GEMMs of the layer share these masks, so a simulator runs them once
    and multiplies the cycles by ``layer.groups * layer.count``. Densities default to
    ``DEFAULT_A_DENSITY`` / ``DEFAULT_W_DENSITY`` on the sparse sides of the category; giving a
    density for a side the category keeps dense is an error. The activation and weight masks
    come from independent streams of ``seed``.
    """
    if not isinstance(layer, Layer):
        raise ValueError(f"layer must be a Layer, got {type(layer).__name__}")
    a_d, w_d = _resolve(category, a_density, w_density, w_pattern)
    return _masks(
        layer,
        a_d,
        w_d,
        seed,
        a_pattern=a_pattern,
        w_pattern=w_pattern,
        sigma=sigma,
        channel_spread=channel_spread,
        block=block,
    )


def _masks(layer, a_d, w_d, seed, *, a_pattern, w_pattern, sigma, channel_spread, block):
    a_rng, w_rng = _split_rng(seed)
    a_mask = activation_mask(
        layer, a_d, a_rng, pattern=a_pattern, sigma=sigma, channel_spread=channel_spread
    )
    if layer.kind == "matmul":
        # The W-side operand is an activation: sparse with the activations, never pruned.
        w_mask = bernoulli_mask((layer.K, layer.N), a_d, w_rng)
    elif w_d == 1.0:
        # Dense side of the category: the pattern (say "2:4") only shapes pruned weights.
        w_mask = np.ones((layer.K, layer.N), np.bool_)
    else:
        w_mask = weight_mask(layer, w_d, w_rng, pattern=w_pattern, block=block)
    return a_mask, w_mask


def workload_densities(
    layers,
    category: str,
    *,
    a_density: float | None = None,
    w_density: float | None = None,
    a_profile=None,
    w_profile=None,
    w_pattern: str = "bernoulli",
    network: str | None = None,
) -> tuple[tuple[float, float], ...]:
    """Per-layer ``(a_density, w_density)`` of ``layers`` in ``category`` (1.0 = dense).

    ``a_profile`` / ``w_profile``: a ``Profile`` or a name in ``PROFILES``; it replaces the
    default density on that side (giving both a profile and a density is an error).
    ``network``: the layers' network name, so a profile measured on it is applied exactly.
    """
    layers = tuple(layers)
    a_on, w_on = _sparse_sides(category)
    sides = (("a", a_profile, a_density, a_on), ("w", w_profile, w_density, w_on))
    for side, prof, dens, on in sides:
        if prof is not None and dens is not None:
            raise ValueError(f"give {side}_profile or {side}_density, not both")
        if prof is not None and not on:
            raise ValueError(
                f"{side}_profile given, but category {category!r} keeps that side dense"
            )
    if w_profile is not None and _nm(w_pattern) is not None:
        raise ValueError(
            f"w_profile cannot be combined with the fixed-density w_pattern {w_pattern!r}"
        )
    a0, w0 = _resolve(category, a_density, w_density, w_pattern)
    a_list = _profile_side(a_profile, "A", layers, network) or (a0,) * len(layers)
    w_list = _profile_side(w_profile, "W", layers, network) or (w0,) * len(layers)
    return tuple(zip(a_list, w_list))


def _profile_side(profile, operand, layers, network):
    if profile is None:
        return None
    p: Profile = get_profile(profile)
    if p.operand != operand:
        raise ValueError(f"profile {p.name!r} is for operand {p.operand!r}, not {operand!r}")
    return p.densities(layers, network)


def network_layers(
    network,
    category: str,
    seed=0,
    *,
    batch: int = 1,
    a_density: float | None = None,
    w_density: float | None = None,
    a_profile=None,
    w_profile=None,
    a_pattern: str = "clustered",
    w_pattern: str = "bernoulli",
    sigma: float = 2.0,
    channel_spread: float = 0.0,
    block=(4, 4),
) -> Iterator[GemmLayer]:
    """Yield one ``GemmLayer`` per layer of a network as a model of ``category``, one layer's
    masks in memory at a time.

    ``network``: a layer-table name (``NETWORKS``, built at ``batch``) or a sequence of
    ``Layer``. Each ``GemmLayer`` carries its ``Layer`` as ``spec`` and ``groups x count`` as
    its multiplicity. Layer i draws from its own stream ``default_rng([seed, i])`` (int seed)
    or the i-th spawn of a Generator seed, so masks do not depend on which other layers are
    generated. Densities: module doc (defaults, or per-layer profiles).
    """
    if isinstance(network, str):
        name, layers = network, _network(network, batch)
    else:
        name, layers = None, tuple(network)
    dens = workload_densities(
        layers,
        category,
        a_density=a_density,
        w_density=w_density,
        a_profile=a_profile,
        w_profile=w_profile,
        w_pattern=w_pattern,
        network=name,
    )
    if isinstance(seed, np.random.Generator):
        rngs = seed.spawn(len(layers))
    else:
        as_rng(seed)  # validates
        rngs = [np.random.default_rng([int(seed), i]) for i in range(len(layers))]
    for layer, (a_d, w_d), rng in zip(layers, dens, rngs):
        a_mask, w_mask = _masks(
            layer,
            a_d,
            w_d,
            rng,
            a_pattern=a_pattern,
            w_pattern=w_pattern,
            sigma=sigma,
            channel_spread=channel_spread,
            block=block,
        )
        yield GemmLayer(
            layer.name,
            a_mask,
            w_mask,
            layer.groups * layer.count,
            name or "",
            category,
            spec=layer,
        )


def iter_workload(network, category: str, seed, **kwargs) -> Iterator[tuple]:
    """Deprecated: ``network_layers`` yields ``GemmLayer`` s (the layer record is their
    ``spec``). Yields ``(layer, a_mask, w_mask)`` as before."""
    warnings.warn(
        "iter_workload is deprecated: use network_layers (it yields GemmLayer; the Layer "
        "record is GemmLayer.spec)",
        DeprecationWarning,
        stacklevel=2,
    )
    for g in network_layers(network, category, seed, **kwargs):
        yield g.spec, g.a_mask, g.w_mask


def network_workload(network, category: str, seed, **kwargs) -> list[tuple]:
    """Deprecated: ``workloads.load(name, category, seed=...)`` gives a ``Workload``. All
    ``(layer, a_mask, w_mask)`` of a network at once, as before."""
    warnings.warn(
        "network_workload is deprecated: use workloads.load(name, category, seed=...) (a "
        "Workload of GemmLayer) or network_layers (a generator)",
        DeprecationWarning,
        stacklevel=2,
    )
    return [(g.spec, g.a_mask, g.w_mask) for g in network_layers(network, category, seed, **kwargs)]
