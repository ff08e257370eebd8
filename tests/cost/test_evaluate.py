"""cost.evaluate / layer_costs: one per-layer loop, one schedule per distinct design, the
workload vocabulary accepted in every form."""

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


def test_energy_components_at_prices_equal_layer_energy(rng):
    """The exact path is the shared formula: inventory + counts priced by energy_components."""
    tech = cost.load_tech("horowitz45")
    layer = _layers(rng)[0]
    g = gj.design.preset("griffin", CORE)
    for cat in gj.CATEGORIES:
        mode = g.mode(cat)
        ev = cost.layer_events(mode, layer.a_mask, layer.w_mask)
        sched = (
            cost.Schedule(cycles=ev.analytic_cycles)
            if mode.exploit == "none"
            else cost.Schedule.from_activity(
                gj.gemm_activity_batch([mode], layer.a_mask, layer.w_mask), 0
            )
        )
        want = cost.layer_energy(g, mode, ev, sched, tech, 1.0)
        inv = cost.inventory(g)
        got = cost.energy_components(
            inv,
            mode.exploit,
            cost.window_terms(mode.window),
            cost.layer_counts(g, mode, ev, sched),
            cost.prices(tech, CORE.lanes),
            1.0,
        )
        assert got == want
        assert np.isfinite(list(got.values())).all()
