"""Component counts and areas against hand calculations; monotonicity in fan-in and depth."""

import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets import custom, preset

TECH = cost.load_tech("horowitz45")
CORE = gj.Core(rows=2, cols=3, lanes=4)  # 6 DPUs, 24 multipliers

# Hand values from the horowitz45 config (um^2): an adder of w bits is 36 + (w - 8) * 101 / 24.
ADD16, ADD17 = 36 + 8 * 101 / 24, 36 + 9 * 101 / 24
TREE4 = 2 * ADD16 + ADD17  # L = 4: two 16-bit adders, then one 17-bit adder
ACC = 137 + 32 * 4.522  # INT32 adder + 32 flip-flops
MUX_BIT = 1.862
PRIO = 2 * 0.798
FF = 4.522


def _area(accel):
    return {k: v * 1e6 for k, v in cost.area_breakdown(accel, TECH).items()}  # um^2


def test_dense_core_by_hand():
    a = _area(preset("dense", CORE))
    assert a["multipliers"] == pytest.approx(24 * 282)
    assert a["adder_trees"] == pytest.approx(6 * TREE4)
    assert a["accumulators"] == pytest.approx(6 * ACC)
    for k in ("act_mux", "wgt_mux", "staging", "schedulers", "extra_trees"):
        assert a[k] == 0
    assert set(a) == set(cost.COMPONENTS)


def test_tree_widths():
    assert cost.tree_adder_widths(4, 16) == (16, 16, 17)
    assert cost.tree_adder_widths(5, 16) == (16, 16, 17, 18)
    assert cost.tree_adder_widths(16, 16) == (16,) * 8 + (17,) * 4 + (18,) * 2 + (19,)
    assert cost.tree_adder_widths(1, 16) == ()
    assert all(len(cost.tree_adder_widths(n, 16)) == n - 1 for n in range(1, 65))


def test_aw_box_by_hand():
    win = gj.Window.box(time=2, lane=1, group=1)  # 18 offsets, 6 distinct (dt, dl), dg in {-1, 1}
    acc = custom("aw", CORE, "AW", win)
    inv = cost.inventory(acc)
    assert (inv.act_mux_count, inv.act_mux_fan_in) == (24, 19)
    assert (inv.wgt_mux_count, inv.wgt_mux_fan_in) == (24, 7)
    assert (inv.act_buffers, inv.wgt_buffers, inv.depth) == (3, 2, 2)
    assert (inv.schedulers, inv.scheduler_fan_in, inv.extra_trees_per_dpu) == (6, 19, 2)
    a = _area(acc)
    assert a["act_mux"] == pytest.approx(24 * 18 * 8 * MUX_BIT)
    assert a["wgt_mux"] == pytest.approx(24 * 6 * 8 * MUX_BIT)
    assert a["staging"] == pytest.approx((3 + 2) * 2 * 4 * 8 * FF)
    assert a["schedulers"] == pytest.approx(6 * (4 * 19 * PRIO + 3 * 4 * FF))
    assert a["extra_trees"] == pytest.approx(6 * 2 * (TREE4 + 137))


def test_a_core_shares_the_activation_mux():
    acc = custom("a", CORE, "A", gj.Window.box(1, 1))
    a = _area(acc)
    assert a["act_mux"] == pytest.approx(3 * 4 * 3 * 8 * MUX_BIT)  # one per column-lane
    assert a["wgt_mux"] == pytest.approx(24 * 3 * 8 * MUX_BIT)
    assert a["staging"] == pytest.approx(2 * 1 * 4 * 8 * FF)  # weights, per row
    assert a["schedulers"] == pytest.approx(3 * (4 * 4 * PRIO + 2 * 4 * FF))  # per column


def test_w_core_static():
    # dg offsets along rows: the activation mux sees only the distinct (dt, dl)
    win = gj.Window.from_offsets([(1, 0, 0), (1, 1, 0), (1, 0, 1)])
    acc = custom("w", CORE, "W", win)
    inv = cost.inventory(acc)
    assert (inv.act_mux_count, inv.act_mux_fan_in, inv.wgt_mux_count) == (24, 3, 0)
    assert (inv.schedulers, inv.extra_trees_per_dpu) == (0, 1)
    a = _area(acc)
    assert a["act_mux"] == pytest.approx(24 * 2 * 8 * MUX_BIT)
    assert a["staging"] == pytest.approx(3 * 1 * 4 * 8 * FF)  # activations, per column
    assert a["schedulers"] == 0 and a["wgt_mux"] == 0


