"""Exact evaluation of design points: the untouched cost model, cached and counted.

Every exact evaluation of a search or a baseline goes through one ``ExactEvaluator``, which
caches by design point and counts distinct designs (a search's ``n_exact``); ``Budgeted`` adds
the search's budget and area constraint. ``exact_value`` / ``is_better`` / ``relative_gap``
compare exact objectives; ``rank_correlation`` compares rankings (relaxed vs exact).

Compiles: ``exact_metrics`` schedules each exploit's designs with its space's largest window
as ``bucket_windows`` and in chunks of ``EXACT_CHUNK`` or of one design, so the scheduler keys
its compiled programs on the exploit, the layer (its shapes and distinct-tile count) and those
two design counts only, never on which windows a call holds: another search on the same space,
whatever designs it visits, runs the programs the first one compiled (a larger bucket costs a
little run time; a compile costs seconds per layer).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import numpy as np

from griffin_jax.cost._area import area_breakdown
from griffin_jax.cost._evaluate import evaluate
from griffin_jax.cost._tech import load_tech
from griffin_jax.search._objective import MAXIMISE, Metrics
from griffin_jax.search._space import DesignPoint, Space
from griffin_jax.search._tiles import check_workloads
from griffin_jax.sim._options import SimOptions

# Designs per exact cost-model call for large batches (a kernel design-count bucket); the rest
# of a batch goes one design per call. A search asks for a few designs at a time, so it runs on
# the one-design programs only; an exhaustive run fills whole chunks.
EXACT_CHUNK = 16


# -- objective values -----------------------------------------------------------------------------
def exact_value(m: Metrics, objective: str, area_budget_mm2=None) -> float | None:
    """The objective of exact ``Metrics`` in natural units, or ``None`` when the design breaks
    the area budget (``perf_under_area`` only; the constraint is strict)."""
    if objective == "perf_under_area" and m.area_mm2 > area_budget_mm2:
        return None
    return float(m.value(objective))


def is_better(a: float | None, b: float | None, objective: str) -> bool:
    """Whether value ``a`` beats ``b`` (``None``: infeasible, beaten by anything feasible)."""
    if a is None:
        return False
    if b is None:
        return True
    return a > b if MAXIMISE[objective] else a < b


def relative_gap(found: float | None, optimum: float, objective: str) -> float:
    """How much worse ``found`` is than ``optimum``, as a fraction of ``optimum`` (0: equal)."""
    if found is None:
        return math.inf
    gap = (
        (optimum - found) / abs(optimum)
        if MAXIMISE[objective]
        else (found - optimum) / abs(optimum)
    )
    return max(gap, 0.0)


def rank_correlation(x, y) -> float:
    """Spearman's rank correlation (average ranks for ties) of two equal-length sequences."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if x.shape != y.shape or x.ndim != 1 or x.size < 2:
        raise ValueError("rank_correlation needs two 1-D sequences of equal length >= 2")

    def ranks(v):
        order = np.argsort(v, kind="stable")
        r = np.empty(v.size)
        r[order] = np.arange(v.size, dtype=np.float64)
        for val in np.unique(v):  # ties share their average rank
            tie = v == val
            if tie.sum() > 1:
                r[tie] = r[tie].mean()
        return r

    rx, ry = ranks(x), ranks(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    den = math.sqrt(float((rx**2).sum() * (ry**2).sum()))
    return float((rx * ry).sum() / den) if den else float("nan")


# -- exact evaluation -----------------------------------------------------------------------------
def _chunks(idx: list) -> list:
    """Whole ``EXACT_CHUNK``s, then one index per chunk: two design counts in all."""
    whole = len(idx) - len(idx) % EXACT_CHUNK
    return [idx[j : j + EXACT_CHUNK] for j in range(0, whole, EXACT_CHUNK)] + [
        [i] for i in idx[whole:]
    ]


def largest_point(space: Space, exploit: str) -> DesignPoint:
    """The exploit's upper corner: its largest window (capacity, depth and group reach)."""
    return space.canonical(exploit, *(int(v) for v in space.bounds(exploit)[1]))


def exact_metrics(
    points, workloads, space: Space, tech="horowitz45", sim: SimOptions | None = None
) -> list[Metrics]:
    """Exact mix ``Metrics`` of each ``DesignPoint`` through ``cost.evaluate`` (the untouched
    exact path). ``workloads`` as ``_tiles.check_workloads`` returns them (masks densified).
    ``sim``: the scheduler's options (e.g. ``SimOptions(sample=0.1)`` for tile-sampled
    estimates of large layers); its ``bucket_windows`` are replaced as below."""
    tech = load_tech(tech)
    base = SimOptions() if sim is None else sim
    points = list(points)
    out: list = [None] * len(points)
    groups: dict = {}
    for i, p in enumerate(points):
        groups.setdefault(p.exploit, []).append(i)
    for exploit, idx in groups.items():
        # The scheduler's compile bucket of every call covers the exploit's largest window
        # (results do not depend on it): one program per GEMM shape serves the whole space.
        opts = (
            base
            if exploit == "none"
            else dataclasses.replace(base, bucket_windows=(largest_point(space, exploit).window(),))
        )
        for chunk in _chunks(idx):
            accels = [points[i].accelerator(space.core) for i in chunk]
            tot = np.zeros((len(chunk), 4))
            area = None
            for wl in workloads:
                reps = evaluate(accels, wl.category, wl, tech, sim=opts)
                tot += wl.weight * np.array(
                    [[r.energy_pj, r.cycles, r.dense_cycles, r.ops] for r in reps]
                )
                area = [r.area_mm2 for r in reps]
            for j, i in enumerate(chunk):
                out[i] = Metrics(
                    *(float(v) for v in tot[j]), area_mm2=float(area[j]), clock_ghz=tech.clock_ghz
                )
    return out


class ExactEvaluator:
    """Exact evaluations of design points with a cache; ``count`` = distinct points evaluated.

    ``table``: optional mapping ``DesignPoint -> Metrics`` already computed (e.g. by an
    exhaustive run); a lookup in it still counts as an evaluation, so a baseline and the search
    can share one enumeration and still be charged for every design they look at. ``fresh()``
    gives an evaluator with a zero count that shares the table. ``sim``: ``SimOptions`` of every
    exact evaluation (``None``: exact schedules; a ``sample`` makes every value an estimate).
    """

    def __init__(
        self,
        workloads,
        space: Space | None = None,
        tech="horowitz45",
        table: Mapping | None = None,
        sim: SimOptions | None = None,
    ):
        if sim is not None and not isinstance(sim, SimOptions):
            raise ValueError(f"sim must be a SimOptions or None, got {type(sim).__name__}")
        self.sim = sim
        self.space = Space() if space is None else space
        if not isinstance(self.space, Space):
            raise ValueError(f"space must be a Space, got {type(self.space).__name__}")
        self.tech = load_tech(tech)
        self.workloads = check_workloads(workloads)
        self.table = dict(table or {})
        self.cache: dict = {}
        self._areas: dict = {}

    @property
    def count(self) -> int:
        return len(self.cache)

    def __call__(self, points) -> list[Metrics]:
        """Exact ``Metrics`` of each point (evaluating the missing ones in one batch)."""
        points = list(points)
        for p in points:
            if p not in self.space:
                raise ValueError(f"design point {p} is not in the space")
        missing = list(dict.fromkeys(p for p in points if p not in self.cache))
        if missing:
            new = [p for p in missing if p not in self.table]
            if new:
                self.table.update(
                    zip(new, exact_metrics(new, self.workloads, self.space, self.tech, self.sim))
                )
            self.cache.update((p, self.table[p]) for p in missing)
        return [self.cache[p] for p in points]

    def area(self, point: DesignPoint) -> float:
        """Exact area (mm^2) of a point: a pure function of the design, not counted."""
        if point not in self._areas:
            acc = point.accelerator(self.space.core)
            self._areas[point] = math.fsum(area_breakdown(acc, self.tech).values())
        return self._areas[point]

    def fresh(self) -> ExactEvaluator:
        """A new evaluator (empty count) sharing this one's table and results so far."""
        other = object.__new__(ExactEvaluator)
        other.space, other.tech, other.workloads = self.space, self.tech, self.workloads
        other.sim = self.sim
        other.table = self.table  # shared: results computed by either serve both
        other.cache, other._areas = {}, self._areas
        return other


# -- constraints and the search's budget ----------------------------------------------------------
def feasible(evaluator: ExactEvaluator, point, objective, budget) -> bool:
    """Whether ``point`` meets the area budget (always, outside ``perf_under_area``)."""
    return objective != "perf_under_area" or evaluator.area(point) <= budget


def smallest_points(space: Space) -> list:
    # Area grows with every window parameter, so each exploit's smallest design is its lower
    # corner.
    out = []
    for e in space.exploits:
        if e == "none":
            out.append(DesignPoint("none"))
        else:
            out.append(space.canonical(e, *(int(v) for v in space.bounds(e)[0])))
    return out


def check_budget_fits(evaluator: ExactEvaluator, objective, budget) -> None:
    """``ValueError`` when no design of the space fits the area budget."""
    if objective != "perf_under_area":
        return
    smallest = min(evaluator.area(p) for p in smallest_points(evaluator.space))
    if smallest > budget:
        raise ValueError(
            f"area_budget_mm2 = {budget} is below the smallest design of the space "
            f"({smallest:.4f} mm^2)"
        )


class Budgeted:
    """Exact evaluations under the search's budget: only feasible points not evaluated yet,
    at most ``max_exact`` distinct ones in all."""

    def __init__(self, ev: ExactEvaluator, max_exact: int, objective: str, budget):
        self.ev, self.max_exact, self.objective, self.budget = ev, max_exact, objective, budget

    @property
    def room(self) -> int:
        return self.max_exact - self.ev.count

    def feasible(self, p) -> bool:
        return feasible(self.ev, p, self.objective, self.budget)

    def evaluate(self, points) -> None:
        todo = [p for p in dict.fromkeys(points) if p not in self.ev.cache and self.feasible(p)]
        if self.room > 0 and todo:
            self.ev(todo[: self.room])
