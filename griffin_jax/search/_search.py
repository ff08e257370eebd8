"""Search a design space: optax descent on the relaxation, then exact re-evaluation.

``run_search`` (the gradient search), one function per phase:

1. ``_descents``: for every sparse exploit of the space (a categorical choice: one descent per
   exploit), start ``restarts`` points uniformly at random inside the exploit's bounds and follow
   ``optax.adam`` on the relaxed loss (``_relax.relaxed_loss``) for ``steps`` steps, projecting
   (clipping) onto the bounds after every step; all restarts of one exploit run as one
   ``vmap``-ed, ``scan``-ned, compiled program. The dense design (``exploit="none"``), when in
   the space, has no parameter: its relaxed value is exact and it competes as is.
2. ``_incumbents``: at every step the *incumbent* is the iterate with the lowest relaxed loss
   over exploits and restarts; every ``exact_every`` steps (and at the last) its rounding is
   evaluated exactly, which gives the exact curve of the history plot.
3. ``_rank_candidates``: the integer corners of the unit cell around every restart's final and best
   iterate, ranked by the relaxed loss at those integer points (free: the relaxation, not the
   exact model); designs over the area budget are dropped first (area is a pure function of the
   design, computed by ``cost.area_breakdown``, not an exact evaluation). The best-ranked ones
   are evaluated exactly.
4. ``_refine``: while evaluations remain, first the untried axis neighbours of the exact best
   (one step along one window axis, or another exploit at the same window), then the untried
   points of the 3 x 3 x 3 cubes around the best ``refine_top`` exact designs whose relaxed
   loss, corrected by the most favourable relaxed-vs-exact gap seen so far, could still beat the
   exact best; best relaxed rank first, two at a time. It stops when no such point is left.
5. ``_history``: one row per descent step, exact values at the checkpoints.

Every exact evaluation goes through one ``ExactEvaluator``, which caches by design point and
counts distinct designs: ``SearchResult.n_exact`` is that count, and the budget ``max_exact``
bounds it. ``random_search`` and ``tpe_search`` (Optuna, optional) are baselines that count the
same way; ``exhaustive`` evaluates the whole space.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np
import optax

from griffin_jax.cost._area import area_breakdown
from griffin_jax.cost._evaluate import evaluate
from griffin_jax.cost._tech import load_tech
from griffin_jax.search._relax import (
    MAXIMISE,
    OBJECTIVES,
    Metrics,
    Relaxation,
    _maxima,
    _metrics_impl,
    check_objective,
    check_workloads,
    relax,
    relaxed_loss,
    value_from_loss,
)
from griffin_jax.search._space import DesignPoint, Space

EXACT_CHUNK = 12  # designs per exact cost-model call (a kernel design-count bucket)


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
def exact_metrics(points, workloads, space: Space, tech="horowitz45") -> list[Metrics]:
    """Exact mix ``Metrics`` of each ``DesignPoint`` through ``cost.evaluate`` (the untouched
    exact path). ``workloads`` as ``_relax.check_workloads`` returns them (masks densified)."""
    tech = load_tech(tech)
    points = list(points)
    out: list = [None] * len(points)
    # One exploit per call; each chunk runs the deepest windows alongside the shallow ones
    # (ordered time-fastest), so the kernel's depth bucket rarely changes. Fixed-size chunks keep
    # the kernel's design-count bucket fixed too (one compiled program per exploit).
    groups: dict = {}
    for i in sorted(
        range(len(points)), key=lambda i: (points[i].lane, points[i].group, points[i].time)
    ):
        groups.setdefault(points[i].exploit, []).append(i)
    chunks = [
        idx[j : j + EXACT_CHUNK] for idx in groups.values() for j in range(0, len(idx), EXACT_CHUNK)
    ]
    for idx in chunks:
        accels = [points[i].accelerator(space.core) for i in idx]
        tot = np.zeros((len(idx), 4))
        area = None
        for wl in workloads:
            reps = evaluate(accels, wl.category, wl, tech)
            tot += wl.weight * np.array(
                [[r.energy_pj, r.cycles, r.dense_cycles, r.ops] for r in reps]
            )
            area = [r.area_mm2 for r in reps]
        for j, i in enumerate(idx):
            out[i] = Metrics(
                *(float(v) for v in tot[j]), area_mm2=float(area[j]), clock_ghz=tech.clock_ghz
            )
    return out


class ExactEvaluator:
    """Exact evaluations of design points with a cache; ``count`` = distinct points evaluated.

    ``table``: optional mapping ``DesignPoint -> Metrics`` already computed (e.g. by an
    exhaustive run); a lookup in it still counts as an evaluation, so a baseline and the search
    can share one enumeration and still be charged for every design they look at. ``fresh()``
    gives an evaluator with a zero count that shares the table.
    """

    def __init__(
        self, workloads, space: Space | None = None, tech="horowitz45", table: Mapping | None = None
    ):
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
                    zip(new, exact_metrics(new, self.workloads, self.space, self.tech))
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
        other.table = self.table  # shared: results computed by either serve both
        other.cache, other._areas = {}, self._areas
        return other


# -- results --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class HistoryRow:
    """One descent step: the incumbent iterate, its relaxed objective, its rounding and (at
    checkpoints) the rounding's exact objective (``nan`` elsewhere or when infeasible)."""

    step: int
    exploit: str
    theta: tuple
    relaxed: float
    design: str
    exact: float


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """Outcome of a search.

    ``best``: the best exactly evaluated feasible design (``None`` if none was feasible);
    ``best_value``: its exact objective in natural units (TOPS/W, pJ x ns, or speedup);
    ``n_exact``: distinct designs evaluated exactly; ``evaluated``: ``(point, exact value or
    None if infeasible)`` in evaluation order; ``history``: per descent step (gradient search
    only).
    """

    method: str
    objective: str
    maximise: bool
    area_budget_mm2: float | None
    best: DesignPoint | None
    best_value: float | None
    best_metrics: Metrics | None
    n_exact: int
    space_size: int
    evaluated: tuple
    history: tuple = ()
    seed: int | None = None

    @property
    def share_evaluated(self) -> float:
        return self.n_exact / self.space_size


