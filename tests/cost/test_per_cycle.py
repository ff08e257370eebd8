"""Per-cycle energy and gating (docs/model.md 4.4, 4.5): physical properties that could fail."""

import dataclasses

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.design._presets import custom, preset

TECH = cost.load_tech("horowitz45")
V2 = dataclasses.replace(TECH, clocked_registers=False)  # no pipeline registers, no clock
PER_CYCLE = ("registers", "clock", "leakage", "sram_leakage")


def _masks(seed, shape_a=(6, 24), n=5, a_density=0.5, w_density=0.4):
    rng = np.random.default_rng(seed)
    a = rng.random(shape_a) < a_density
    return a, rng.random((shape_a[1], n)) < w_density


def _stretch(a, w, lanes, empty_steps):
    """The same products with ``empty_steps`` all-zero steps after every step of K."""
    steps = -(-a.shape[1] // lanes)
    pad = steps * lanes - a.shape[1]
    a = np.concatenate([a, np.zeros((a.shape[0], pad), bool)], 1)
    w = np.concatenate([w, np.zeros((pad, w.shape[1]), bool)], 0)
    za = np.zeros((a.shape[0], empty_steps * lanes), bool)
    zw = np.zeros((empty_steps * lanes, w.shape[1]), bool)
    a2 = np.concatenate(
        [x for s in range(steps) for x in (a[:, s * lanes : (s + 1) * lanes], za)], 1
    )
    w2 = np.concatenate([x for s in range(steps) for x in (w[s * lanes : (s + 1) * lanes], zw)], 0)
    return a2, w2


def test_energy_grows_with_cycles_at_equal_work():
    core = gj.Core(2, 2, 4)
    acc = custom("aw", core, "AW", gj.Window.box(1, 0, 0))  # skips at most one empty step
    a, w = _masks(0, (6, 16), 3)
    a2, w2 = _stretch(a, w, 4, 3)
    r1, r2 = (cost.evaluate_layer(acc, "AW", x, y, TECH) for x, y in ((a, w), (a2, w2)))
    assert r1.counts[0].products == r2.counts[0].products  # the same work
    assert r2.cycles > r1.cycles
    assert r2.energy["mult"] == r1.energy["mult"]
    for k in PER_CYCLE:
        assert r2.energy[k] > r1.energy[k], k
    # per cycle, the clock costs the same: it is linear in the cycles run
    assert r2.energy["clock"] / r2.cycles == pytest.approx(r1.energy["clock"] / r1.cycles)
    assert r2.energy_pj > r1.energy_pj


def test_clock_and_registers_vanish_without_cycles_and_are_linear_in_them():
    acc = preset("griffin_v1", gj.Core(2, 3, 8))
    a, w = _masks(3)
    rep = cost.evaluate_layer(acc, "AW", a, w, TECH)
    pr = rep.pricing
    c = rep.counts[0]
    p = cost.prices(TECH, 8)

    def priced(**change):
        counts = dataclasses.replace(c, **change)
        return cost.energy_components(pr.inventory, pr.exploit, pr.terms, counts, p, 0.1)

    idle = {f.name: 0 for f in dataclasses.fields(cost.Counts) if f.name != "structured_ok"}
    zero = priced(**idle)
    assert all(v == 0 for v in zero.values())
    e1 = priced()
    e3 = priced(
        cycles=3 * c.cycles,
        clocked_dpu_cycles=3 * c.clocked_dpu_cycles,
        clocked_row_cycles=3 * c.clocked_row_cycles,
        clocked_col_cycles=3 * c.clocked_col_cycles,
        scheduler_cycles=3 * c.scheduler_cycles,
    )
    assert e1["clock"] > 0 and e3["clock"] == pytest.approx(3 * e1["clock"])
    assert e3["registers"] - e1["registers"] > 0
    # the clock-pin part of the registers is the clock network's energy / its ratio
    clock_pins = e1["clock"] / TECH.clock_network_ratio
    writes = 4.522 * 0.03 / 36 * (c.products * 16 + c.cycles * (2 + 3) * 8 * 8)
    assert e1["registers"] == pytest.approx(clock_pins + writes)
    for k in ("mult", "adder_trees", "act_mux", "wgt_mux", "sram", "metadata"):
        assert e3[k] == e1[k], k


def test_rows_and_columns_a_layer_does_not_use_are_gated_by_hand():
    # a 3 x 11 x 2 GEMM on 4 x 4 DPUs of 4 lanes: 2 rows and 3 columns clocked every cycle
    core = gj.Core(4, 4, 4)
    a, w = np.ones((3, 11), bool), np.ones((11, 2), bool)
    rep = cost.evaluate_layer(preset("dense", core), "dense", a, w, TECH)
    c = rep.counts[0]
    cycles = 3  # one tile of ceil(11 / 4) steps
    assert rep.cycles == cycles
    assert (c.clocked_dpu_cycles, c.clocked_row_cycles, c.clocked_col_cycles) == (18, 6, 9)
    pins = 18 * (4 * 16 + 32) + (6 + 9) * 4 * 8  # products + accumulators; operand registers
    dff = 4.522 * 0.03 / 36
    assert rep.energy["clock"] == pytest.approx(1.83 * 0.0038 * pins)
    writes = dff * (3 * 11 * 2 * 16 + (6 + 9) * 4 * 8)
    assert rep.energy["registers"] == pytest.approx(0.0038 * pins + writes)
    # the area is the whole core's: gating saves energy, the registers are still built
    assert rep.area["registers"] == pytest.approx((64 * 16 + 8 * 4 * 8) * 4.522e-6)


def test_the_previous_model_has_no_per_cycle_registers_or_clock():
    acc = preset("dense", gj.Core(2, 3, 4))
    a, w = _masks(4, (5, 11), 7)
    r3, r2 = (cost.evaluate_layer(acc, "dense", a, w, t) for t in (TECH, V2))
    assert r2.energy["registers"] == r2.energy["clock"] == r2.area["registers"] == 0
    assert r3.energy["registers"] > 0 and r3.energy["clock"] > 0 and r3.area["registers"] > 0
    for k in ("mult", "adder_trees", "accumulators", "sram"):
        assert r3.energy[k] == r2.energy[k], k


def test_a_finished_group_is_gated_under_group_sync():
    core = gj.Core(4, 4, 1)
    win = gj.Window.box(3)
    core_sync = custom("c", core, "AW", win)
    group_sync = custom("g", core, "AW", win, sync="group")
    a, w = _masks(5, (8, 32), 8, 0.3, 0.5)
    rc, rg = cost.layer_costs([core_sync, group_sync], "AW", a, w, TECH)
    cc, cg = rc.counts[0], rg.counts[0]
    assert cc.clocked_dpu_cycles == rc.cycles * 16
    # each DPU is clocked while its own schedule runs: its group's cycles (every DPU of this
    # layer has rows and columns to compute: 8 x 8 outputs on 4 x 4 DPUs)
    assert cg.clocked_dpu_cycles == cg.scheduler_cycles  # AW groups are DPUs
    assert cg.clocked_dpu_cycles == cg.clocked_row_cycles == cg.clocked_col_cycles
    assert cg.clocked_dpu_cycles < rg.cycles * 16


def _priced_without_zero_detect(rep):
    """Energy of a gated report less its zero-detect logic (its cells and their leakage)."""
    leak = TECH.leakage_power_density * rep.area["zero_detect"] * rep.cycles / TECH.clock_ghz
    return rep.energy_pj - rep.energy["zero_detect"] - leak


@pytest.mark.parametrize("category", ["dense", "W", "A", "AW"])
def test_gating_never_costs_more_than_not_gating(category):
    # on every layer of the real digits masks, dense_gated spends at most the dense core's
    # energy once its own zero-detect logic is taken out, and the same cycles
    from griffin_jax.workloads import digits_workload

    core = gj.Core(4, 4, 8)
    g, d = preset("dense_gated", core), preset("dense", core)
    for layer in digits_workload("p75", n_images=2).for_category(category):
        rg, rd = cost.layer_costs([g, d], category, layer.a_mask, layer.w_mask, TECH)
        assert rg.cycles == rd.cycles
        assert _priced_without_zero_detect(rg) <= rd.energy_pj * (1 + 1e-12)
        if category != "dense":  # zeros to gate: gating pays for itself here
            assert rg.energy_pj < rd.energy_pj


@pytest.mark.parametrize("network", ["digits", "resnet50", "mobilenet_v2", "bert_base", "vit_b16"])
def test_gating_never_costs_more_than_not_gating_on_every_network(network):
    # whole networks on the default core, every category: the same cycles, never more energy
    # than the dense core once the detectors are out, and less in total wherever there are
    # zeros (on the dense category the detectors are all gating adds)
    from griffin_jax import workloads

    core = gj.design.DEFAULT_CORE
    g, d = preset("dense_gated", core), preset("dense", core)
    for category in gj.CATEGORIES:
        rg, rd = cost.evaluate([g, d], category, workloads.load(network, category), TECH)
        assert rg.cycles == rd.cycles, category
        assert _priced_without_zero_detect(rg) <= rd.energy_pj * (1 + 1e-12), category
        if category != "dense":
            assert rg.energy_pj < rd.energy_pj, category


def test_gating_on_all_ones_masks_costs_exactly_the_zero_detect():
    core = gj.Core(2, 3, 4)
    g, d = preset("dense_gated", core), preset("dense", core)
    a, w = np.ones((5, 12), bool), np.ones((12, 7), bool)  # L divides K: every lane live
    rg, rd = cost.layer_costs([g, d], "dense", a, w, TECH)
    assert _priced_without_zero_detect(rg) == pytest.approx(rd.energy_pj, rel=1e-12)
    assert rg.energy_pj > rd.energy_pj  # the detectors are not free


def test_a_bypassed_side_costs_less_than_a_used_one():
    # the same W-only masks on Griffin v1's hardware: W mode bypasses the weight muxes and
    # gates the weight staging and the schedulers; AW mode uses both sides
    g = preset("griffin_v1", gj.Core(2, 2, 8))
    both = dataclasses.replace(g, name="aw", modes={**dict(g.modes), "W": g.mode("AW")})
    a, w = cost.category_masks(*_masks(6, (6, 32), 4), "W")
    rw, raw = cost.layer_costs([g, both], "W", a, w, TECH)
    assert rw.counts[0].executed == raw.counts[0].executed  # the same products
    assert 0 < rw.energy["wgt_mux"] < raw.energy["wgt_mux"]
    assert rw.energy["schedulers"] == 0 < raw.energy["schedulers"]
    clocked_w = rw.energy["clock"] / rw.cycles
    clocked_aw = raw.energy["clock"] / raw.cycles
    assert clocked_w < clocked_aw  # fewer clocked registers per cycle


def test_dense_core_per_cycle_share_is_in_the_published_range():
    # EIE (45 nm, ISCA 2016) spends 32% of its PE power in the clock network and registers,
    # Eyeriss reports the clock network as the largest item; our dense core's clock and
    # register clock pins must land in a 10-45% share of its total energy
    core = gj.Core(8, 8, 16)
    a, w = np.ones((64, 256), bool), np.ones((256, 64), bool)
    rep = cost.evaluate_layer(preset("dense", core), "dense", a, w, TECH)
    clock_pins = rep.energy["clock"] / TECH.clock_network_ratio
    share = (rep.energy["clock"] + clock_pins) / rep.energy_pj
    assert 0.10 < share < 0.45
