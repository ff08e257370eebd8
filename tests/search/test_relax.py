"""The relaxation: exact formulas at integer points, exact time-only schedules, rank tracking,
finite gradients, input validation."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.cost import selector_levels
from griffin_jax.search import (
    OBJECTIVES,
    DesignPoint,
    ExactEvaluator,
    Space,
    rank_correlation,
    relax,
    relaxed_area,
    relaxed_loss,
)
from griffin_jax.search._relax import TRACE_COUNT, layer_energy_terms
from griffin_jax.search._tiles import EVENT_FIELDS

TECH = cost.load_tech("horowitz45")
CORE = gj.Core(4, 4, 8)
# M divisible by C and N by R: the cost model's integer scalings of busy cycles are then exact.
SPACE = Space(core=CORE, exploits=("none", "A", "W", "AW"), time=(1, 3), lane=(0, 1), group=(0, 1))


@functools.cache
def tiny():
    """One small GEMM as a one-workload mix, its exhaustive exact table and its relaxation."""
    rng = np.random.default_rng(7)
    a = rng.random((16, 24)) < 0.5
    w = rng.random((24, 8)) < 0.5
    mix = [("tiny", [("fc", a, w, 2)], "AW", 1.5)]
    ev = ExactEvaluator(mix, SPACE)
    ev(SPACE.points())
    return mix, ev, relax(mix, SPACE)


def test_relaxed_area_equals_the_cost_model_at_every_integer_point():
    k = cost.prices(TECH, CORE.lanes)
    for p in Space(core=CORE, time=(1, 4), lane=(0, 3), group=(0, 2)).points():
        exact = math.fsum(cost.area_breakdown(p.accelerator(CORE), TECH).values())
        assert relaxed_area(p.exploit, p.theta, CORE, k) == pytest.approx(exact, rel=1e-9)


def test_selector_levels_interpolate_ceil_log2():
    f = np.arange(1, 70)
    got = np.asarray(selector_levels(jnp.asarray(f, jnp.float32)))
    assert np.array_equal(got, [math.ceil(math.log2(x)) if x > 1 else 0 for x in f])
    mid = float(selector_levels(jnp.float32(4.25)))  # between levels 2 (F = 4) and 3 (F = 5)
    assert mid == pytest.approx(2.25)


@pytest.mark.parametrize(
    "point",
    [
        DesignPoint("A", 2, 1, 1),
        DesignPoint("W", 3, 0, 1),
        DesignPoint("AW", 1, 1, 1),
        DesignPoint("AW", 3, 1, 0),
        DesignPoint("none"),
    ],
)
def test_energy_formulas_equal_the_cost_model_given_exact_schedule_counts(point):
    mix, _, _ = tiny()
    _, a, w, _ = mix[0][1][0]
    design = point.design(CORE)
    acc = point.accelerator(CORE)
    report = cost.layer_costs([acc], "AW", a, w, TECH)[0]
    ev = cost.layer_events(design, a, w, bits=TECH.operand_bits)
    evd = {f: float(getattr(ev, f)) for f in EVENT_FIELDS}
    k = cost.prices(TECH, CORE.lanes)
    if point.exploit == "none":
        cycles, busy, trees, rows = ev.analytic_cycles, 0.0, 0.0, 0.0
    else:
        act = gj.gemm_activity_batch([design], a, w)
        cycles, busy = float(act.cycles[0]), float(act.busy_group_cycles[0])
        trees, rows = float(act.tree_group_cycles[0].sum()), float(act.row_cycles[0])
    theta = jnp.asarray(point.theta, jnp.float32)
    area = relaxed_area(point.exploit, point.theta, CORE, k, core_only=True)
    energy = float(
        layer_energy_terms(point.exploit, theta, evd, cycles, busy, trees, rows, CORE, k, area)
    )
    assert energy == pytest.approx(report.energy_pj, rel=1e-5)


def test_time_only_windows_are_exact():
    _, ev, rel = tiny()
    pts = [p for p in SPACE.points() if p.exploit != "none" and p.lane == 0 and p.group == 0]
    assert len(pts) == 3 * 3
    for p, m in zip(pts, rel.point_metrics(pts)):
        assert abs(m.cycles - ev.cache[p].cycles) < 0.5, p.label
    dense = rel.point_metrics([DesignPoint("none")])[0]
    assert dense.energy_pj == pytest.approx(ev.cache[DesignPoint("none")].energy_pj, rel=1e-5)


@pytest.mark.parametrize(
    "objective, min_rho", [("tops_per_w", 0.9), ("edp", 0.8), ("speedup", 0.85)]
)
def test_relaxed_objective_tracks_the_exact_one(objective, min_rho):
    # Stated tolerance on this tiny, coarse GEMM (3 steps per tile, so cycle counts take few
    # values, and a 4-group axis that two hops of borrowing already cover): Spearman >= min_rho
    # over the whole space, relative error <= 50% everywhere (the spread model errs optimistic
    # here). docs/search.md reports network-scale mixes. The cost model v2 made energy follow
    # cycles more closely (SRAM leakage, docs/model.md 4.1), so the relaxed cycle error shows
    # more in TOPS/W and EDP: measured 0.94 and 0.849 here (0.96 and 0.86 under v1).
    _, ev, rel = tiny()
    pts = SPACE.points()
    exact = [getattr(ev.cache[p], objective) for p in pts]
    relaxed = [getattr(m, objective) for m in rel.point_metrics(pts)]
    assert rank_correlation(exact, relaxed) >= min_rho
    err = np.abs(np.array(relaxed) / np.array(exact) - 1.0)
    assert err.max() <= 0.5


def test_gradients_are_finite_and_informative():
    _, _, rel = tiny()
    seen_nonzero = set()
    for e in SPACE.sparse_exploits:
        # one compiled gradient per exploit; objective index and budget are traced
        grad = jax.jit(jax.grad(lambda t, o, b: relaxed_loss(rel.metrics(e, t), o, b)))
        for obj in range(len(OBJECTIVES)):
            for theta in ([1.4, 0.3, 0.6], [2.7, 0.8, 0.2]):
                g = np.asarray(
                    grad(jnp.asarray(theta, jnp.float32), jnp.int32(obj), jnp.float32(0.3))
                )
                assert np.isfinite(g).all(), (e, OBJECTIVES[obj], theta)
                seen_nonzero |= {i for i in range(3) if g[i] != 0.0}
    assert seen_nonzero == {0, 1, 2}  # every parameter moves the objective somewhere


def test_sampled_tiles_scale_to_the_layer():
    mix, _, rel = tiny()
    few = relax(mix, SPACE, max_tiles=2)
    p = [DesignPoint("AW", 2, 1, 0)]
    full, samp = rel.point_metrics(p)[0], few.point_metrics(p)[0]
    assert samp.dense_cycles == full.dense_cycles and samp.ops == full.ops
    assert samp.cycles == pytest.approx(full.cycles, rel=0.3)
    with pytest.raises(ValueError, match="max_tiles"):
        relax(mix, SPACE, max_tiles=0)


def test_bad_inputs_raise_naming_the_field():
    mix, _, rel = tiny()
    with pytest.raises(ValueError, match="objective"):
        rel.loss("AW", [1.0, 0.0, 0.0], "speed")
    with pytest.raises(ValueError, match="area_budget_mm2"):
        rel.loss("AW", [1.0, 0.0, 0.0], "perf_under_area")
    with pytest.raises(ValueError, match="area_budget_mm2"):
        rel.loss("AW", [1.0, 0.0, 0.0], "edp", 1.0)
    with pytest.raises(ValueError, match="space"):
        relax(mix, space="default")


def test_an_equal_relaxation_built_again_compiles_nothing():
    mix, _, rel = tiny()
    p = [DesignPoint("W", 2, 1, 1), DesignPoint("none")]
    want = rel.point_metrics(p)
    float(rel.loss("AW", [1.5, 0.5, 0.5], "edp"))
    before = dict(TRACE_COUNT)
    # a new relaxation of an equal mix: new Prices and data objects, equal values and shapes
    again = relax(
        [(n, [(ln, a.copy(), w.copy(), m) for ln, a, w, m in ls], c, wt) for n, ls, c, wt in mix],
        SPACE,
    )
    assert again.prices == rel.prices and again.prices is not rel.prices
    assert again.point_metrics(p) == want
    float(again.loss("AW", [1.5, 0.5, 0.5], "edp"))
    assert dict(TRACE_COUNT) == before