def _result(method, evaluator: ExactEvaluator, objective, budget, history=(), seed=None):
    best = best_v = best_m = None
    rows = []
    for p, m in evaluator.cache.items():
        v = exact_value(m, objective, budget)
        rows.append((p, v))
        if is_better(v, best_v, objective):
            best, best_v, best_m = p, v, m
    return SearchResult(
        method=method,
        objective=objective,
        maximise=MAXIMISE[objective],
        area_budget_mm2=budget,
        best=best,
        best_value=best_v,
        best_metrics=best_m,
        n_exact=evaluator.count,
        space_size=evaluator.space.size,
        evaluated=tuple(rows),
        history=tuple(history),
        seed=seed,
    )


# -- argument checks ------------------------------------------------------------------------------
def _int_arg(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_budget_fits(evaluator: ExactEvaluator, objective, budget):
    if objective != "perf_under_area":
        return
    smallest = min(evaluator.area(p) for p in _smallest_points(evaluator.space))
    if smallest > budget:
        raise ValueError(
            f"area_budget_mm2 = {budget} is below the smallest design of the space "
            f"({smallest:.4f} mm^2)"
        )


def _smallest_points(space: Space):
    # Area grows with every window parameter, so each exploit's smallest design is its lower
    # corner.
    out = []
    for e in space.exploits:
        if e == "none":
            out.append(DesignPoint("none"))
        else:
            out.append(space.canonical(e, *(int(v) for v in space.bounds(e)[0])))
    return out


def _feasible(evaluator, point, objective, budget) -> bool:
    return objective != "perf_under_area" or evaluator.area(point) <= budget


# -- the descent ----------------------------------------------------------------------------------
_OPT = optax.chain(optax.zero_nans(), optax.inject_hyperparams(optax.adam)(learning_rate=0.1))


@functools.partial(jax.jit, static_argnames=("exploit", "core", "prices", "maxima"))
def _step(data, theta, state, lo, hi, objective, budget, *, exploit, core, prices, maxima):
    """One projected Adam step on ``theta [B, 3]``: the new iterates (clipped onto the bounds),
    the new state and the relaxed losses at ``theta``. ``objective`` (index in ``OBJECTIVES``),
    ``budget`` and the learning rate (in ``state``) are traced: one compile per exploit serves
    every objective, seed and step count."""

    def loss_fn(t):
        return relaxed_loss(
            _metrics_impl(data, t, exploit, core, prices, *maxima), objective, budget
        )

    loss, grad = jax.vmap(jax.value_and_grad(loss_fn))(theta)
    updates, state = _OPT.update(grad, state, theta)
    new = optax.apply_updates(theta, updates)
    # bounds [3] against restarts [n, 3]: broadcast explicitly (no implicit rank promotion)
    lo, hi = (jnp.broadcast_to(b, new.shape) for b in (lo, hi))
    return jnp.clip(new, lo, hi), state, loss


def _descend(rel: Relaxation, exploit, theta0, objective, budget, learning_rate, steps):
    """Projected Adam from ``theta0 [B, 3]``: iterates ``[steps + 1, B, 3]`` and their relaxed
    losses ``[steps + 1, B]``."""
    lo, hi = (jnp.asarray(b) for b in rel.space.bounds(exploit))
    theta = jnp.asarray(theta0)
    zero_nans, adam = _OPT.init(theta)
    hyper = dict(adam.hyperparams, learning_rate=jnp.asarray(learning_rate, jnp.float32))
    state = (zero_nans, adam._replace(hyperparams=hyper))
    args = dict(exploit=exploit, core=rel.space.core, prices=rel.prices, maxima=_maxima(rel.space))
    obj = jnp.int32(OBJECTIVES.index(objective))
    b = jnp.float32(1.0 if budget is None else budget)
    thetas, losses = [], []
    for _ in range(steps + 1):  # the last call only scores the final iterate
        new, state, loss = _step(rel.data[exploit], theta, state, lo, hi, obj, b, **args)
        thetas.append(theta)
        losses.append(loss)
        theta = new
    return np.asarray(jnp.stack(thetas)), np.asarray(jnp.stack(losses))


def _neighbours_of(space: Space, point: DesignPoint, diagonal: bool = False):
    """Integer designs around ``point``: one step along one axis of its window (``diagonal``:
    every point of the 3 x 3 x 3 cube around it; under an area budget the best designs trade one
    parameter for another along the budget's boundary), and the other exploits at the same
    window."""
    out = []
    for e in space.exploits:
        if e == "none" or point.exploit == "none":
            if e != point.exploit:
                if e == "none":
                    out.append(DesignPoint("none"))
                else:  # from the dense core: each exploit's smallest window
                    out.append(space.canonical(e, *(int(v) for v in space.bounds(e)[0])))
            continue
        lo, hi = space.bounds(e)
        base = np.clip(np.array(point.theta), lo, hi).astype(int)
        if e != point.exploit:
            out.append(space.canonical(e, *(int(v) for v in base)))
            continue
        for delta in itertools.product((-1, 0, 1), repeat=3):
            if not diagonal and sum(map(abs, delta)) != 1:
                continue
            v = base + np.array(delta)
            if (v >= lo).all() and (v <= hi).all():
                out.append(space.canonical(e, *(int(x) for x in v)))
    return list(dict.fromkeys(p for p in out if p != point))


def run_search(
    workloads,
    objective: str = "tops_per_w",
    space: Space | None = None,
    seed: int = 0,
    steps: int = 30,
    restarts: int = 3,
    tech="horowitz45",
    area_budget_mm2: float | None = None,
    learning_rate: float = 0.25,
    max_exact: int | None = None,
    candidates: int = 8,
    refine_top: int = 3,
    exact_every: int = 10,
    max_tiles: int | None = 8,
    evaluator: ExactEvaluator | None = None,
    relaxation: Relaxation | None = None,
) -> SearchResult:
    """Gradient-guided search of ``space`` for the best design on a workload mix.

    Args:
      workloads: ``workloads.Workload``s, each with a ``category`` and a ``weight`` (how often
        it runs), or ``(name, layers, category, weight)`` tuples (``check_workloads``); the mix
        totals are weighted sums of the workloads' energy, cycles and ops. Masks are densified
        for the category as ``cost.category_masks`` does.
      objective: ``"tops_per_w"`` (maximise dense-equivalent TOPS/W), ``"edp"`` (minimise energy
        x delay, pJ x ns) or ``"perf_under_area"`` (maximise speedup over the dense core subject
        to area <= ``area_budget_mm2``).
      space: the design space (default ``Space()``: none/A/W/AW x box time 1..7 x lane 0..3 x
        group 0..2 on 8 x 8 x 16).
      seed: seeds the restarts' starting points.
      steps, restarts, learning_rate: the projected Adam descent per exploit.
      tech: technology config name or ``Tech``.
      max_exact: budget of distinct exact evaluations (default: 10% of ``space.size``, at
        least 1); the search stops earlier once no neighbour of its best designs could win.
      candidates: how many of the best relaxed-ranked rounded designs to evaluate exactly
        before the refinement.
      refine_top: the refinement looks at the cubes around the best ``refine_top`` exact
        designs (module doc).
      exact_every: exact evaluation of the rounded incumbent every this many steps for the
        history (0: only the final candidates; the checkpoints count against ``max_exact``).
      max_tiles: tiles per layer the surrogate schedules (``_relax.relax``; None: all).
      evaluator, relaxation: reuse an ``ExactEvaluator`` / ``Relaxation`` built for the same
        workloads and space (the search counts its own evaluations from zero, on
        ``evaluator.fresh()``; results already in the evaluator's table are not recomputed).
    Returns: ``SearchResult`` (``method="gradient"``).
    """
    space, seed, steps, restarts, exact_every, candidates, refine_top, max_exact, budget = (
        _check_search_args(
            objective,
            area_budget_mm2,
            space,
            seed,
            steps,
            restarts,
            exact_every,
            candidates,
            refine_top,
            learning_rate,
            max_exact,
        )
    )
    for name, obj in (("evaluator", evaluator), ("relaxation", relaxation)):
        if obj is not None and obj.space != space:
            raise ValueError(f"{name} was built for another space")
    ev = ExactEvaluator(workloads, space, tech) if evaluator is None else evaluator.fresh()
    rel = relax(workloads, space, tech, max_tiles) if relaxation is None else relaxation
    _check_budget_fits(ev, objective, budget)
    exact = _Budgeted(ev, max_exact, objective, budget)

    runs = _descents(rel, objective, budget, seed, steps, restarts, learning_rate)
    inc, relaxed_vals = _incumbents(rel, runs, steps, objective, budget)
    checkpoints = (
        [] if exact_every == 0 else sorted(set(range(0, steps + 1, exact_every)) | {steps})
    )
    # the final incumbent's rounding first, then the earlier checkpoints, latest first
    exact.evaluate([inc[s][2] for s in reversed(checkpoints)])
    scores, ranked = _rank_candidates(rel, runs, steps, exact, objective, budget)
    exact.evaluate(ranked[:candidates])
    _refine(rel, exact, scores, ranked, refine_top)
    history = _history(inc, relaxed_vals, checkpoints, ev, objective, budget)
    return _result("gradient", ev, objective, budget, history, seed)


def _check_search_args(
    objective,
    area_budget_mm2,
    space,
    seed,
    steps,
    restarts,
    exact_every,
    candidates,
    refine_top,
    learning_rate,
    max_exact,
) -> tuple:
    """``run_search``'s arguments checked and normalised (``ValueError`` naming the field)."""
    check_objective(objective, area_budget_mm2)
    space = Space() if space is None else space
    if not isinstance(space, Space):
        raise ValueError(f"space must be a Space, got {type(space).__name__}")
    seed = _int_arg("seed", seed, 0)
    steps = _int_arg("steps", steps, 1)
    restarts = _int_arg("restarts", restarts, 1)
    exact_every = _int_arg("exact_every", exact_every, 0)
    candidates = _int_arg("candidates", candidates, 1)
    refine_top = _int_arg("refine_top", refine_top, 1)
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, (int, float))
        or not learning_rate > 0
    ):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if max_exact is None:
        max_exact = max(1, space.size // 10)
    max_exact = _int_arg("max_exact", max_exact, 1)
    budget = None if area_budget_mm2 is None else float(area_budget_mm2)
    return (space, seed, steps, restarts, exact_every, candidates, refine_top, max_exact, budget)


class _Budgeted:
    """Exact evaluations under the search's budget: only feasible points not evaluated yet,
    at most ``max_exact`` distinct ones in all."""

    def __init__(self, ev: ExactEvaluator, max_exact: int, objective: str, budget):
        self.ev, self.max_exact, self.objective, self.budget = ev, max_exact, objective, budget

    @property
    def room(self) -> int:
        return self.max_exact - self.ev.count

    def feasible(self, p) -> bool:
        return _feasible(self.ev, p, self.objective, self.budget)

    def evaluate(self, points) -> None:
        todo = [p for p in dict.fromkeys(points) if p not in self.ev.cache and self.feasible(p)]
        if self.room > 0 and todo:
            self.ev(todo[: self.room])


def _descents(rel: Relaxation, objective, budget, seed, steps, restarts, learning_rate) -> dict:
    """Phase 1: one projected descent per sparse exploit, restarts vmapped; the dense design
    competes with its exact (parameter-free) relaxed loss. ``exploit -> (thetas [steps + 1, B,
    3], losses [steps + 1, B])``."""
    space = rel.space
    rng = np.random.default_rng(seed)
    runs = {}
    for e in space.sparse_exploits:
        lo, hi = space.bounds(e)
        theta0 = (lo + rng.random((restarts, 3)) * (hi - lo)).astype(np.float32)
        runs[e] = _descend(rel, e, theta0, objective, budget, learning_rate, steps)
    if "none" in space.exploits:
        dense_loss = float(rel.loss("none", np.zeros(3, np.float32), objective, budget))
        runs["none"] = (
            np.zeros((steps + 1, 1, 3), np.float32),
            np.full((steps + 1, 1), dense_loss, np.float32),
        )
    return runs


def _incumbents(rel: Relaxation, runs: dict, steps: int, objective, budget) -> tuple:
    """Phase 2: per step, the iterate with the lowest relaxed loss over exploits and restarts,
    ``(exploit, theta, rounding)``, and its relaxed objective in natural units."""
    inc = []
    for s in range(steps + 1):
        e, r = min(
            ((e, int(np.argmin(runs[e][1][s]))) for e in runs),
            key=lambda er: runs[er[0]][1][s, er[1]],
        )
        theta = runs[e][0][s, r]
        point = DesignPoint("none") if e == "none" else rel.space.round(e, theta)
        inc.append((e, theta, point))
    relaxed_vals = [
        float(value_from_loss(runs[e][1][s].min(), objective, float(rel.area(e, t)), budget))
        for s, (e, t, _) in enumerate(inc)
    ]
    return inc, relaxed_vals


def _rank_candidates(
    rel: Relaxation, runs: dict, steps: int, exact: _Budgeted, objective, budget
) -> tuple:
    """Phase 3: the integer corners around every restart's final and best iterates (and the
    dense design), feasible ones only, ranked by the relaxed loss. Returns ``(scores: point ->
    relaxed loss, ranked points)``."""
    space = rel.space
    cands = []
    for e in space.sparse_exploits:
        thetas, losses = runs[e]
        for r in range(thetas.shape[1]):
            for s in (steps, int(np.argmin(losses[:, r]))):
                cands += space.neighbours(e, thetas[s, r])
    if "none" in space.exploits:
        cands.append(DesignPoint("none"))
    cands = [p for p in dict.fromkeys(cands) if exact.feasible(p)]
    score = _relaxed_scores(rel, cands, objective, budget)
    ranked = [p for _, p in sorted(zip(score, cands), key=lambda sp: sp[0])]
    return dict(zip(cands, score)), ranked


def _refine(rel: Relaxation, exact: _Budgeted, scores: dict, ranked: list, refine_top: int) -> None:
    """Phase 4: refinement around the best exact designs while evaluations remain (module
    doc). ``scores`` (point -> relaxed loss) is extended in place."""
    ev, space, objective, budget = exact.ev, rel.space, exact.objective, exact.budget

    def relaxed_of(points):
        new = [p for p in points if p not in scores]
        scores.update(zip(new, _relaxed_scores(rel, new, objective, budget)))
        return [scores[p] for p in points]

    while ev.count < exact.max_exact:
        done = [
            (p, m) for p, m in ev.cache.items() if exact_value(m, objective, budget) is not None
        ]
        if not done:
            todo = [p for p in ranked if p not in ev.cache]
            if not todo:
                break
            exact.evaluate(todo[:1])
            continue
        exact_loss = {p: float(relaxed_loss(m, objective, budget)) for p, m in done}
        # the most favourable relaxed-vs-exact discrepancy seen so far
        offset = min(exact_loss[p] - r for p, r in zip(exact_loss, relaxed_of(list(exact_loss))))
        best_loss = min(exact_loss.values())
        top = sorted(exact_loss, key=exact_loss.get)
        # first: the best design's axis neighbours, all of them (a local-optimum check) ...
        near = [q for q in _neighbours_of(space, top[0]) if q not in ev.cache and exact.feasible(q)]
        # ... then the cubes around the best few, where a neighbour could still win
        for p in [] if near else top[:refine_top]:
            near = [
                q
                for q in _neighbours_of(space, p, diagonal=True)
                if q not in ev.cache and exact.feasible(q)
            ]
            near = [q for q, r in zip(near, relaxed_of(near)) if r + offset < best_loss]
            if near:
                break
        if not near:
            break
        near_scores = relaxed_of(near)
        exact.evaluate([q for _, q in sorted(zip(near_scores, near), key=lambda sq: sq[0])][:2])


def _history(inc, relaxed_vals, checkpoints, ev: ExactEvaluator, objective, budget) -> list:
    """Phase 5: one ``HistoryRow`` per descent step (exact values at the checkpoints)."""
    history = []
    for s, ((e, theta, point), rv) in enumerate(zip(inc, relaxed_vals)):
        exact = math.nan
        if s in checkpoints and point in ev.cache:
            v = exact_value(ev.cache[point], objective, budget)
            exact = math.nan if v is None else v
        history.append(
            HistoryRow(
                step=s,
                exploit=e,
                theta=tuple(float(x) for x in theta),
                relaxed=float(rv),
                design=point.label,
                exact=exact,
            )
        )
    return history


def _relaxed_scores(rel: Relaxation, points, objective, budget) -> list[float]:
    """Relaxed loss (lower is better) of integer points."""
    out = [0.0] * len(points)
    by_ex: dict = {}
    for i, p in enumerate(points):
        by_ex.setdefault(p.exploit, []).append(i)
    for e, idx in by_ex.items():
        m = rel.batch_metrics(e, np.array([points[i].theta for i in idx], np.float32))
        loss = np.asarray(relaxed_loss(m, objective, budget))
        for j, i in enumerate(idx):
            out[i] = float(loss[j])
    return out


# -- baselines ------------------------------------------------------------------------------------
def random_search(
    evaluator: ExactEvaluator,
    objective: str,
    n_evals: int,
    seed: int = 0,
    area_budget_mm2: float | None = None,
) -> SearchResult:
    """Best of ``n_evals`` distinct designs drawn uniformly from the space (designs over the
    area budget are never drawn: area is free, as in the gradient search)."""
    check_objective(objective, area_budget_mm2)
    n_evals = _int_arg("n_evals", n_evals, 1)
    ev = evaluator.fresh()
    pool = [p for p in ev.space.points() if _feasible(ev, p, objective, area_budget_mm2)]
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(pool), size=min(n_evals, len(pool)), replace=False)
    ev([pool[i] for i in pick])
    return _result("random", ev, objective, area_budget_mm2, seed=seed)


