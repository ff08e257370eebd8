"""The workload vocabulary every evaluator shares: model categories, ``GemmLayer``, ``Workload``.

A ``GemmLayer`` is one GEMM of a network (its operand masks and how many identical instances
the network runs); a ``Workload`` is a named list of them, optionally of one model category and
with a weight in a mix. ``sim.simulate_layers``, ``cost.evaluate``, ``study.run_study``,
``study.claims_report`` and ``search.run_search`` all take these, through one validator
(``as_layers`` / ``as_workload``), which also accepts the older tuple forms:
``(name, a_mask, w_mask, multiplicity)`` for a layer.

Only numpy here: ``design`` imports the categories from this module.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

CATEGORIES = ("dense", "W", "A", "AW")


def check_category(category) -> str:
    """``category`` if it is one of ``CATEGORIES``; ``ValueError`` otherwise."""
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}, got {category!r}")
    return category


def _mask(where: str, name: str, m) -> np.ndarray:
    arr = np.asarray(m)
    if arr.dtype != np.bool_:
        raise ValueError(f"{where}: {name} must be a bool array, got dtype {arr.dtype}")
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{where}: {name} must be 2-D with non-zero sizes, got shape {arr.shape}")
    return arr


@dataclasses.dataclass(frozen=True, eq=False)
class GemmLayer:
    """One GEMM of a network.

    ``a_mask`` bool ``[M, K]`` (nonzero activations, im2col-lowered), ``w_mask`` bool ``[K, N]``
    (nonzero weights); ``multiplicity``: identical instances the network runs (e.g. ``groups x
    count`` of a layer table); ``network``: the network it belongs to (may be empty);
    ``category``: the model category its masks stand for, or ``None`` when not stated.
    """

    name: str
    a_mask: np.ndarray
    w_mask: np.ndarray
    multiplicity: int = 1
    network: str = ""
    category: str | None = None

    def __post_init__(self):
        where = f"layer {self.name!r}"
        a = _mask(where, "a_mask", self.a_mask)
        w = _mask(where, "w_mask", self.w_mask)
        if a.shape[1] != w.shape[0]:
            raise ValueError(
                f"{where}: a_mask is [M, K={a.shape[1]}] but w_mask is [K={w.shape[0]}, N]"
            )
        m = self.multiplicity
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
            raise ValueError(f"{where}: multiplicity must be an int >= 1, got {m!r}")
        if self.category is not None:
            check_category(self.category)
        object.__setattr__(self, "name", str(self.name))
        object.__setattr__(self, "a_mask", a)
        object.__setattr__(self, "w_mask", w)
        object.__setattr__(self, "multiplicity", int(m))
        object.__setattr__(self, "network", str(self.network))

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(M, K, N)``."""
        return (self.a_mask.shape[0], self.a_mask.shape[1], self.w_mask.shape[1])

    def replace(self, **changes) -> GemmLayer:
        return dataclasses.replace(self, **changes)


def as_layer(
    layer, where: str = "layer", *, network: str = "", category: str | None = None
) -> GemmLayer:
    """A ``GemmLayer`` from a ``GemmLayer`` or a ``(name, a_mask, w_mask, multiplicity)``
    tuple; ``ValueError`` naming ``where`` otherwise. ``network`` / ``category`` fill a tuple's
    (a ``GemmLayer`` keeps its own)."""
    if isinstance(layer, GemmLayer):
        return layer
    if not isinstance(layer, (tuple, list)) or len(layer) != 4:
        raise ValueError(f"{where} must be a GemmLayer or (name, a_mask, w_mask, multiplicity)")
    name, a, w, mult = layer
    try:
        return GemmLayer(name, a, w, mult, network, category)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None


def iter_layers(layers: Iterable, where: str = "layers", **fill) -> Iterator[GemmLayer]:
    """``as_layer`` over an iterable, lazily (a generator keeps one layer's masks in memory)."""
    for i, layer in enumerate(layers):
        yield as_layer(layer, f"{where}[{i}]", **fill)


def as_layers(layers, where: str = "layers", **fill) -> tuple[GemmLayer, ...]:
    """A non-empty tuple of ``GemmLayer`` (``Workload`` or iterable of layers / tuples)."""
    if isinstance(layers, Workload):
        return layers.layers
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Iterable):
        raise ValueError(f"{where} must be a non-empty sequence of layers")
    out = tuple(iter_layers(layers, where, **fill))
    if not out:
        raise ValueError(f"{where} must hold at least one layer")
    return out


@dataclasses.dataclass(frozen=True, eq=False)
class Workload:
    """A named network as a non-empty tuple of ``GemmLayer``; ``category``: the model category
    it stands for (``None``: not stated); ``weight``: how often it runs in a mix (> 0)."""

    name: str
    layers: tuple
    category: str | None = None
    weight: float = 1.0

    def __post_init__(self):
        name = str(self.name)
        if self.category is not None:
            try:
                check_category(self.category)
            except ValueError as e:
                raise ValueError(f"workload {name!r}: {e}") from None
        w = self.weight
        if (
            isinstance(w, bool)
            or not isinstance(w, (int, float, np.number))
            or not w > 0
            or not math.isfinite(w)
        ):
            raise ValueError(f"workload {name!r}: weight must be a positive number, got {w!r}")
        layers = as_layers(
            self.layers, f"workload {name!r} layers", network=name, category=self.category
        )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "weight", float(w))

    def __iter__(self):
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def replace(self, **changes) -> Workload:
        return dataclasses.replace(self, **changes)


def as_workload(item, where: str = "workload") -> Workload:
    """A ``Workload`` from a ``Workload``, a search-mix tuple ``(name, layers, category,
    weight)`` or a claims tuple ``(name, category, layers)``."""
    if isinstance(item, Workload):
        return item
    if isinstance(item, (tuple, list)) and len(item) == 4:
        name, layers, category, weight = item
    elif isinstance(item, (tuple, list)) and len(item) == 3:
        (name, category, layers), weight = item, 1.0
    else:
        raise ValueError(
            f"{where} must be a Workload, (name, layers, category, weight) or "
            "(name, category, layers)"
        )
    try:
        return Workload(name, layers, category, weight)
    except ValueError as e:
        raise ValueError(f"{where}: {e}") from None


def as_workloads(items, where: str = "workloads") -> list[Workload]:
    """A non-empty list of ``Workload`` (each item as ``as_workload`` takes it)."""
    if isinstance(items, (str, bytes, Workload)) or not isinstance(items, Sequence) or not items:
        raise ValueError(f"{where} must be a non-empty list of workloads")
    return [as_workload(x, f"{where}[{i}]") for i, x in enumerate(items)]
