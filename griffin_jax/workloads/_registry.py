"""The network registry: every workload a name can stand for (``workloads.load`` builds one).

Two kinds of entry:

* ``kind="table"``: a layer table, ``table(batch) -> tuple[Layer]``
  (``register_layer_table``); its masks are generated per model category at the documented
  densities (``network_layers``), one layer at a time.
* ``kind="masks"``: real masks, ``build(**options) -> Workload`` (``register_network``), e.g.
  the shipped digits CNN; a category is applied with ``Workload.for_category``.

Meta data: ``paper`` (one of the paper study's networks: the CLI's ``workload=paper`` lists
them). A new network is one function plus one registration call, in any file; the CLI, the
paper study and the docs tables read the registry (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable

from griffin_jax._registry import Registry


def _check(entry) -> None:
    if entry.meta["kind"] not in ("table", "masks"):
        raise ValueError(
            f"network {entry.name!r}: kind must be 'table' or 'masks', got {entry.meta['kind']!r}"
        )
    if not callable(entry.value):
        raise ValueError(f"network {entry.name!r}: the registered value must be callable")


NETWORK_REGISTRY = Registry("network", required=("kind",), check=_check)


def register_layer_table(
    name: str, table: Callable | None = None, *, paper: bool = False, replace: bool = False
):
    """Register ``table(batch) -> tuple[Layer]`` as network ``name`` (masks generated per
    category, ``network_layers``). Usable as a decorator. Returns ``table``."""
    return NETWORK_REGISTRY.register(name, table, kind="table", paper=paper, replace=replace)


def register_network(
    name: str, build: Callable | None = None, *, paper: bool = False, replace: bool = False
):
    """Register ``build(**options) -> Workload`` (real masks) as network ``name``. Usable as
    a decorator. Returns ``build``."""
    return NETWORK_REGISTRY.register(name, build, kind="masks", paper=paper, replace=replace)


def network_names(**where) -> tuple:
    """Registered network names (``where``: meta filters, e.g. ``kind="table"``, ``paper=True``)."""
    return NETWORK_REGISTRY.names(**where)
