"""SRAM arrays from a stored CACTI table: area, energy per access and leakage (docs/model.md s4.1).

A technology config may hold an ``sram`` block written by ``scripts/cacti_tech.py`` (CACTI 7 run
over a grid of capacities and port widths at the config's node; docs/cacti.md says how). This
module validates that block (``sram_table_from_dict``) and reads it (``sram_cost``); it never runs
CACTI.

**Interpolation rule** (stated, not measured): each figure is interpolated bilinearly in
(log capacity, log port width) on log values, i.e. a power law between neighbouring grid points.
Capacity sets the array's rows, port width its columns, and CACTI's figures grow roughly as power
laws in both, so this is the natural neutral rule. On a grid point it returns the stored number
exactly. Outside the grid it refuses (``ValueError``) rather than extrapolate; under a JAX trace
(``jit``/``grad``), where values cannot be checked, an out-of-grid point yields NaN instead.

**Empty entries.** CACTI finds no organisation for some small, wide arrays (2 KB at a 1024-bit
port has fewer than 32 rows); the table stores ``.nan`` there, so that the grid stays
rectangular and still reaches the small banks narrow ports need. A lookup that needs an empty
entry (it is a corner with a nonzero weight) is refused like an out-of-grid point; one at
another point of the same cell's edge is not (a zero power of the empty entry is 1).

Units: capacity in KB of 1024 bytes (as ``Core.act_kb``), port width in bits, area in mm^2,
energies in pJ per access of one port width, leakage in mW per array.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

# key -> unit, for the grid and the four figures a caller gets (plus the cycle time, kept to check
# that an array meets the stated clock)
UNITS = {
    "capacity_kb": "KB (1024 bytes)",
    "port_bits": "bit",
    "area_mm2": "mm^2",
    "read_energy_pj": "pJ per access of port_bits",
    "write_energy_pj": "pJ per access of port_bits",
    "leakage_mw": "mW per array",
    "cycle_time_ns": "ns",
}
COST_KEYS = ("area_mm2", "read_energy_pj", "write_energy_pj", "leakage_mw")
TABLE_KEYS = COST_KEYS + ("cycle_time_ns",)
_REQUIRED = (
    "source",
    "command",
    "cacti_version",
    "date",
    "cacti_node_nm",
    "units",
    "capacity_kb",
    "port_bits",
) + TABLE_KEYS
_OPTIONAL = ("zigzag_dse_version", "config_template")


@dataclasses.dataclass(frozen=True)
class SramTable:
    """A CACTI grid. ``values[key][p][c]`` is at ``port_bits[p]`` and ``capacity_kb[c]``.

    ``generator`` keeps the provenance: command, CACTI and zigzag-dse versions, date, node and the
    CACTI input text (``config_template``).
    """

    capacity_kb: tuple
    port_bits: tuple
    values: Mapping[str, tuple]
    source: str
    generator: Mapping[str, object]


@dataclasses.dataclass(frozen=True)
class SramCost:
    """One array's figures; each field has the broadcast shape of capacity and port width."""

    area_mm2: object
    read_energy_pj: object
    write_energy_pj: object
    leakage_mw: object


jax.tree_util.register_dataclass(SramCost, data_fields=list(COST_KEYS), meta_fields=[])


