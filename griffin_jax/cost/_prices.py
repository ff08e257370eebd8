"""Per-cell prices of one technology on a core of ``L`` lanes: what every cost formula reads.

``Prices`` holds plain floats and is hashable, so a jitted relaxation can take it as a static
argument, and the exact model and the search price parts with the same numbers. It is also a
pytree whose leaves are the per-cell figures (the ints and the SRAM table are static), so a
gradient can flow through every cost formula to the prices (``cost.energy_of``; the
sensitivity study's elasticities). Field names
follow ``Tech`` where a field is a ``Tech`` figure, so the small pricing helpers (e.g.
``mux_select_energy``) accept either. A new priced cell is one field here, read by the one
formula that uses it (``_area.area_components`` or ``_energy.energy_components``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

import jax
import numpy as np


def tree_adder_widths(lanes: int, product_bits: int) -> tuple[int, ...]:
    """Widths of the ``lanes - 1`` adders of a balanced adder tree over ``lanes`` products."""
    widths, n, w = [], lanes, product_bits
    while n > 1:
        widths += [w] * (n // 2)
        n = n // 2 + n % 2
        w += 1
    return tuple(widths)


@dataclasses.dataclass(frozen=True)
class Prices:
    """um^2 and pJ per cell (``tree_*``: one adder tree over ``lanes`` products; ``acc_adder_*``:
    the ``accumulator_bits`` adder); ``sram``: the CACTI table that prices the SRAM buffers."""

    lanes: int
    operand_bits: int
    accumulator_bits: int
    mult8_area: float
    mult8_energy: float
    tree_area: float
    tree_energy: float
    acc_adder_area: float
    acc_adder_energy: float
    dff_area: float
    dff_energy: float
    mux2_area: float
    mux2_energy: float
    priority_cell_area: float
    priority_cell_energy: float
    leakage_power_density: float
    clock_ghz: float
    # The CACTI SRAM table (docs/model.md 4.1). Tables are not hashable; ``sram_key`` (the tech
    # name, node and a digest of the table's figures, ``_sram_key``) stands for the table in
    # equality and hashing, so a jitted relaxation recompiles for another table and only then:
    # the same config loaded twice gives equal prices (a cache hit in every jit that takes them
    # as a static argument).
    sram_key: str = ""
    sram: Any = dataclasses.field(default=None, compare=False, hash=False)


# The static part of the pytree: what selects formulas or tables rather than scales prices.
STATIC_FIELDS = ("lanes", "operand_bits", "accumulator_bits", "sram_key", "sram")
PRICE_FIELDS = tuple(f.name for f in dataclasses.fields(Prices) if f.name not in STATIC_FIELDS)


class _Table:
    """Holds the SRAM table in the static part: equal (and hashed) by ``sram_key``, because a
    table itself is not hashable."""

    __slots__ = ("key", "table")

    def __init__(self, key, table):
        self.key, self.table = key, table

    def __eq__(self, other):
        return isinstance(other, _Table) and other.key == self.key

    def __hash__(self):
        return hash(self.key)


def _flatten(p: Prices):
    static = (p.lanes, p.operand_bits, p.accumulator_bits, _Table(p.sram_key, p.sram))
    return tuple(getattr(p, f) for f in PRICE_FIELDS), static


def _unflatten(static, leaves) -> Prices:
    lanes, bits, acc_bits, table = static
    return Prices(
        lanes=lanes,
        operand_bits=bits,
        accumulator_bits=acc_bits,
        sram_key=table.key,
        sram=table.table,
        **dict(zip(PRICE_FIELDS, leaves)),
    )


jax.tree_util.register_pytree_node(Prices, _flatten, _unflatten)


def prices(tech, lanes: int) -> Prices:
    """The ``Prices`` of ``tech`` (a ``Tech``) for a core of ``lanes`` lanes. Plain arithmetic of
    the tech's fields: a ``Tech`` whose float fields are JAX scalars (``dataclasses.replace``)
    gives traced prices."""
    widths = tree_adder_widths(lanes, 2 * tech.operand_bits)
    return Prices(
        lanes=int(lanes),
        operand_bits=tech.operand_bits,
        accumulator_bits=tech.accumulator_bits,
        mult8_area=tech.mult8_area,
        mult8_energy=tech.mult8_energy,
        tree_area=sum(tech.adder_area(w) for w in widths),
        tree_energy=sum(tech.adder_energy(w) for w in widths),
        acc_adder_area=tech.adder_area(tech.accumulator_bits),
        acc_adder_energy=tech.adder_energy(tech.accumulator_bits),
        dff_area=tech.dff_area,
        dff_energy=tech.dff_energy,
        mux2_area=tech.mux2_area,
        mux2_energy=tech.mux2_energy,
        priority_cell_area=tech.priority_cell_area,
        priority_cell_energy=tech.priority_cell_energy,
        leakage_power_density=tech.leakage_power_density,
        clock_ghz=tech.clock_ghz,
        sram_key=_sram_key(tech),
        sram=_sram_table(tech),
    )


def _sram_key(tech) -> str:
    """``name@node:digest`` of ``tech``'s SRAM table: equal for equal figures, whatever object
    holds them (not ``id``: every ``load_tech`` reads a new table, and a key by identity made
    every jitted function that takes ``Prices`` as a static argument compile again)."""
    table = _sram_table(tech)
    digest = hashlib.blake2b(digest_size=8)
    for axis in (table.capacity_kb, table.port_bits):
        digest.update(np.asarray(axis, np.float64).tobytes())
    for name in sorted(table.values):
        digest.update(name.encode())
        digest.update(np.asarray(table.values[name], np.float64).tobytes())
    return f"{tech.name}@{tech.node_nm}nm:{digest.hexdigest()}"


def _sram_table(tech):
    if tech.sram is None:
        raise ValueError(
            f"tech {tech.name!r} has no 'sram' table: the cost model prices the "
            "core's SRAM buffers from it (scripts/cacti_tech.py writes it)"
        )
    return tech.sram
