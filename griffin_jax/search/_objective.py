"""Objectives of a search and the mix totals they read: names, directions, the loss.

``Metrics`` holds a design's mix totals (exact floats, or JAX scalars in the relaxation);
``relaxed_loss`` turns them into the scalar a descent minimises and ranks by (log units, area
penalty for ``perf_under_area``), ``value_from_loss`` inverts it to natural units.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

OBJECTIVES = ("tops_per_w", "edp", "perf_under_area")
# Whether larger is better.
MAXIMISE = {"tops_per_w": True, "edp": False, "perf_under_area": True}
# Weight of the relative area overshoot in the relaxed perf_under_area loss (the loss is in log
# units: 1% over budget costs as much as a 20% slower design, so the search stays inside).
AREA_PENALTY = 20.0


def check_objective(objective: str, area_budget_mm2=None) -> str:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if objective == "perf_under_area":
        if (
            area_budget_mm2 is None
            or isinstance(area_budget_mm2, bool)
            or not isinstance(area_budget_mm2, (int, float))
            or not area_budget_mm2 > 0
        ):
            raise ValueError(
                "area_budget_mm2 must be a positive number for objective "
                f"'perf_under_area', got {area_budget_mm2!r}"
            )
    elif area_budget_mm2 is not None:
        raise ValueError(
            f"area_budget_mm2 is only used by 'perf_under_area', got "
            f"{area_budget_mm2!r} with objective {objective!r}"
        )
    return objective


@dataclasses.dataclass(frozen=True)
class Metrics:
    """Mix totals of one design (weights applied): energy (pJ), cycles, dense-core cycles,
    dense-equivalent ops, area (mm^2), clock (GHz). Floats, or JAX scalars in the relaxation."""

    energy_pj: float
    cycles: float
    dense_cycles: float
    ops: float
    area_mm2: float
    clock_ghz: float

    @property
    def tops_per_w(self):
        return self.ops / self.energy_pj

    @property
    def edp(self):
        """Energy-delay product in pJ x ns."""
        return self.energy_pj * self.cycles / self.clock_ghz

    @property
    def speedup(self):
        return self.dense_cycles / self.cycles

    def value(self, objective: str):
        """The objective in its natural units (constraint not applied)."""
        return {"tops_per_w": self.tops_per_w, "edp": self.edp, "perf_under_area": self.speedup}[
            objective
        ]


jax.tree_util.register_dataclass(
    Metrics,
    data_fields=["energy_pj", "cycles", "dense_cycles", "ops", "area_mm2"],
    meta_fields=["clock_ghz"],
)


def relaxed_loss(m: Metrics, objective, area_budget_mm2=None):
    """Scalar to minimise: the log of the objective (sign by direction), plus, for
    ``perf_under_area``, ``AREA_PENALTY`` times the relative overshoot of the area budget.
    ``objective`` may be a name or its index in ``OBJECTIVES`` (a traced int selects without
    recompiling)."""
    if isinstance(objective, str):
        objective = OBJECTIVES.index(objective)
    # numpy in, numpy out (host-side ranking of candidates compiles nothing)
    xp = (
        jnp
        if any(isinstance(v, jax.Array) for v in (m.energy_pj, m.cycles, m.area_mm2, objective))
        else np
    )
    budget = 1.0 if area_budget_mm2 is None else area_budget_mm2
    over = xp.maximum(m.area_mm2 / budget - 1.0, 0.0)
    losses = xp.stack(
        [
            xp.log(m.energy_pj) - xp.log(m.ops),
            xp.log(m.energy_pj) + xp.log(m.cycles),
            xp.log(m.cycles) - xp.log(m.dense_cycles) + AREA_PENALTY * over,
        ]
    )
    return losses[objective]


def value_from_loss(loss, objective: str, area_mm2=None, area_budget_mm2=None):
    """Invert ``relaxed_loss`` to the objective in natural units (constraint not applied)."""
    loss = np.asarray(loss, np.float64)
    if objective == "tops_per_w":
        return np.exp(-loss)
    if objective == "edp":
        return np.exp(loss)
    over = np.maximum(np.asarray(area_mm2, np.float64) / area_budget_mm2 - 1.0, 0.0)
    return np.exp(-(loss - AREA_PENALTY * over))
