"""cost.evaluate / layer_costs: one per-layer loop, one schedule per distinct design, the
workload vocabulary accepted in every form."""

import dataclasses
import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.cost import _evaluate
from griffin_jax.design._presets import custom
from griffin_jax.workloads import GemmLayer, Workload

CORE = gj.Core(4, 4, 8)


def _layers(rng):
    return [
        GemmLayer(f"l{i}", rng.random((8, 20)) < 0.5, rng.random((20, 6)) < 0.4, i + 1)
        for i in range(2)
    ]


def _accels():
    return [
        custom("a1", CORE, "AW", gj.Window.box(1, 1)),
        custom("a2", CORE, "AW", gj.Window.box(1, 1)),  # same design, another name
        custom("a3", CORE, "A", gj.Window.box(2)),
        custom("dense", CORE, "none"),
    ]


def test_each_distinct_design_is_scheduled_once(rng, monkeypatch):
    seen = []
    real = _evaluate.gemm_activity_batch

    def spy(designs, a, w, **kw):
        seen.append(list(designs))
        return real(designs, a, w, **kw)

    monkeypatch.setattr(_evaluate, "gemm_activity_batch", spy)
    layer = _layers(rng)[0]
    reps = cost.layer_costs(_accels(), "AW", layer.a_mask, layer.w_mask)
    assert len(seen) == 1 and len(seen[0]) == 2  # the AW box once, the A box; dense: none
    assert len(set(seen[0])) == 2
    assert reps[0].cycles == reps[1].cycles and dict(reps[0].energy) == dict(reps[1].energy)


def test_layer_forms_agree_and_on_layer_sees_every_layer(rng):
    layers = _layers(rng)
    tuples = [(x.name, x.a_mask, x.w_mask, x.multiplicity) for x in layers]
    seen = []
    by_obj = cost.evaluate(_accels(), "A", layers, on_layer=lambda l, r: seen.append((l, r)))
    by_tuple = cost.evaluate(_accels(), "A", iter(tuples))
    by_wl = cost.evaluate(_accels(), "A", Workload("n", layers, "A"))
    for x, y, z in zip(by_obj, by_tuple, by_wl):
        assert x.cycles == y.cycles == z.cycles
        assert dict(x.energy) == dict(y.energy) == dict(z.energy)
    assert [l.name for l, _ in seen] == ["l0", "l1"]
    # the network is the multiplicity-weighted sum of what on_layer saw
    for i, net in enumerate(by_obj):
        assert net.cycles == sum(l.multiplicity * r[i].cycles for l, r in seen)
        assert net.energy_pj == pytest.approx(
            math.fsum(l.multiplicity * r[i].energy_pj for l, r in seen), rel=1e-12
        )


def test_evaluate_rejects_bad_layers(rng):
    a, w = _layers(rng)[0].a_mask, _layers(rng)[0].w_mask
    with pytest.raises(ValueError, match="multiplicity"):
        cost.evaluate(_accels(), "A", [("x", a, w, 0)])
    with pytest.raises(ValueError, match="at least one"):
        cost.evaluate(_accels(), "A", [])
    with pytest.raises(ValueError, match="category"):
        cost.evaluate(_accels(), "Q", [("x", a, w, 1)])


# -- pricing again without simulating (reprice / energy_of) ------------------------------------
def _priced_accels():
    return [
        custom("aw", CORE, "AW", gj.Window.box(1, 1)),
        custom("a", CORE, "A", gj.Window.box(2)),
        custom("w", CORE, "W", gj.Window.box(1, 1)),
        custom("dense", CORE, "none"),
        gj.design.preset("stc_2to4", CORE),
        gj.design.preset("griffin", CORE),
    ]