# -- loading and validation ---------------------------------------------------------------------
def sram_table_from_dict(cfg_name: str, raw) -> SramTable:
    """Validate a config's ``sram`` block; raises ``ValueError`` naming the offending key."""
    where = f"tech config {cfg_name!r} field 'sram'"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be a mapping, got {type(raw).__name__}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise ValueError(f"{where} is missing {missing}")
    unknown = sorted(set(raw) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        raise ValueError(f"{where} has unknown keys {unknown}")
    for key in ("source", "command", "cacti_version"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            raise ValueError(f"{where} key {key!r} must be a non-empty string")
    units = raw["units"]
    if not isinstance(units, Mapping) or dict(units) != UNITS:
        raise ValueError(f"{where} key 'units' must be {UNITS}, got {units!r}")
    grids = {}
    for key in ("capacity_kb", "port_bits"):
        grid = raw[key]
        if not isinstance(grid, (list, tuple)) or len(grid) < 2:
            raise ValueError(f"{where} key {key!r} must list at least two grid points")
        grid = tuple(_positive(f"{where} key {key!r}", v) for v in grid)
        if any(b <= a for a, b in zip(grid, grid[1:])):
            raise ValueError(f"{where} key {key!r} must be strictly increasing, got {grid}")
        grids[key] = grid
    shape = (len(grids["port_bits"]), len(grids["capacity_kb"]))
    values = {}
    for key in TABLE_KEYS:
        rows = raw[key]
        if (
            not isinstance(rows, (list, tuple))
            or len(rows) != shape[0]
            or any(not isinstance(r, (list, tuple)) or len(r) != shape[1] for r in rows)
        ):
            raise ValueError(
                f"{where} key {key!r} must be {shape[0]} rows (port_bits) of "
                f"{shape[1]} values (capacity_kb)"
            )
        values[key] = tuple(
            tuple(_positive_or_empty(f"{where} key {key!r}", v) for v in r) for r in rows
        )
    empty = [np.isnan(np.asarray(values[k], dtype=np.float64)) for k in TABLE_KEYS]
    if any((e != empty[0]).any() for e in empty):
        raise ValueError(f"{where}: an empty (.nan) entry must be empty in every figure's table")
    generator = {
        k: raw[k]
        for k in ("command", "cacti_version", "date", "cacti_node_nm") + _OPTIONAL
        if k in raw
    }
    return SramTable(
        capacity_kb=grids["capacity_kb"],
        port_bits=grids["port_bits"],
        values=types.MappingProxyType(values),
        source=raw["source"],
        generator=types.MappingProxyType(generator),
    )


def _positive(where: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} value must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{where} value must be finite and > 0, got {value!r}")
    return float(value)


def _positive_or_empty(where: str, value) -> float:
    """A figure, or ``nan`` where CACTI found no organisation (module doc)."""
    if isinstance(value, float) and math.isnan(value):
        return value
    return _positive(where, value)


def _table_of(tech) -> SramTable:
    if isinstance(tech, SramTable):
        return tech
    table = getattr(tech, "sram", None)
    if table is None:
        name = getattr(tech, "name", tech)
        raise ValueError(f"tech {name!r} has no 'sram' table (run scripts/cacti_tech.py)")
    return table


# -- lookup ---------------------------------------------------------------------------------------
def sram_cost(tech, capacity_kb, port_bits) -> SramCost:
    """Area, read/write energy per access and leakage of one SRAM array, from the stored table.

    Args:
      tech: a ``Tech`` with an ``sram`` table, or an ``SramTable``.
      capacity_kb: capacity in KB (1024 bytes); float, array, or JAX array/tracer.
      port_bits: port (access) width in bits; broadcasts against ``capacity_kb``.
    Returns:
      ``SramCost`` (mm^2, pJ, pJ, mW); python floats for scalar non-JAX inputs, numpy arrays for
      numpy inputs, JAX arrays (differentiable in both arguments) when either input is JAX.
    Raises:
      ValueError if the table is missing or a concrete input lies outside the grid.
    """
    table = _table_of(tech)
    use_jax = any(isinstance(x, jax.Array) for x in (capacity_kb, port_bits))
    xp = jnp if use_jax else np
    for name, x, grid in (
        ("capacity_kb", capacity_kb, table.capacity_kb),
        ("port_bits", port_bits, table.port_bits),
    ):
        _check_range(name, x, grid)
    cap = xp.asarray(capacity_kb, dtype=None if use_jax else np.float64)
    bits = xp.asarray(port_bits, dtype=None if use_jax else np.float64)
    cap, bits = xp.broadcast_arrays(cap, bits)
    i, a = _cell(xp, np.log(table.capacity_kb), xp.log(cap))
    j, b = _cell(xp, np.log(table.port_bits), xp.log(bits))
    inside = (
        (cap >= table.capacity_kb[0])
        & (cap <= table.capacity_kb[-1])
        & (bits >= table.port_bits[0])
        & (bits <= table.port_bits[-1])
    )
    out = {}
    for key in COST_KEYS:
        y = xp.asarray(np.asarray(table.values[key], dtype=np.float64))
        # y00^w00 * ...: a power of exactly 0 or 1 returns the stored number bit for bit.
        v = (
            y[j, i] ** ((1 - b) * (1 - a))
            * y[j, i + 1] ** ((1 - b) * a)
            * y[j + 1, i] ** (b * (1 - a))
            * y[j + 1, i + 1] ** (b * a)
        )
        v = xp.where(inside, v, xp.nan)
        out[key] = float(v) if (not use_jax and np.ndim(v) == 0) else v
    if not use_jax and np.any(np.isnan(out[COST_KEYS[0]])):
        bad = np.argwhere(np.broadcast_to(np.isnan(out[COST_KEYS[0]]), cap.shape))[0]
        c, p = float(cap[tuple(bad)]), float(bits[tuple(bad)])
        raise ValueError(
            f"capacity_kb {c:g} at port_bits {p:g} needs an entry of the SRAM table that CACTI "
            "could not organise (an array that small cannot have a port that wide); the table "
            "is not extrapolated"
        )
    return SramCost(**out)


def _cell(xp, grid_log: np.ndarray, x_log):
    """Index of the grid cell holding ``x_log`` and the position inside it (0..1)."""
    idx = xp.clip(xp.searchsorted(grid_log, x_log, side="right") - 1, 0, len(grid_log) - 2)
    lo, hi = xp.asarray(grid_log)[idx], xp.asarray(grid_log)[idx + 1]
    return idx, (x_log - lo) / (hi - lo)


def _check_range(name: str, x, grid: tuple) -> None:
    try:
        values = np.asarray(x, dtype=np.float64)
    except (jax.errors.TracerArrayConversionError, jax.errors.ConcretizationTypeError):
        return  # traced: out-of-grid points become NaN (module docstring)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number or array, got {x!r}") from exc
    if not np.all(np.isfinite(values)) or np.any(values < grid[0]) or np.any(values > grid[-1]):
        raise ValueError(
            f"{name} {x!r} is outside the SRAM table's grid "
            f"({grid[0]:g}..{grid[-1]:g}); the table is not extrapolated"
        )


def sram_cost_reference(tech, capacity_kb: float, port_bits: float) -> SramCost:
    """Slow scalar reference of ``sram_cost``: a linear scan and the textbook log-log formula."""
    table = _table_of(tech)

    def locate(x, grid):
        for k in range(len(grid) - 1):
            if grid[k] <= x <= grid[k + 1]:
                return k, math.log(x / grid[k]) / math.log(grid[k + 1] / grid[k])
        raise ValueError(f"{x} is outside the SRAM table's grid {grid}")

    i, a = locate(float(capacity_kb), table.capacity_kb)
    j, b = locate(float(port_bits), table.port_bits)
    out = {}
    weights = {(j, i): (1 - a) * (1 - b), (j, i + 1): a * (1 - b)}
    weights.update({(j + 1, i): (1 - a) * b, (j + 1, i + 1): a * b})
    if any(w != 0 and math.isnan(table.values["area_mm2"][r][c]) for (r, c), w in weights.items()):
        raise ValueError(f"({capacity_kb}, {port_bits}) needs an empty entry of the SRAM table")
    for key in COST_KEYS:
        y = table.values[key]
        # terms of weight 0 left out: an empty neighbour on the cell's edge does not count
        log_y = sum(w * math.log(y[r][c]) for (r, c), w in weights.items() if w != 0)
        out[key] = math.exp(log_y)
    return SramCost(**out)
