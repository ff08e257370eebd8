"""What repeated searches in one process share: a mix's relaxation and exact evaluator, kept
by the value of their inputs.

Compiled programs need no cache here. The search's jitted functions take the mix as traced
arrays and only hashable values as static arguments (``cost.Prices`` hashes by its figures), and
the exact scheduler's buckets are fixed by the space (``_evaluator``), so JAX's own caches
already serve a second search on the same shapes, whatever its seed or objective.

What this module keeps is host work and exact results: ``run_search`` reuses the
``Relaxation`` (tile extraction and device copies) and the ``ExactEvaluator`` (its table: exact
metrics depend on neither seed nor objective) of the last ``KEEP`` mixes, exactly as a caller
passing ``relaxation=`` / ``evaluator=`` would; each search still counts its evaluations from
zero on ``fresh()``, so results and ``n_exact`` do not change. Keys are values, not identities:
every mask's digest, the categories, weights and multiplicities, the space, the technology's
figures (its SRAM table through ``Prices``) and, for the relaxation, ``max_tiles``; names are
left out (no result depends on them). A bounded LRU, because a kept mix holds its masks.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib

import numpy as np

from griffin_jax.cost._prices import prices
from griffin_jax.cost._tech import Tech
from griffin_jax.search._evaluator import ExactEvaluator
from griffin_jax.search._relax import Relaxation, relax
from griffin_jax.search._space import Space

KEEP = 4  # mixes kept per kind


class _Kept:
    """A small LRU: ``get(key, build)`` returns the kept value or builds and keeps it."""

    def __init__(self, size: int):
        self.size, self.items = size, collections.OrderedDict()

    def get(self, key, build):
        if key is None:  # not hashable by value: nothing to share
            return build()
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        value = self.items[key] = build()
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


_RELAXATIONS = _Kept(KEEP)
_EVALUATORS = _Kept(KEEP)


def clear() -> None:
    """Forget every kept relaxation and evaluator."""
    _RELAXATIONS.items.clear()
    _EVALUATORS.items.clear()


def mix_key(workloads) -> tuple:
    """A value key of a checked mix: per workload its category, weight and a digest of its
    layers (mask shapes and bits, multiplicities, in order)."""
    out = []
    for wl in workloads:
        digest = hashlib.blake2b(digest_size=16)
        for layer in wl.layers:
            for m in (np.asarray(layer.a_mask, bool), np.asarray(layer.w_mask, bool)):
                digest.update(repr(m.shape).encode())
                digest.update(np.packbits(m, axis=None).tobytes())
            digest.update(repr(int(layer.multiplicity)).encode())
        out.append((wl.category, float(wl.weight), digest.hexdigest()))
    return tuple(out)


def _key(workloads, space: Space, tech: Tech, *extra):
    fields = tuple(
        (f.name, getattr(tech, f.name))
        for f in dataclasses.fields(tech)
        if f.name not in ("sources", "sram")
    )
    key = (mix_key(workloads), space, fields, prices(tech, space.core.lanes), *extra)
    try:
        hash(key)
    except TypeError:  # e.g. a Tech with array fields
        return None
    return key


def evaluator_for(workloads, space: Space, tech: Tech) -> ExactEvaluator:
    """The kept ``ExactEvaluator`` of a checked mix (built on first use)."""
    return _EVALUATORS.get(
        _key(workloads, space, tech), lambda: ExactEvaluator(workloads, space, tech)
    )


def relaxation_for(workloads, space: Space, tech: Tech, max_tiles) -> Relaxation:
    """The kept ``Relaxation`` of a checked mix (built on first use)."""
    return _RELAXATIONS.get(
        _key(workloads, space, tech, max_tiles), lambda: relax(workloads, space, tech, max_tiles)
    )
