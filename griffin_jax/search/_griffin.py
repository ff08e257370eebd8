"""Griffin's wiring searched by gradient, with an objective over the four model categories.

The derivation (``study.derive_griffin``, docs/model.md 5.2) scores wirings on a grid. This
search reaches wirings outside it, for the derivation to add as candidates.

**Objective** (``balanced``, the derivation's rule 3): the geometric mean, over the four
categories and the workloads (each made a model of the category), of the total TOPS/W of
Griffin wired with ``box(time, lane, group)`` relative to the dense core's. Griffin is
``design.griffin(core, wiring, reuse=reuse)``: default modes and choices, ``cost.evaluate``
running the least-energy choice per network, exactly as the derivation builds it.

**Relaxation** (one ``Relaxation`` per category and workload): Griffin in a category is the
best (highest relaxed TOPS/W) of its mode choices, each the fixed design of the mode's exploit
at the box parameters of its window, priced on the wiring's hardware (its area, and its core's
leakage: ``relaxed_metrics(..., hardware=("AW", theta))``):

* ``AW``: AW at ``theta``; ``A``: A or AW at ``theta``;
* ``W``: W at ``(2 d1, d2, 0)`` (the reuse window, with ``reuse``), W at ``(d1, d2, 0)`` (the
  wiring's ``dg = 0`` offsets), or AW at ``theta``;
* ``dense``: the dense schedule, on the wiring's hardware.

What the relaxation leaves out (the exact evaluation prices it): the modes' gating, the
reconfiguration overheads (W frame selector widening, reuse staging and selects) and the mode
muxes' real fan-in (a mode's mux energy is that of its own fixed design). The maximum over the
choices makes the objective piecewise smooth: its gradient is the best choice's.

**Search**: projected Adam from ``restarts`` random starting wirings (vmapped), the integer
corners around every restart's last and best iterate ranked by the relaxed objective, the best
``candidates`` evaluated exactly, then the untried one-axis neighbours of the best exact wiring,
best relaxed first, until one round finds nothing better or ``max_exact`` wirings have been
evaluated.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import time
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from griffin_jax.cost._evaluate import evaluate
from griffin_jax.cost._prices import prices
from griffin_jax.cost._tech import load_tech
from griffin_jax.design._core import Core, Window
from griffin_jax.design._griffin import DEFAULT_CORE, griffin
from griffin_jax.design._point import BOX_GRID
from griffin_jax.design._presets import dense
from griffin_jax.search._relax import relax, relaxed_metrics
from griffin_jax.search._space import SEARCH_RANGE, Space
from griffin_jax.sim._options import SimOptions
from griffin_jax.workloads._workload import CATEGORIES, Workload, as_workloads

# The exploits each category's relaxation needs (its mode choices).
_EXPLOITS = {"dense": ("none",), "W": ("W", "AW"), "A": ("A", "AW"), "AW": ("AW",)}


def _choices(category: str, theta, reuse: bool) -> list:
    """``(exploit, theta)`` of each mode choice of Griffin wired with ``box(theta)``."""
    if category == "dense":
        return [("none", theta)]
    if category == "A":
        return [("A", theta), ("AW", theta)]
    if category == "AW":
        return [("AW", theta)]
    own = theta * jnp.array([1.0, 1.0, 0.0], theta.dtype)
    out = [("W", own), ("AW", theta)]
    if reuse:
        out.insert(0, ("W", theta * jnp.array([2.0, 1.0, 0.0], theta.dtype)))
    return out


@functools.partial(jax.jit, static_argnames=("cat", "core", "prices", "maxima", "reuse"))
def _pair_value_grad(data, thetas, *, cat, core, prices, maxima, reuse):
    """Relaxed ``log`` TOPS/W of Griffin wired with ``box(theta)`` on one (category, workload)
    pair at each of ``thetas [B, 3]``, and its gradient ``[B, 3]``. One program per pair:
    a single program over every pair compiles for minutes at network scale."""

    def f(theta):
        best = None
        for exploit, t in _choices(cat, theta, reuse):
            m = relaxed_metrics(
                data[exploit], t, exploit, core, prices, *maxima, hardware=("AW", theta)
            )
            v = jnp.log(m.ops) - jnp.log(m.energy_pj)
            best = v if best is None else jnp.maximum(best, v)
        return best

    return jax.vmap(jax.value_and_grad(f))(thetas)


def _mean_logs(datas, cats, thetas, static, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the pairs of the relaxed log TOPS/W at ``thetas [n, 3]`` and its gradient,
    in calls of ``batch`` thetas (one batch shape: one compile per pair)."""
    thetas = np.asarray(thetas, np.float32).reshape(-1, 3)
    n = thetas.shape[0]
    total = -(-n // batch) * batch
    padded = np.concatenate([thetas, np.repeat(thetas[-1:], total - n, 0)], 0)
    vals, grads = np.zeros(total), np.zeros((total, 3))
    for data, cat in zip(datas, cats):
        for i in range(0, total, batch):
            v, g = _pair_value_grad(data, jnp.asarray(padded[i : i + batch]), cat=cat, **static)
            vals[i : i + batch] += np.asarray(v, np.float64)
            grads[i : i + batch] += np.asarray(g, np.float64)
    return vals[:n] / len(cats), grads[:n] / len(cats)


_OPT = optax.chain(optax.zero_nans(), optax.adam(learning_rate=0.25))


@dataclasses.dataclass(frozen=True)
class GriffinSearch:
    """A Griffin wiring search's result.

    Fields:
      best: the best wiring found (exact score); ``best_score`` its score.
      rows: one dict per exactly evaluated wiring, in evaluation order: ``wiring``, ``time``,
        ``lane``, ``group``, ``phase`` (``"gradient"`` or ``"refine"``), ``relaxed_score``,
        ``score`` (exact), ``area_mm2``, ``in_grid`` (``design.BOX_GRID`` holds it) and the
        geometric-mean TOPS/W per category (``tops_per_w_<category>``).
      n_exact: wirings evaluated exactly; ``space_size``: wirings in the searched box.
      bounds: ``{"time", "lane", "group"}`` inclusive ranges searched.
      seconds: ``{"relax", "descent", "exact"}`` wall times.
    """

    best: Window
    best_score: float
    rows: tuple
    n_exact: int
    space_size: int
    bounds: dict
    seconds: dict

    @property
    def best_in_grid(self) -> bool:
        """Whether ``design.BOX_GRID`` (the derivation's default grid) holds the best wiring."""
        return next(r["in_grid"] for r in self.rows if r["wiring"] == self.best.label())


def _in_grid(t: int, lane: int, g: int) -> bool:
    return t in BOX_GRID["time"] and lane in BOX_GRID["lane"] and g in BOX_GRID["group"]


class _Exact:
    """Exact scores of wirings (cached): Griffin and the dense core on every pair."""

    def __init__(self, fitted, core, tech, sim, reuse):
        self.workloads, self.core, self.tech, self.sim, self.reuse = fitted, core, tech, sim, reuse
        base = dense(core)
        self.dense = {
            c: [evaluate([base], c, wl, tech, sim=sim)[0].tops_per_w for wl in fitted[c]]
            for c in CATEGORIES
        }
        self.cache: dict = {}

    def dense_log_mean(self) -> float:
        return float(np.mean([math.log(v) for c in CATEGORIES for v in self.dense[c]]))

    def __call__(self, key: tuple) -> dict:
        if key not in self.cache:
            acc = griffin(self.core, Window.box(*key), name=f"griffin[{key}]", reuse=self.reuse)
            logs, row = [], {}
            for c in CATEGORIES:
                reps = [
                    evaluate([acc], c, wl, self.tech, sim=self.sim)[0] for wl in self.workloads[c]
                ]
                logs += [
                    math.log(r.tops_per_w / d) for r, d in zip(reps, self.dense[c], strict=True)
                ]
                row[f"tops_per_w_{c}"] = math.exp(
                    math.fsum(math.log(r.tops_per_w) for r in reps) / len(reps)
                )
                row["area_mm2"] = reps[0].area_mm2
            row["score"] = math.exp(math.fsum(logs) / len(logs))
            self.cache[key] = row
        return self.cache[key]


def search_griffin(
    workloads: Sequence,
    core: Core | None = None,
    tech="horowitz45",
    *,
    time_range=SEARCH_RANGE["time"],
    lane_range=SEARCH_RANGE["lane"],
    group_range=SEARCH_RANGE["group"],
    reuse: bool = True,
    seed: int = 0,
    steps: int = 30,
    restarts: int = 3,
    candidates: int = 4,
    max_exact: int = 12,
    max_tiles: int | None = 4,
    sim: SimOptions | None = None,
) -> GriffinSearch:
    """Search Griffin's wiring ``box(time, lane, group)`` for the four-category objective
    (module doc).

    Args:
      workloads: ``Workload`` s; each stands for a model of every category (its masks are made
        to fit each, as the derivation does).
      core: the geometry (default 8 x 8 x 16); tech: ``Tech`` or config name.
      time_range, lane_range, group_range: inclusive ``(low, high)`` wiring bounds (default:
        the search's ``SEARCH_RANGE``, wider than the derivation's grid along time and lane).
      reuse: Griffin with resource reuse (``griffin``) or without (``griffin_noreuse``).
      seed, steps, restarts: the descent's random starts and length.
      candidates: rounded wirings evaluated exactly after the descent; max_exact: the budget of
        exact wiring evaluations (each runs Griffin and its choices on every pair).
      max_tiles: tiles per layer the relaxation schedules (``relax``); sim: ``SimOptions`` of
        the exact evaluations.
    Returns: ``GriffinSearch``.
    """
    core = DEFAULT_CORE if core is None else core
    if not isinstance(core, Core):
        raise ValueError(f"core must be a Core, got {type(core).__name__}")
    for name, v, low in (
        ("steps", steps, 1),
        ("restarts", restarts, 1),
        ("candidates", candidates, 1),
        ("max_exact", max_exact, 1),
        ("seed", seed, 0),
    ):
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise ValueError(f"{name} must be an int >= {low}, got {v!r}")
    wls = list(as_workloads(workloads))
    if not wls:
        raise ValueError("workloads must hold at least one workload")
    tech = load_tech(tech)
    # the wiring space is the search's AW space: its checks, bounds and size
    wirings = Space(
        core=core, exploits=("AW",), time=time_range, lane=lane_range, group=group_range
    )
    lo, hi = wirings.bounds("AW")
    t0 = time.time()
    # the relaxation's depth covers the reuse window (twice the wiring's depth)
    depth = int(hi[0]) * (2 if reuse else 1)
    lane_hi, group_hi = int(hi[1]), max(int(hi[2]), 0)
    # every workload as a model of every category, masks made once
    fitted = {
        c: [Workload(wl.name, tuple(wl.for_category(c)), c) for wl in wls] for c in CATEGORIES
    }
    pairs, cats = [], []
    for c in CATEGORIES:
        space = Space(
            core=core,
            exploits=_EXPLOITS[c],
            time=(1, depth),
            lane=(0, lane_hi),
            group=(0, group_hi),
        )
        for wl in fitted[c]:
            rel = relax([wl], space, tech, max_tiles=max_tiles)
            pairs.append(rel.data)
            cats.append(c)
    static = dict(
        core=core,
        prices=prices(tech, core.lanes),
        maxima=(lane_hi, group_hi, depth),
        reuse=reuse,
    )
    datas, cats = tuple(pairs), tuple(cats)
    t_relax = time.time() - t0

    def relaxed(thetas) -> np.ndarray:
        return _mean_logs(datas, cats, thetas, static, restarts)[0]

    # descent
    t0 = time.time()
    rng = np.random.default_rng(seed)
    theta = rng.uniform(lo, hi, size=(restarts, 3)).astype(np.float32)
    state = _OPT.init(jnp.asarray(theta))
    best_val = np.full(restarts, np.inf)
    best_theta = theta.copy()
    for _ in range(steps + 1):  # the last round only scores the final iterate
        val, grad = _mean_logs(datas, cats, theta, static, restarts)
        loss = -val
        better = loss < best_val
        best_val = np.where(better, loss, best_val)
        best_theta[better] = theta[better]
        updates, state = _OPT.update(jnp.asarray(-grad, jnp.float32), state, jnp.asarray(theta))
        theta = np.clip(np.asarray(optax.apply_updates(jnp.asarray(theta), updates)), lo, hi)
    ends = np.concatenate([theta, best_theta])
    corners = {
        tuple(int(v) for v in np.clip(np.where(pick, np.ceil(t), np.floor(t)), lo, hi))
        for t in ends
        for pick in itertools.product((False, True), repeat=3)
    }
    corners = sorted(corners)
    t_descent = time.time() - t0

    # exact evaluation
    t0 = time.time()
    exact = _Exact(fitted, core, tech, sim, reuse)
    dense_mean = exact.dense_log_mean()
    rel_score = dict(zip(corners, np.exp(relaxed(corners) - dense_mean)))
    rows: list = []

    def run(keys, phase):
        for k in keys:
            if len(rows) >= max_exact:
                return
            r = exact(k)
            rows.append(
                {
                    "wiring": Window.box(*k).label(),
                    "time": k[0],
                    "lane": k[1],
                    "group": k[2],
                    "phase": phase,
                    "relaxed_score": float(rel_score[k]),
                    "in_grid": _in_grid(*k),
                    **r,
                }
            )

    run(sorted(corners, key=lambda k: -rel_score[k])[:candidates], "gradient")
    while len(rows) < max_exact:
        best = max(exact.cache, key=lambda k: exact.cache[k]["score"])
        todo = [k for k in _neighbours(best, lo, hi) if k not in exact.cache]
        if not todo:
            break
        new_rel = np.exp(relaxed(todo) - dense_mean)
        rel_score.update(zip(todo, new_rel))
        before = exact.cache[best]["score"]
        run([todo[i] for i in np.argsort(-new_rel)], "refine")
        if max(r["score"] for r in exact.cache.values()) <= before:
            break
    t_exact = time.time() - t0
    best = max(exact.cache, key=lambda k: exact.cache[k]["score"])
    return GriffinSearch(
        best=Window.box(*best),
        best_score=exact.cache[best]["score"],
        rows=tuple(rows),
        n_exact=len(rows),
        space_size=wirings.size,
        bounds={
            "time": (int(lo[0]), int(hi[0])),
            "lane": (int(lo[1]), int(hi[1])),
            "group": (int(lo[2]), int(hi[2])),
        },
        seconds={"relax": t_relax, "descent": t_descent, "exact": t_exact},
    )


def _neighbours(k, lo, hi) -> list:
    out = []
    for axis in range(3):
        for d in (-1, 1):
            v = list(k)
            v[axis] += d
            if lo[axis] <= v[axis] <= hi[axis]:
                out.append(tuple(v))
    return out


__all__ = ["GriffinSearch", "search_griffin"]