def _two_pattern_layers(rng):
    """One layer whose weights fit 2:4 and one whose do not (both structured_ok groups)."""
    w24 = np.zeros((16, 6), bool)
    w24[::4] = w24[1::4] = True
    return [
        GemmLayer("fits", rng.random((8, 16)) < 0.5, w24, 3),
        GemmLayer("dense_w", rng.random((8, 16)) < 0.5, rng.random((16, 6)) < 0.9, 2),
    ]


def _close(x, y, rel=1e-12):
    assert set(x) == set(y)
    for k in x:
        assert math.isclose(x[k], y[k], rel_tol=rel, abs_tol=1e-300), (k, x[k], y[k])


@pytest.mark.parametrize("category", ["AW", "W", "dense"])
def test_reprice_at_nominal_equals_evaluate(rng, category):
    # masks kept as drawn (fit=False): a 2:4 and a non-2:4 layer in every category
    reps = cost.evaluate(_priced_accels(), category, _two_pattern_layers(rng), fit=False)
    stc = reps[4]
    assert {c.structured_ok for c in stc.counts} == {False, True}
    for r in reps:
        again = cost.reprice(r, "horowitz45")
        _close(dict(again.energy), dict(r.energy))
        _close(dict(again.area), dict(r.area))
        assert again.cycles == r.cycles and again.clock_ghz == r.clock_ghz


def test_reprice_at_another_node_equals_evaluating_there(rng):
    layers = _two_pattern_layers(rng)
    nominal = cost.evaluate(_priced_accels(), "AW", layers)
    there = cost.evaluate(_priced_accels(), "AW", layers, "scaled16")
    for r, s in zip(nominal, there):
        again = cost.reprice(r, "scaled16")
        assert again.energy_pj != pytest.approx(r.energy_pj)  # the node does move it
        _close(dict(again.energy), dict(s.energy))
        _close(dict(again.area), dict(s.area))


def test_energy_is_linear_in_counts(rng):
    layers = _two_pattern_layers(rng)
    acc = custom("aw", CORE, "AW", gj.Window.box(1, 1))
    per_layer = [cost.evaluate([acc], "AW", [lay])[0] for lay in layers]
    p = cost.prices(cost.load_tech(), CORE.lanes)
    summed = cost.sum_counts(
        [c for r in per_layer for c in r.counts], [lay.multiplicity for lay in layers]
    )
    pr = per_layer[0].pricing
    whole = cost.energy_components(pr.inventory, "AW", pr.terms, summed[0], p, 1e-3)
    parts = [
        cost.energy_components(pr.inventory, "AW", pr.terms, r.counts[0], p, 1e-3)
        for r in per_layer
    ]
    _close(whole, {k: sum(m.multiplicity * e[k] for m, e in zip(layers, parts)) for k in whole})


def test_prices_is_a_pytree_and_energy_is_differentiable(rng):
    import jax

    p = cost.prices(cost.load_tech(), CORE.lanes)
    leaves, tree = jax.tree_util.tree_flatten(p)
    assert all(isinstance(x, float) for x in leaves) and len(leaves) > 10
    assert jax.tree_util.tree_unflatten(tree, leaves) == p and hash(p) == hash(p)
    rep = cost.evaluate([custom("aw", CORE, "AW", gj.Window.box(1, 1))], "AW", _layers(rng))[0]
    grad = jax.grad(lambda q: cost.energy_of(rep, q)["mult"])(p)
    assert float(grad.mult8_energy) == pytest.approx(sum(c.products for c in rep.counts))
    assert float(grad.dff_energy) == 0.0


def test_reprice_refuses_what_it_cannot_do(rng):
    rep = cost.evaluate(_accels()[:1], "AW", _layers(rng))[0]
    tech4 = dataclasses.replace(cost.load_tech(), operand_bits=4)
    with pytest.raises(ValueError, match="operand_bits"):
        cost.reprice(rep, tech4)
    hand = dataclasses.replace(rep, counts=(), pricing=None)
    with pytest.raises(ValueError, match="counts"):
        cost.reprice(hand, "horowitz45")
