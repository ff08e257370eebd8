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
import warnings
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

CATEGORIES = ("dense", "W", "A", "AW")


def check_category(category) -> str:
    """``category`` if it is one of ``CATEGORIES``; ``ValueError`` otherwise."""
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {CATEGORIES}, got {category!r}")
    return category


def fit_masks(a_mask, w_mask, category: str):
    """The masks a model of ``category`` shows (docs/model.md 1): the operands the category
    keeps dense are made all-true (``dense``: both; ``W``: activations; ``A``: weights; ``AW``:
    unchanged). ``a_mask`` bool ``[M, K]``, ``w_mask`` bool ``[K, N]``; returns both."""
    check_category(category)
    a = _mask("fit_masks", "a_mask", a_mask)
    w = _mask("fit_masks", "w_mask", w_mask)
    if a.shape[1] != w.shape[0]:
        raise ValueError(f"a_mask is [M, K={a.shape[1]}] but w_mask is [K={w.shape[0]}, N]")
    if category in ("dense", "W"):
        a = np.ones_like(a)
    if category in ("dense", "A"):
        w = np.ones_like(w)
    return a, w


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
    ``category``: the model category its masks stand for, or ``None`` when not stated;
    ``spec``: the layer-table record it was made from (``workloads.Layer``: kind, groups,
    conv geometry), when there is one.
    """

    name: str
    a_mask: np.ndarray
    w_mask: np.ndarray
    multiplicity: int = 1
    network: str = ""
    category: str | None = None
    spec: object = dataclasses.field(default=None, compare=False, repr=False)

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

    def for_category(self, category: str) -> GemmLayer:
        """This layer as a model of ``category`` (``fit_masks``): the operands the category
        keeps dense become all-true."""
        a, w = fit_masks(self.a_mask, self.w_mask, category)
        return dataclasses.replace(self, a_mask=a, w_mask=w, category=category)

    def __iter__(self):
        # The older producers gave (name, a_mask, w_mask) tuples; unpacking a layer that way
        # keeps working for one deprecation period.
        warnings.warn(
            "unpacking a GemmLayer as (name, a_mask, w_mask) is deprecated; use its "
            "name / a_mask / w_mask fields",
            DeprecationWarning,
            stacklevel=2,
        )
        return iter((self.name, self.a_mask, self.w_mask))


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


class Workload:
    """A named network: its ``GemmLayer`` s, the model ``category`` they stand for (``None``:
    not stated) and its ``weight`` in a mix (> 0).

    ``layers`` is either

    * a sequence of ``GemmLayer`` (or ``(name, a_mask, w_mask, multiplicity)`` tuples): fixed
      masks, validated once; or
    * a callable ``layers(category) -> Iterable[GemmLayer]`` that makes a category's masks when
      they are needed (generated networks): iterating streams one layer at a time, so only one
      layer's masks are in memory. Such a workload needs a category before it can be iterated.

    ``for_category(c)`` is the one place a model category is applied to masks (docs/model.md
    1): fixed masks are made to fit ``c`` (the operands ``c`` keeps dense become all-true,
    ``fit_masks``) unless ``fit=False``; a callable source makes ``c``'s masks itself.
    """

    __slots__ = ("name", "category", "weight", "_layers", "_source", "_size")

    def __init__(
        self, name, layers, category: str | None = None, weight: float = 1.0, *, size=None
    ):
        name = str(name)
        if category is not None:
            try:
                check_category(category)
            except ValueError as e:
                raise ValueError(f"workload {name!r}: {e}") from None
        w = weight
        if (
            isinstance(w, bool)
            or not isinstance(w, (int, float, np.number))
            or not w > 0
            or not math.isfinite(w)
        ):
            raise ValueError(f"workload {name!r}: weight must be a positive number, got {w!r}")
        if callable(layers) and not isinstance(layers, Workload):
            stored, source = None, layers
        else:
            stored = as_layers(layers, f"workload {name!r} layers", network=name, category=category)
            source = None
        for k, v in (
            ("name", name),
            ("category", category),
            ("weight", float(w)),
            ("_layers", stored),
            ("_source", source),
            # a lazy source's layer count when the maker knows it (len() then makes no masks)
            ("_size", len(stored) if stored is not None else size),
        ):
            object.__setattr__(self, k, v)

    def __setattr__(self, name, value):
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    @property
    def lazy(self) -> bool:
        """Whether the layers are made on demand (a callable source)."""
        return self._source is not None

    @property
    def network(self) -> str:
        """The network's name (``name``; the older ``study.Workload`` called it ``network``)."""
        return self.name

    @property
    def layers(self) -> tuple:
        """Every layer as a tuple (a lazy workload makes all its masks at once: iterate it
        instead to hold one layer at a time)."""
        if self._layers is not None:
            return self._layers
        return tuple(self)

    def __iter__(self) -> Iterator[GemmLayer]:
        if self._layers is not None:
            return iter(self._layers)
        if self.category is None:
            raise ValueError(
                f"workload {self.name!r} makes its masks per model category: take "
                "workload.for_category(category) first"
            )
        return iter_layers(
            self._source(self.category),
            f"workload {self.name!r} layers",
            network=self.name,
            category=self.category,
        )

    def __len__(self) -> int:
        return self._size if self._size is not None else sum(1 for _ in self)

    def for_category(self, category: str, fit: bool = True) -> Workload:
        """This network as a model of ``category``: a fixed workload's masks made to fit it
        (``fit_masks``; ``fit=False`` keeps them as they are), a lazy one's made for it."""
        check_category(category)
        if self._source is not None:
            return self.replace(category=category)
        if not fit:
            return self.replace(category=category)
        layers = self._layers
        return Workload(
            self.name,
            lambda c: (layer.for_category(c) for layer in layers),
            category,
            self.weight,
            size=len(layers),
        )

    def replace(self, **changes) -> Workload:
        args = {
            "name": self.name,
            "layers": self._source if self._source is not None else self._layers,
            "category": self.category,
            "weight": self.weight,
        }
        unknown = set(changes) - set(args)
        if unknown:
            raise ValueError(f"Workload.replace: unknown field(s) {sorted(unknown)}")
        args.update(changes)
        size = self._size if "layers" not in changes else None
        return Workload(**args, size=size)

    def __repr__(self) -> str:
        what = "lazy" if self._source is not None else f"{len(self._layers)} layers"
        return f"Workload({self.name!r}, {what}, category={self.category!r}, weight={self.weight})"

    def __reduce__(self):
        args = (self.name, self._source or self._layers, self.category, self.weight)
        return (_rebuild, (args, self._size))


def _rebuild(args, size):
    return Workload(*args, size=size)


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
