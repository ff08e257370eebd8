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


# Griffin v3 (docs/model.md 5.3): the best mode per category and the W-mode resource reuse.
REUSE_CORE = gj.Core(2, 3, 8)
REUSE_WIRINGS = (gj.Window.box(1, 0, 0), gj.Window.box(2, 1, 0), gj.Window.box(2, 1, 1))


def _griffin_and_fixed(wired, core=REUSE_CORE):
    g = gj.griffin(core, wired)
    fixed = custom("fixed", core, "AW", wired)
    return g, fixed


def _forced(g, category, mode):
    """``g``'s hardware made to run ``mode`` on ``category`` with no other choice."""
    return gj.griffin(
        g.core, g.hardware.window, {category: mode}, name="forced", reuse=g.reuse, choose=False
    )


@pytest.mark.parametrize("wired", REUSE_WIRINGS, ids=lambda w: w.label())
def test_griffin_is_never_worse_than_its_wiring_run_as_a_fixed_aw_core(wired):
    """Physical property: in every category Griffin's TOPS/W is at least that of its own wiring
    built as a fixed AW core, less the reconfiguration overhead measured on the same masks
    (Griffin's hardware forced to run its AW mode, against the fixed AW core)."""
    from griffin_jax.workloads import digits_workload

    g, fixed = _griffin_and_fixed(wired, gj.Core(2, 2, 16))
    rng = np.random.default_rng(7)
    nets = [
        [
            GemmLayer(f"r{i}", rng.random((24, 80)) < 0.5, rng.random((80, 6)) < 0.35)
            for i in range(2)
        ],
        list(digits_workload())[:2],  # masks of a trained network
    ]
    for layers in nets:
        for cat in ("dense", "W", "A", "AW"):
            aw = gj.Design(g.core, "AW", wired)
            forced = _forced(g, cat, aw)
            rg, rf, rx = cost.evaluate([g, forced, fixed], cat, layers)
            overhead = rf.tops_per_w / rx.tops_per_w  # bypass paths and reuse logic
            assert 0.9 < overhead < 1.0
            assert rg.tops_per_w >= rx.tops_per_w * overhead * (1 - 1e-12), (cat, rg.mode)


def test_evaluate_reports_the_least_energy_mode(rng):
    g, _ = _griffin_and_fixed(gj.Window.box(2, 1, 0))
    layers = _layers(rng)
    for cat in ("W", "A"):
        (rg,) = cost.evaluate([g], cat, layers)
        forced = [cost.evaluate([_forced(g, cat, m)], cat, layers)[0] for m in g.mode_choices(cat)]
        energies = [r.energy_pj for r in forced]
        best = forced[int(np.argmin(energies))]
        assert rg.energy_pj == min(energies) and rg.mode == best.mode
        assert rg.cycles == best.cycles and dict(rg.energy) == dict(best.energy)
        # priced again at its own prices: the chosen mode's counts and parts
        assert cost.reprice(rg, "horowitz45").energy_pj == pytest.approx(rg.energy_pj, rel=1e-12)
        # one layer alone: the same rule per GEMM
        layer = layers[0].for_category(cat)
        (one,) = cost.layer_costs([g], cat, layer.a_mask, layer.w_mask)
        alone = [
            cost.layer_costs([_forced(g, cat, m)], cat, layer.a_mask, layer.w_mask)[0]
            for m in g.mode_choices(cat)
        ]
        assert one.energy_pj == min(r.energy_pj for r in alone)


def test_on_layer_gets_the_chosen_mode_after_the_network(rng):
    g, fixed = _griffin_and_fixed(gj.Window.box(2, 1, 0))
    layers = _layers(rng)
    seen = []
    nets = cost.evaluate(
        [g, fixed], "W", layers, on_layer=lambda lay, reps: seen.append((lay, reps))
    )
    assert [s[0].name for s in seen] == [lay.name for lay in layers]
    assert all(isinstance(s[0], _evaluate.LayerRecord) for s in seen)
    assert seen[0][0].shape == layers[0].shape
    for i, net in enumerate(nets):
        assert {reps[i].mode for _, reps in seen} == {net.mode}
        total = math.fsum(reps[i].energy_pj * lay.multiplicity for lay, reps in seen)
        assert total == pytest.approx(net.energy_pj, rel=1e-12)


def test_reuse_costs_exactly_its_selects_and_staging():
    wired = gj.Window.box(2, 1, 0)
    g = gj.griffin(REUSE_CORE, wired)
    n = gj.griffin(REUSE_CORE, wired, reuse=False)
    tech = cost.load_tech("horowitz45")
    ig, i_n = cost.inventory(g), cost.inventory(n)
    L, b, D = REUSE_CORE.lanes, tech.operand_bits, wired.depth
    # one 2:1 select per operand bit of every multiplier, D more staging steps per column
    assert ig.bypass_cells - i_n.bypass_cells == REUSE_CORE.multipliers * b
    assert ig.staging_bits - i_n.staging_bits == REUSE_CORE.cols * D * L * b
    ag, an = g.hardware, n.hardware
    assert ag == an
    # a W mode inside the wiring costs the same switching on both (the reuse logic idles)
    a = np.random.default_rng(3).random((20, 40)) < 0.6
    w = np.random.default_rng(4).random((40, 7)) < 0.3
    a, w = cost.category_masks(a, w, "W")
    plain = gj.Design(REUSE_CORE, "W", gj.design.default_mode_window(wired, "W"))
    rg = cost.layer_costs([_forced(g, "W", plain)], "W", a, w)[0]
    rn = cost.layer_costs([_forced(n, "W", plain)], "W", a, w)[0]
    assert rg.mode == rn.mode == "W"
    for k in ("mult", "adder_trees", "act_mux", "wgt_mux", "staging", "registers", "clock"):
        assert rg.energy[k] == rn.energy[k], k
    assert rg.energy["leakage"] > rn.energy["leakage"]
    # reaching past the wiring: labelled, more cycles saved, the reused mux and select charged
    far = gj.Design(REUSE_CORE, "W", gj.design.reuse_window(wired))
    rr = cost.layer_costs([_forced(g, "W", far)], "W", a, w)[0]
    assert rr.mode == "W+reuse" and rr.cycles <= rg.cycles
    assert rr.energy["wgt_mux"] > rg.energy["wgt_mux"]


@pytest.mark.parametrize("lanes", (1, 3, 8, 16))
def test_a_reused_window_schedules_exactly_like_the_reference(lanes):
    rng = np.random.default_rng(lanes)
    core = gj.Core(2, 2, lanes)
    for wired in (gj.Window.box(1, 0, 0), gj.Window.box(2, min(1, lanes - 1), 0)):
        mode = gj.Design(core, "W", gj.design.reuse_window(wired))
        for M, K, N in ((3, 2 * lanes + 1, 3), (5, 5 * lanes, 2)):
            for density in (0.0, 0.3, 1.0):
                a = np.ones((M, K), bool)
                w = rng.random((K, N)) < density
                want = gj.reference_gemm(mode, a, w)
                got = gj.simulate_gemm(mode, a, w)
                assert int(got.cycles) == want["cycles"]
                rep = cost.layer_costs([_forced(gj.griffin(core, wired), "W", mode)], "W", a, w)[0]
                assert rep.cycles == want["cycles"]
