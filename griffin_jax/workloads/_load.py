"""``load(name)``: a registered network as a ``Workload`` (the network registry's one reader)."""

from __future__ import annotations

from griffin_jax.workloads._categories import network_layers
from griffin_jax.workloads._networks import network
from griffin_jax.workloads._registry import NETWORK_REGISTRY
from griffin_jax.workloads._sparsity import as_rng
from griffin_jax.workloads._workload import Workload, check_category


def load(name: str, category: str | None = None, **options) -> Workload:
    """The registered network ``name`` as a ``Workload`` (of ``category`` when given).

    Layer tables take ``seed`` (default 0), ``batch`` (default 1) and the density options of
    ``network_layers``; their masks are made lazily, per category, one layer at a time. Real
    mask networks take their own options (digits: ``variant``, ``n_images``).
    """
    entry = NETWORK_REGISTRY.entry(name)
    if category is not None:
        check_category(category)
    if entry.meta["kind"] == "table":
        seed = options.pop("seed", 0)
        batch = options.pop("batch", 1)
        table = network(name, batch)  # a bad batch fails here, not at the first layer
        as_rng(seed)

        def layers(cat):
            return network_layers(name, cat, seed, batch=batch, **options)

        wl = Workload(name, layers, size=len(table))
    else:
        wl = entry.value(**options)
        if not isinstance(wl, Workload):
            raise ValueError(
                f"network {name!r}: its builder returned {type(wl).__name__}, not a Workload"
            )
    return wl if category is None else wl.for_category(category)
