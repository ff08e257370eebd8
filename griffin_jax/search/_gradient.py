"""Search a design space: optax descent on the relaxation, then exact re-evaluation.

``run_search`` (the gradient search), one function per phase:

1. ``_descents``: for every sparse exploit of the space (a categorical choice: one descent per
   exploit), start ``restarts`` points uniformly at random inside the exploit's bounds and follow
   ``optax.adam`` on the relaxed loss (``_objective.relaxed_loss``) for ``steps`` steps,
   projecting (clipping) onto the bounds after every step; all restarts of one exploit take each
   step as one ``vmap``-ed compiled program (``_step``). The dense design (``exploit="none"``),
   when in the space, has no parameter: its relaxed value is exact and it competes as is.
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

Every exact evaluation goes through one ``ExactEvaluator`` (``_evaluator``), which caches by
design point and counts distinct designs: ``SearchResult.n_exact`` is that count, and the budget
``max_exact`` bounds it.

A second search in the same process compiles nothing new: ``_step``'s static arguments hash by
value and its data is traced (one program per exploit and mix shapes, for every seed, objective,
budget, learning rate and step count), and the mix's relaxation and exact evaluator are reused
by value (``_reuse``).
"""

from __future__ import annotations

import functools
import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

from griffin_jax.cost._tech import load_tech
from griffin_jax.search import _reuse
from griffin_jax.search._evaluator import (
    Budgeted,
    ExactEvaluator,
    check_budget_fits,
    exact_value,
)
from griffin_jax.search._objective import (
    OBJECTIVES,
    check_objective,
    relaxed_loss,
    value_from_loss,
)
from griffin_jax.search._relax import TRACE_COUNT, Relaxation, relaxed_metrics, space_maxima
from griffin_jax.search._result import HistoryRow, SearchResult, int_arg, search_result
from griffin_jax.search._space import DesignPoint, Space
from griffin_jax.search._tiles import check_workloads

# -- the descent ----------------------------------------------------------------------------------
_OPT = optax.chain(optax.zero_nans(), optax.inject_hyperparams(optax.adam)(learning_rate=0.1))


@functools.partial(jax.jit, static_argnames=("exploit", "core", "prices", "maxima"))
def _step(data, theta, state, lo, hi, objective, budget, *, exploit, core, prices, maxima):
    """One projected Adam step on ``theta [B, 3]``: the new iterates (clipped onto the bounds),
    the new state and the relaxed losses at ``theta``. ``objective`` (index in ``OBJECTIVES``),
    ``budget`` and the learning rate (in ``state``) are traced: one compile per exploit serves
    every objective, seed and step count; the static arguments hash by value (equal ones from
    another ``relax`` call hit the cache)."""
    TRACE_COUNT["step"] += 1

    def loss_fn(t):
        return relaxed_loss(
            relaxed_metrics(data, t, exploit, core, prices, *maxima), objective, budget
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
    args = dict(
        exploit=exploit, core=rel.space.core, prices=rel.prices, maxima=space_maxima(rel.space)
    )
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
        Without them the search reuses those of its last few calls on an equal mix, space and
        technology (kept by value); pass them to share a table built elsewhere (e.g. by
        ``exhaustive``).
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
    if evaluator is None or relaxation is None:
        # kept by value between calls (``_reuse``): the same as passing them, without the caller
        # holding on to them
        tech, mix = load_tech(tech), check_workloads(workloads)
        if evaluator is None:
            evaluator = _reuse.evaluator_for(mix, space, tech)
        if relaxation is None:
            relaxation = _reuse.relaxation_for(mix, space, tech, max_tiles)
    ev, rel = evaluator.fresh(), relaxation
    check_budget_fits(ev, objective, budget)
    exact = Budgeted(ev, max_exact, objective, budget)

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
    return search_result("gradient", ev, objective, budget, history, seed)


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
    seed = int_arg("seed", seed, 0)
    steps = int_arg("steps", steps, 1)
    restarts = int_arg("restarts", restarts, 1)
    exact_every = int_arg("exact_every", exact_every, 0)
    candidates = int_arg("candidates", candidates, 1)
    refine_top = int_arg("refine_top", refine_top, 1)
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, (int, float))
        or not learning_rate > 0
    ):
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    if max_exact is None:
        max_exact = max(1, space.size // 10)
    max_exact = int_arg("max_exact", max_exact, 1)
    budget = None if area_budget_mm2 is None else float(area_budget_mm2)
    return (space, seed, steps, restarts, exact_every, candidates, refine_top, max_exact, budget)


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
    rel: Relaxation, runs: dict, steps: int, exact: Budgeted, objective, budget
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


def _refine(rel: Relaxation, exact: Budgeted, scores: dict, ranked: list, refine_top: int) -> None:
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