def test_group_sync_keeps_buffers_per_dpu():
    acc = custom("wg", CORE, "W", gj.Window.box(2), sync="group")
    assert _area(acc)["staging"] == pytest.approx(6 * 2 * 4 * 8 * FF)


def test_stc_has_a_4_to_1_activation_mux():
    a = _area(preset("stc_2to4", gj.Core(2, 3, 8)))
    assert a["act_mux"] == pytest.approx(48 * 3 * 8 * MUX_BIT)
    assert a["staging"] == a["schedulers"] == a["wgt_mux"] == 0


@pytest.mark.parametrize("exploit", ["A", "W", "AW"])
def test_area_grows_with_fan_in_and_depth(exploit):
    core = gj.Core(2, 2, 8)

    def total(t, l, g=0):
        return cost.area_breakdown(custom("x", core, exploit, gj.Window.box(t, l, g)), TECH)

    by_lane = [sum(total(1, l).values()) for l in range(4)]
    by_depth = [sum(total(t, 1).values()) for t in range(1, 5)]
    assert all(x < y for x, y in zip(by_lane, by_lane[1:]))
    assert all(x < y for x, y in zip(by_depth, by_depth[1:]))
    # depth alone (lane reach 0) also grows staging
    stag = [total(t, 0)["staging"] for t in range(1, 4)]
    assert all(x < y for x, y in zip(stag, stag[1:]))
    assert sum(total(1, 1, 1).values()) > sum(total(1, 1, 0).values())


def test_griffin_area_is_its_hardware():
    # The v1 wiring: its W mode borrows from six offsets, so W-mode selector bits (3) outgrow
    # the AW hardware's one mask bit per weight.
    g = preset("griffin_v1", gj.Core(2, 2, 8))
    same = Accelerator(name="fixed", hardware=g.hardware)
    gr, fixed = cost.area_breakdown(g, TECH), cost.area_breakdown(same, TECH)
    # the same hardware, plus what reconfiguring needs (docs/model.md 4.1-4.2): the bypass
    # cells and W mode's selector bits beside each stored weight
    assert {k: v for k, v in gr.items() if k not in ("bypass", "sram_wgt")} == {
        k: v for k, v in fixed.items() if k not in ("bypass", "sram_wgt")
    }
    assert fixed["bypass"] == 0 and gr["bypass"] == pytest.approx(
        2 * g.core.multipliers * 8 * TECH.mux2_area * 1e-6
    )
    assert gr["sram_wgt"] > fixed["sram_wgt"]
    d = cost.area_breakdown(preset("dense", gj.Core(2, 2, 8)), TECH)
    ga = cost.area_breakdown(g, TECH)
    assert sum(ga.values()) > sum(d.values())
    for k in ("multipliers", "adder_trees", "accumulators"):
        assert ga[k] == d[k]


def test_inventory_rejects_non_accelerators():
    with pytest.raises(ValueError, match="accel"):
        cost.inventory(gj.Design(CORE, "A", gj.Window.box(1)))


@pytest.mark.parametrize("exploit", ["A", "W", "AW"])
def test_area_components_take_continuous_window_terms(exploit):
    """One formula: JAX window terms at an integer point give the exact area, and the area is
    differentiable in them (the search's relaxation calls the same functions)."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    win = gj.Window.box(2, 1, 1)
    acc = custom("x", CORE, exploit, win)
    tech = cost.load_tech("horowitz45")
    want = cost.area_breakdown(acc, tech)
    p = cost.prices(tech, CORE.lanes)

    def total(t):
        terms = cost.WindowTerms(*(t[i] for i in range(4)))
        inv = cost.build_inventory(CORE, exploit, terms, bits=8, acc_bits=32)
        return sum(cost.area_components(inv, p).values()) * 1e-6

    t = jnp.asarray(cost.window_terms(win), jnp.float32)
    assert float(total(t)) == pytest.approx(sum(want.values()), rel=1e-6)
    grad = jax.grad(total)(t)
    assert np.isfinite(np.asarray(grad)).all() and float(grad[3]) > 0  # deeper costs more
