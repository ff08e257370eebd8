"""Physically meaningful ranges of technology constants, by unit.

``_tech`` refuses a constant that is not a finite positive number; that still lets a config say
``mult8_energy: 1e300`` or ``add8_area: 1e-300``, and their products and quotients (a cell's
switching energy is an energy over an area) overflow to inf or NaN deep in a study. Every
constant is bounded here **by its unit**, so a field added to ``_tech.FIELDS`` (or a key of the
CACTI table) is bounded without editing this module; a field that needs a narrower range than
its unit names it in ``FIELD_BOUNDS``. The ranges are wide on purpose (many orders of magnitude
around any real node): they exist to keep every derived figure finite, not to judge a source.

``check_tech(tech)`` returns ``tech`` or raises ``ValueError`` naming the field, its unit and
the range; ``violations(tech)`` lists every out-of-range field (the cost model names them when
a result is not finite).
"""

from __future__ import annotations

import math

# unit (the first word of a config's unit string) -> (low, high, low_open, high_open).
UNIT_BOUNDS = {
    # energies per operation / access
    "pJ": (1e-9, 1e6, False, True),
    "fJ": (1e-6, 1e9, False, True),
    "nJ": (1e-12, 1e3, False, True),
    # areas
    "um^2": (1e-6, 1e9, False, True),
    "mm^2": (1e-12, 1e3, False, True),
    # power and power density
    "mW/mm^2": (1e-9, 1e6, False, True),
    "mW": (1e-12, 1e6, False, True),
    "uW": (1e-9, 1e9, False, True),
    # frequency and time
    "GHz": (1e-3, 100.0, True, True),
    "MHz": (1.0, 1e5, True, True),
    "ns": (1e-6, 1e6, False, True),
    "ps": (1e-3, 1e9, False, True),
    # geometry, widths, counts of cell equivalents
    "nm": (1.0, 1e4, False, False),
    "bit": (1.0, 1024.0, False, False),
    "KB": (1e-6, 1e9, False, False),
    "NAND2": (1e-3, 1e6, False, True),
    "V": (1e-3, 10.0, False, False),
    # dimensionless
    "share": (0.0, 1.0, False, False),
    "fraction": (0.0, 1.0, False, False),
    "%": (0.0, 100.0, False, False),
    "ratio": (0.0, 1e3, True, False),
}
# A unit this table does not know is still bounded: finite, positive, below this.
DEFAULT_BOUNDS = (0.0, 1e12, True, False)
# field -> bounds, where a field needs other ones than its unit's (a count that may be 0, a
# width): the one place to add a new constant's range.
FIELD_BOUNDS = {
    "operand_bits": (1.0, 64.0, False, False),
    "accumulator_bits": (1.0, 256.0, False, False),
}


def bounds_of(field: str, unit: str) -> tuple:
    """``(low, high, low_open, high_open)`` of ``field`` measured in ``unit``."""
    if field in FIELD_BOUNDS:
        return FIELD_BOUNDS[field]
    word = str(unit).split()[0] if str(unit).split() else ""
    return UNIT_BOUNDS.get(word, DEFAULT_BOUNDS)


def _describe(b: tuple) -> str:
    low, high, low_open, high_open = b
    return f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def _inside(value, b: tuple) -> bool:
    low, high, low_open, high_open = b
    try:
        v = float(value)
    except (TypeError, ValueError):
        return False
    if not math.isfinite(v):
        return False
    above = v > low if low_open else v >= low
    below = v < high if high_open else v <= high
    return above and below


def violations(tech) -> list:
    """Every out-of-range constant of ``tech`` as ``"field = value unit, outside RANGE"``
    (the scalar fields of ``_tech.FIELDS``, then the CACTI table's figures)."""
    from griffin_jax.cost._tech import FIELDS

    out = []
    for field, (unit, _) in FIELDS.items():
        if not hasattr(tech, field):
            continue
        value, b = getattr(tech, field), bounds_of(field, unit)
        if isinstance(value, str):  # a named rule, not a physical quantity
            continue
        if not _inside(value, b):
            out.append(f"{field} = {_number(value)} {unit}, outside {_describe(b)}")
    table = getattr(tech, "sram", None)
    if table is not None:
        out += _table_violations(table)
    return out


def _table_violations(table) -> list:
    from griffin_jax.cost._sram import UNITS

    out = []
    grids = {"capacity_kb": table.capacity_kb, "port_bits": table.port_bits}
    for key, values in [*grids.items(), *dict(table.values).items()]:
        b = bounds_of(f"sram.{key}", UNITS.get(key, ""))
        flat = [v for row in values for v in row] if key in table.values else list(values)
        # an empty entry (nan: CACTI found no organisation there) is a stated gap, not a value
        bad = [v for v in flat if not (key in table.values and v != v) and not _inside(v, b)]
        if bad:
            out.append(
                f"sram.{key} = {_number(bad[0])} {UNITS.get(key, '')}, outside {_describe(b)}"
            )
    return out


def _number(value) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return f"<{type(value).__name__}>"


def check_tech(tech):
    """``tech`` if every constant is inside its unit's range; else ``ValueError`` naming the
    config and the first field outside it."""
    bad = violations(tech)
    if bad:
        name = getattr(tech, "name", "?")
        more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
        raise ValueError(f"tech config {name!r} field {bad[0]}{more}")
    return tech
