"""Reading the study's rows for a chart: validation, numbers, the identity of a design, the
combination of several networks, and the Pareto front (all pure Python, no matplotlib)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from griffin_jax._checks import nonempty_of

CATEGORY_ORDER = ("dense", "W", "A", "AW")
# Metrics where smaller is better (the best grid design of ``category_bars`` minimises them).
LOWER_IS_BETTER = frozenset(
    {"area_mm2", "area_core_mm2", "energy_pj", "energy_core_pj", "cycles", "dense_cycles"}
)
# A design is its name plus, where present, its core and sync: grid labels do not name the core.
_IDENTITY = ("design", "rows", "cols", "lanes", "sync")
_BOX = ("box_time", "box_lane", "box_group")


def _check_rows(rows) -> list:
    if isinstance(rows, Mapping) or not isinstance(rows, Sequence):
        raise ValueError(f"rows must be a sequence of dict rows, got {type(rows).__name__}")
    return nonempty_of("rows", rows, Mapping, "a dict", "rows must hold at least one row")


def _check_fields(rows: list, **fields) -> None:
    """Every ``role=name`` must be a column of every row; the error names role and field."""
    for role, name in fields.items():
        missing = [i for i, r in enumerate(rows) if name not in r]
        if missing:
            raise ValueError(
                f"{role}: {name!r} is not a column of rows[{missing[0]}]; "
                f"columns: {sorted(rows[missing[0]])}"
            )


def _num(row: Mapping, field: str) -> float:
    try:
        v = float(row[field])
    except (TypeError, ValueError):
        raise ValueError(
            f"{field}: {row[field]!r} is not a number (design {row.get('design')!r})"
        ) from None
    if math.isnan(v):
        raise ValueError(f"{field}: NaN for design {row.get('design')!r}")
    return v


def _key(row: Mapping) -> tuple:
    return tuple(str(row[c]) for c in _IDENTITY if c in row)


def _gmean(values: Sequence[float], field: str) -> float:
    if len(values) == 1:
        return values[0]  # exact: no log / exp round trip
    if min(values) <= 0:
        raise ValueError(f"{field}: a geometric mean over networks needs positive values")
    return math.exp(math.fsum(math.log(v) for v in values) / len(values))


def _combine_networks(rows: list, fields: Sequence[str]) -> list:
    """One row per (category, design): ``fields`` combined over networks by geometric mean,
    other columns from the design's first row, ``networks`` = how many were combined."""
    groups: dict = {}
    for r in rows:
        groups.setdefault((str(r["category"]), _key(r)), []).append(r)
    out = []
    for members in groups.values():
        row = dict(members[0])
        for f in fields:
            row[f] = _gmean([_num(m, f) for m in members], f)
        row["networks"] = len({str(m.get("network")) for m in members})
        out.append(row)
    return out


def _only_network(rows: list, network) -> list:
    if network is None:
        return rows
    _check_fields(rows, network="network")
    kept = [r for r in rows if str(r["network"]) == str(network)]
    if not kept:
        raise ValueError(
            f"network: no rows for {network!r}; known: {sorted({str(r['network']) for r in rows})}"
        )
    return kept


def _check_categories(rows: list) -> None:
    bad = sorted({str(r["category"]) for r in rows} - set(CATEGORY_ORDER))
    if bad:
        raise ValueError(f"category: unknown {bad}; expected one of {CATEGORY_ORDER}")


def _ints(values) -> list:
    return [int(v) if float(v).is_integer() else v for v in values]


def pareto_front(rows: Sequence[Mapping], x: str, y: str) -> list:
    """The rows no other row dominates, for minimal ``x`` and maximal ``y``.

    Row p dominates q when ``p[x] <= q[x]`` and ``p[y] >= q[y]`` with at least one strict. Rows
    with identical ``(x, y)`` do not dominate each other: all of them are kept.
    Returns the front sorted by ``x`` ascending (``y`` then ascends too); the input order among
    identical points is kept.
    """
    if isinstance(rows, Sequence) and not isinstance(rows, Mapping) and not rows:
        return []
    rows = _check_rows(rows)
    _check_fields(rows, x=x, y=y)
    pts = sorted(((_num(r, x), -_num(r, y), i) for i, r in enumerate(rows)))
    front, best, last = [], -math.inf, None
    for px, neg_y, i in pts:
        py = -neg_y
        if py > best or (px, py) == last:
            front.append(rows[i])
            best, last = py, (px, py)
    return front