def tpe_search(
    evaluator: ExactEvaluator,
    objective: str,
    n_evals: int,
    seed: int = 0,
    area_budget_mm2: float | None = None,
    max_trials: int | None = None,
) -> SearchResult:
    """Optuna's TPE sampler until ``n_evals`` distinct designs were evaluated exactly (repeated
    proposals are answered from the cache; designs over the area budget are answered with a
    penalty without an exact evaluation). Needs the optional ``optuna`` package (extra
    ``search``)."""
    check_objective(objective, area_budget_mm2)
    n_evals = _int_arg("n_evals", n_evals, 1)
    try:
        import optuna
    except ImportError as e:
        raise ImportError("tpe_search needs optuna: pip install 'griffin_jax[search]'") from e
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    max_trials = 20 * n_evals if max_trials is None else _int_arg("max_trials", max_trials, 1)
    ev = evaluator.fresh()
    space = ev.space
    sign = -1.0 if MAXIMISE[objective] else 1.0
    worst = {"v": None}

    def point_of(trial):
        e = trial.suggest_categorical("exploit", list(space.exploits))
        t = trial.suggest_int("time", *space.time)
        l = trial.suggest_int("lane", *space.lane)
        g = trial.suggest_int("group", *space.group)
        if e == "none":
            return DesignPoint("none")
        lo, hi = space.bounds(e)
        return space.canonical(e, t, l, int(min(max(g, lo[2]), hi[2])))

    def target(trial):
        p = point_of(trial)
        if not _feasible(ev, p, objective, area_budget_mm2):
            # worse than anything feasible seen so far, and no exact evaluation spent
            return 0.0 if worst["v"] is None else worst["v"] + abs(worst["v"]) + 1.0
        v = sign * float(ev([p])[0].value(objective))
        worst["v"] = v if worst["v"] is None else max(worst["v"], v)
        return v

    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    for _ in range(max_trials):
        if ev.count >= min(n_evals, space.size):
            break
        study.optimize(target, n_trials=1)
    return _result("tpe", ev, objective, area_budget_mm2, seed=seed)


def exhaustive(
    evaluator: ExactEvaluator, objective: str, area_budget_mm2: float | None = None
) -> SearchResult:
    """Evaluate every design of the space exactly; the optimum is ``best``."""
    check_objective(objective, area_budget_mm2)
    evaluator(evaluator.space.points())
    return _result("exhaustive", evaluator, objective, area_budget_mm2)
