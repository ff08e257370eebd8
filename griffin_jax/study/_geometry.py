"""The dense-geometry study (docs/model.md 5.1): which R x C x L shape of a dense core of a
given peak does the cost model favour?

Sparsity support is built on top of a dense core, so the geometry of that core is part of every
comparison. This study evaluates every power-of-two geometry with ``R * C * L = peak`` as the
``dense`` preset on the dense-category workloads (masks made all-nonzero) and ranks them by total
power efficiency. Every geometry keeps the SRAM buffer capacities of one template core, so the
geometries differ in compute, not in memory.

Nothing here reads configs or writes files: the CLI does that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from griffin_jax.cost._evaluate import combine, evaluate
from griffin_jax.design._core import MAX_LANES, Core
from griffin_jax.design._griffin import DEFAULT_CORE
from griffin_jax.design._presets import preset
from griffin_jax.sim._options import SimOptions
from griffin_jax.workloads._workload import Workload

# The columns of a geometry row, in table order (``best`` / ``best_core`` flag the winners).
GEOMETRY_COLUMNS = (
    "geometry",
    "rows",
    "cols",
    "lanes",
    "networks",
    "cycles",
    "dense_cycles",
    "ops",
    "area_mm2",
    "area_core_mm2",
    "energy_pj",
    "energy_core_pj",
    "tops_per_w",
    "tops_per_w_core",
    "tops_per_mm2",
    "tops_per_mm2_core",
    "rank",
    "rank_core",
    "best",
    "best_core",
)


def _power_of_two_exponent(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value & (value - 1):
        raise ValueError(f"{name} must be a power of two >= 1, got {value!r}")
    return value.bit_length() - 1


def _check_max_lanes(max_lanes) -> int:
    if isinstance(max_lanes, bool) or not isinstance(max_lanes, int) or max_lanes < 1:
        raise ValueError(f"max_lanes must be an int >= 1, got {max_lanes!r}")
    if max_lanes > MAX_LANES:
        raise ValueError(
            f"max_lanes must be <= {MAX_LANES} (the most lanes a DPU may have), got {max_lanes}"
        )
    return max_lanes


def _template(template_core) -> Core:
    core = DEFAULT_CORE if template_core is None else template_core
    if not isinstance(core, Core):
        raise ValueError(f"template_core must be a Core, got {type(core).__name__}")
    return core


def geometry_label(core: Core) -> str:
    """``"RxCxL"``, e.g. ``"8x8x16"``."""
    return f"{core.rows}x{core.cols}x{core.lanes}"


def geometries(peak: int = 1024, max_lanes: int = 64, template_core: Core | None = None) -> list:
    """Every power-of-two core ``R x C x L`` with ``R * C * L = peak`` and ``L <= max_lanes``.

    Args:
      peak: multipliers per core (MACs per cycle), a power of two >= 1.
      max_lanes: the most lanes per DPU, 1 .. 64.
      template_core: the core whose SRAM buffer capacities (``act_kb``, ``wgt_kb``, ``out_kb``)
        every geometry keeps (default: the 8 x 8 x 16 default core's).
    Returns: a list of ``Core``, ordered by lanes, then rows (both ascending).
    """
    p = _power_of_two_exponent("peak", peak)
    max_lanes = _check_max_lanes(max_lanes)
    base = _template(template_core)
    out = []
    for lane_exp in range(p + 1):
        if 2**lane_exp > max_lanes:
            break
        for row_exp in range(p - lane_exp + 1):
            out.append(
                dataclasses.replace(
                    base, rows=2**row_exp, cols=2 ** (p - lane_exp - row_exp), lanes=2**lane_exp
                )
            )
    return out


def _network_list(workloads) -> list:
    if (
        isinstance(workloads, Workload)
        or not isinstance(workloads, Sequence)
        or isinstance(workloads, str)
    ):
        raise ValueError(
            f"workloads must be a sequence of Workload, got {type(workloads).__name__}"
        )
    if not workloads:
        raise ValueError("workloads must hold at least one Workload")
    for i, wl in enumerate(workloads):
        if not isinstance(wl, Workload):
            raise ValueError(f"workloads[{i}] must be a Workload, got {type(wl).__name__}")
    return list(workloads)


def _ranks(rows: list, key: Callable[[dict], tuple]) -> list:
    """1-based rank of each row by ``key`` (largest first); equal keys share the first rank."""
    order = sorted(range(len(rows)), key=lambda i: key(rows[i]), reverse=True)
    ranks = [0] * len(rows)
    for pos, i in enumerate(order):
        prev = order[pos - 1] if pos else None
        same = prev is not None and key(rows[prev]) == key(rows[i])
        ranks[i] = ranks[prev] if same else pos + 1
    return ranks


def _total_key(r):
    return r["tops_per_w"], r["tops_per_mm2"]


def _core_key(r):
    return r["tops_per_w_core"], r["tops_per_mm2_core"]


def geometry_study(
    workloads: Sequence[Workload],
    peak: int = 1024,
    max_lanes: int = 64,
    tech="horowitz45",
    template_core: Core | None = None,
    *,
    sim: SimOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list:
    """Every geometry of ``geometries(peak, max_lanes, template_core)`` as a dense core
    (``design.preset("dense", core)``) on the dense category of ``workloads``.

    Args:
      workloads: ``Workload`` networks; each is evaluated in category ``"dense"`` (its masks
        fitted to it: all-nonzero), and the networks are summed (cycles, energy and operations
        add up: one row per geometry for the whole mix).
      peak, max_lanes, template_core: see ``geometries``.
      tech: a ``Tech`` or a config name.
      sim: scheduler options for ``cost.evaluate`` (the dense core never runs the scheduler).
      progress: called as ``progress(label)`` after each network layer.
    Returns: one dict row per geometry (columns ``GEOMETRY_COLUMNS``), in ``geometries`` order.
      ``rank``: by total TOPS/W, ties by total TOPS/mm^2 (1 = best); ``rank_core``: the same on
      the core-only figures. ``best`` / ``best_core`` mark the first-ranked row (one each; of
      equal rows, the first in order).
    """
    cores = geometries(peak, max_lanes, template_core)
    nets = _network_list(workloads)
    accels = [preset("dense", c) for c in cores]

    def on_layer(layer, reports):
        if progress is not None:
            progress(f"{layer.network}/{layer.name}")

    per_net = []
    for wl in nets:
        try:
            per_net.append(
                evaluate(
                    accels,
                    "dense",
                    wl,
                    tech,
                    sim=sim,
                    on_layer=on_layer,
                )
            )
        except ValueError as e:
            raise ValueError(f"workload {wl.network!r}: {e}") from None
    names = ",".join(wl.network for wl in nets)
    rows = []
    for i, core in enumerate(cores):
        rep = combine([reports[i] for reports in per_net], [1] * len(per_net))
        rows.append(
            {
                "geometry": geometry_label(core),
                "rows": core.rows,
                "cols": core.cols,
                "lanes": core.lanes,
                "networks": names,
                "cycles": int(rep.cycles),
                "dense_cycles": int(rep.dense_cycles),
                "ops": int(rep.ops),
                "area_mm2": float(rep.area_mm2),
                "area_core_mm2": float(rep.area_core_mm2),
                "energy_pj": float(rep.energy_pj),
                "energy_core_pj": float(rep.energy_core_pj),
                "tops_per_w": float(rep.tops_per_w),
                "tops_per_w_core": float(rep.tops_per_w_core),
                "tops_per_mm2": float(rep.tops_per_mm2),
                "tops_per_mm2_core": float(rep.tops_per_mm2_core),
            }
        )
    for col, key in (("rank", _total_key), ("rank_core", _core_key)):
        for r, k in zip(rows, _ranks(rows, key)):
            r[col] = k
    for flag, col in (("best", "rank"), ("best_core", "rank_core")):
        first = min(range(len(rows)), key=lambda i: rows[i][col])
        for i, r in enumerate(rows):
            r[flag] = i == first
    return rows


def best_geometry(rows: Sequence[dict], core_only: bool = False) -> dict:
    """The row flagged ``best`` (``best_core`` when ``core_only``) of ``geometry_study`` rows
    (also as read back from CSV, where flags are strings)."""
    flag = "best_core" if core_only else "best"
    for r in rows:
        if r.get(flag) in (True, "True", "true", "1", 1):
            return r
    raise ValueError(f"rows: no row is flagged {flag!r}")


__all__ = ["GEOMETRY_COLUMNS", "best_geometry", "geometries", "geometry_label", "geometry_study"]
