"""Energy: hand calculation, sums, Griffin's dense mode, gating, modes, efficiency metrics."""

import dataclasses
import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.design._griffin import griffin
from griffin_jax.design._presets import custom, preset
from griffin_jax.sim import reference_pending
from tests.conftest import sram_by_hand

TECH = cost.load_tech("horowitz45")
CORE = gj.Core(rows=2, cols=3, lanes=4)
M, K, N = 5, 11, 7


def _masks(seed, a_density=0.5, w_density=0.45):
    rng = np.random.default_rng(seed)
    return rng.random((M, K)) < a_density, rng.random((K, N)) < w_density


def _adder(w):
    return 0.03 + (w - 8) * 0.07 / 24


def test_dense_layer_by_hand():
    a, w = np.ones((M, K), bool), np.ones((K, N), bool)
    rep = cost.evaluate_layer(preset("dense", CORE), "dense", a, w, TECH)
    dff = 4.522 * 0.03 / 36
    T, n_mt, n_nt = 3, 2, 4
    cycles = n_mt * n_nt * T
    busy = T * M * N
    # docs/model.md 4.4: a 16-bit product register per multiplier, the operand registers of
    # 2 rows and 3 columns of 4 lanes, the 32-bit accumulators; all clocked every cycle
    product_bits, operand_bits, acc_bits = 24 * 16, (2 + 3) * 4 * 8, 6 * 32
    clocked = (product_bits + operand_bits + acc_bits) * cycles
    area_mm2 = (
        24 * 282
        + 6 * (2 * (36 + 8 * 101 / 24) + 36 + 9 * 101 / 24)
        + 6 * (137 + 32 * 4.522)
        + (product_bits + operand_bits) * 4.522
    ) * 1e-6
    sram = sram_by_hand(TECH, CORE)  # dense values, no metadata
    expect = {
        "mult": M * N * K * 0.2,
        "adder_trees": busy * (2 * _adder(16) + _adder(17)),
        "accumulators": busy * (0.1 + 32 * dff),
        "sram": (
            M * K * 8 * n_nt * sram["act"]["read"]
            + K * N * 8 * n_mt * sram["wgt"]["read"]
            + M * N * 8 * sram["out"]["write"]
        ),
        "registers": clocked * 0.0038 + dff * (M * N * K * 16 + cycles * operand_bits),
        "clock": 1.83 * clocked * 0.0038,
        "leakage": 40.0 * area_mm2 * cycles / 1.0,
        "sram_leakage": sum(b["leak"] for b in sram.values()) * cycles / 1.0,
    }
    assert rep.cycles == rep.dense_cycles == cycles and rep.speedup == 1.0
    assert rep.area_core_mm2 == pytest.approx(area_mm2)
    assert rep.area_mm2 == pytest.approx(area_mm2 + sum(b["area"] for b in sram.values()))
    core_keys = ("mult", "adder_trees", "accumulators", "registers", "clock", "leakage")
    assert rep.energy_core_pj == pytest.approx(sum(expect[k] for k in core_keys))
    assert rep.tops_per_w_core == pytest.approx(2 * M * N * K / rep.energy_core_pj)
    for k in cost.ENERGY_COMPONENTS:
        assert rep.energy[k] == pytest.approx(expect.get(k, 0.0)), k
    assert rep.energy_pj == pytest.approx(sum(expect.values()))
    assert rep.ops == 2 * M * N * K
    assert rep.tops_per_w == pytest.approx(2 * M * N * K / sum(expect.values()))
    # TOPS/mm^2 at 1 GHz: ops per ns / 1000 / mm^2
    assert rep.tops_per_mm2_core == pytest.approx(2 * M * N * K / cycles / 1e3 / area_mm2)
    assert rep.tops_per_mm2 == pytest.approx(2 * M * N * K / cycles / 1e3 / rep.area_mm2)


def test_total_is_the_sum_of_components_and_networks_add_layers():
    accs = [preset(n, gj.Core(2, 2, 8)) for n in ("dense", "tensordash_like", "griffin")]
    layers = []
    rng = np.random.default_rng(4)
    for i, (m, k, n, mult) in enumerate([(5, 20, 3, 2), (4, 9, 6, 3)]):
        layers.append((f"l{i}", rng.random((m, k)) < 0.5, rng.random((k, n)) < 0.5, mult))
    nets = cost.evaluate(accs, "AW", layers, TECH)
    for acc, net in zip(accs, nets):
        per = [cost.evaluate_layer(acc, "AW", a, w, TECH) for _, a, w, _ in layers]
        mults = [m for *_, m in layers]
        assert net.energy_pj == math.fsum(net.energy.values())
        for k in cost.ENERGY_COMPONENTS:
            assert net.energy[k] == pytest.approx(sum(m * p.energy[k] for m, p in zip(mults, per)))
        assert net.energy_pj == pytest.approx(sum(m * p.energy_pj for m, p in zip(mults, per)))
        assert net.cycles == sum(m * p.cycles for m, p in zip(mults, per))
        assert net.ops == sum(m * p.ops for m, p in zip(mults, per))
        assert net.tops_per_w == pytest.approx(net.ops / net.energy_pj)
        assert all(v >= 0 for v in net.energy.values())


@pytest.mark.parametrize("seed, name", [(0, "griffin"), (1, "griffin_v1")])
def test_griffin_on_a_dense_model_pays_only_leakage_and_bypass(seed, name):
    core = gj.Core(2, 3, 8)
    g = preset(name, core)  # the derived wiring and the v1 one (six W-mode offsets)
    d = preset("dense", core)
    w_offsets = g.mode("W").window.size
    for a, w in [(np.ones((M, K), bool), np.ones((K, N), bool)), _masks(seed)]:
        # a dense model may hold some zeros: the same difference rule
        rg, rd = cost.layer_costs([g, d], "dense", a, w, TECH)
        assert rg.cycles == rd.cycles
        # each product's two operands cross the dedicated bypass (docs/model.md 4.2): b cells
        bypass = M * N * K * 2 * cost.bypass_path_energy(TECH)
        assert bypass == M * N * K * 2 * 8 * TECH.mux2_energy
        leak = (
            TECH.leakage_power_density
            * (rg.area_core_mm2 - rd.area_core_mm2)
            * rd.cycles
            / TECH.clock_ghz
        )
        assert bypass > 0 and leak > 0
        assert rg.energy_core_pj - rd.energy_core_pj == pytest.approx(bypass + leak)
        for k in ("staging", "schedulers", "metadata", "extra_trees"):
            assert rg.energy[k] == 0
        for k in ("mult", "adder_trees", "accumulators"):
            assert rg.energy[k] == rd.energy[k]
        # the same dense bits, read from Griffin's larger (metadata-holding) buffers; with
        # reuse the W frame's selector names twice the wired steps (docs/model.md 5.3)
        inputs = 1 + 2 * cost.window_terms(g.hardware.window).steps if g.reuse else 1 + w_offsets
        sg = sram_by_hand(TECH, core, act_meta=1, wgt_meta=max(1, math.ceil(math.log2(inputs))))
        ev = cost.layer_events(d.hardware, a, w)
        assert rg.energy["sram"] == pytest.approx(
            ev.act_value_bits * sg["act"]["read"]
            + ev.wgt_value_bits * sg["wgt"]["read"]
            + ev.out_bits * sg["out"]["write"]
        )


def test_gating_zero_products_removes_exactly_their_switching():
    # docs/model.md 4.5: a gated product costs no multiply, no product-register write and no
    # adder-tree input switching; the zero-detect logic costs its cells' energy and leakage
    a, w = _masks(2)
    base = custom("a", CORE, "A", gj.Window.box(1, 1))
    gated = dataclasses.replace(base, gate_zero_products=True)
    r0, r1 = cost.layer_costs([base, gated], "A", a, w, TECH)
    ev = cost.layer_events(base.hardware, a, w)
    zeros = ev.zero_operand_products
    dff = 4.522 * 0.03 / 36
    assert zeros > 0
    assert r0.energy["mult"] - r1.energy["mult"] == pytest.approx(zeros * 0.2)
    assert r0.energy["registers"] - r1.energy["registers"] == pytest.approx(zeros * 16 * dff)
    tree = r0.energy["adder_trees"] / r0.counts[0].busy_dpu_cycles
    assert r1.energy["adder_trees"] == pytest.approx(ev.effectual / CORE.lanes * tree)
    assert r1.energy["adder_trees"] < r0.energy["adder_trees"]
    assert r0.energy["zero_detect"] == 0 < r1.energy["zero_detect"]
    cells = (2 + 3) * 4 * 7 + 24 * 17  # detectors of 2+3 rows/columns x 4 lanes, 24 multipliers
    assert r1.area["zero_detect"] == pytest.approx(cells * 0.798e-6)
    extra_leak = 40.0 * r1.area["zero_detect"] * r1.cycles
    assert r1.energy["leakage"] - r0.energy["leakage"] == pytest.approx(extra_leak)
    for k in cost.ENERGY_COMPONENTS:
        if k not in ("mult", "registers", "adder_trees", "zero_detect", "leakage"):
            assert r0.energy[k] == r1.energy[k], k


def test_w_static_frames_and_metadata():
    # Updated when the cost model switched to the scheduler's exact row_cycles: the frame used to
    # be charged per cycle at N / n_tiles rows (an average over output-channel tiles).
    win = gj.Window.box(1, 1)  # F = 4: 2 selector bits per slot
    acc = custom("w", CORE, "W", win)
    sram = sram_by_hand(TECH, CORE, wgt_meta=2)  # F = 4: the frame holds 2 selector bits
    n_nt = math.ceil(N / CORE.rows)
    lanes = K / math.ceil(K / CORE.lanes)  # real lanes per step, averaged
    # The last output-channel tile holds one real row; emptying it makes it faster than the
    # others, so the per-row count differs from the old average.
    a, w_edge = _masks(0)
    w_edge[:, : N - 1], w_edge[:, N - 1] = True, False
    for w in [_masks(seed)[1] for seed in range(2)] + [w_edge]:
        rep = cost.evaluate_layer(acc, "W", a, w, TECH)
        ref = gj.reference_gemm(acc.hardware, a, w)
        frame = ref["row_cycles"] * lanes  # slots read: real rows x real lanes, per cycle run
        assert rep.energy["sram"] == pytest.approx(
            M * K * 8 * n_nt * sram["act"]["read"]
            + frame * 8 * sram["wgt"]["read"]
            + M * N * 8 * sram["out"]["write"]
        )
        assert rep.energy["metadata"] == pytest.approx(frame * 2 * sram["wgt"]["read"])
        assert rep.energy["schedulers"] == 0 and rep.energy["wgt_mux"] == 0
    assert ref["row_cycles"] * n_nt != ref["cycles"] * N  # not vacuous


def test_griffin_modes_switch_components():
    core = gj.Core(2, 3, 8)
    a, w = _masks(5)
    # one fixed mode per category and no reuse: each mode's own components
    g = griffin(core, reuse=False, choose=False)
    inv = cost.inventory(g)
    reps = {cat: cost.evaluate_layer(g, cat, a, w, TECH) for cat in ("W", "A", "AW")}
    ev = {cat: cost.layer_events(g.mode(cat), a, w) for cat in reps}
    # W: no scheduler; weight side bypassed on every product
    assert reps["W"].energy["schedulers"] == 0
    assert inv.bypass_cells == 2 * core.multipliers * 8
    assert reps["W"].energy["wgt_mux"] == pytest.approx(
        ev["W"].executed * cost.bypass_path_energy(TECH)
    )
    # A: one scheduler per column, not one per DPU
    mode = g.mode("A")
    per = (
        8 * mode.window.fan_in * TECH.priority_cell_energy
        + (mode.window.depth + 1) * 8 * TECH.dff_energy
    )
    assert reps["A"].energy["schedulers"] == pytest.approx(reps["A"].cycles * core.cols * per)
    # AW: every DPU's scheduler
    mode = g.mode("AW")
    per = (
        8 * mode.window.fan_in * TECH.priority_cell_energy
        + (mode.window.depth + 1) * 8 * TECH.dff_energy
    )
    assert reps["AW"].energy["schedulers"] == pytest.approx(
        reps["AW"].cycles * core.rows * core.cols * per
    )
    # and griffin in each mode schedules exactly like the fixed design of that mode
    for cat, rep in reps.items():
        assert rep.cycles == gj.simulate_gemm(g.mode(cat), a, w).cycles


def test_a_narrower_mode_window_costs_less_mux_energy():
    core = gj.Core(2, 3, 8)
    a, w = _masks(6)
    full = preset("griffin", core)
    narrow = griffin(core, windows={"AW": gj.Window.box(1, 0)})
    rf, rn = cost.layer_costs([full, narrow], "AW", a, w, TECH)
    assert rf.area == rn.area  # same hardware
    ev = cost.layer_events(narrow.mode("AW"), a, w)
    F = cost.inventory(full).act_mux_fan_in
    assert rn.energy["act_mux"] == pytest.approx(ev.executed * cost.mux_select_energy(TECH, F, 2))


def test_second_node_lowers_energy_and_area():
    a, w = _masks(7)
    acc = preset("tensordash_like", gj.Core(2, 3, 8))
    r45 = cost.evaluate_layer(acc, "AW", a, w, "horowitz45")
    r16 = cost.evaluate_layer(acc, "AW", a, w, "scaled16")
    assert r16.cycles == r45.cycles
    assert r16.energy_pj < r45.energy_pj and r16.area_mm2 < r45.area_mm2
    # logic scales by the config's area factor; the SRAM comes from CACTI at 22 nm
    assert r16.area_core_mm2 == pytest.approx(0.19 * r45.area_core_mm2)
    assert r16.area_mm2 - r16.area_core_mm2 < r45.area_mm2 - r45.area_core_mm2
    assert r16.energy["mult"] == pytest.approx(0.142 * r45.energy["mult"])


def test_category_masks_and_fit():
    a, w = _masks(8)
    da, dw = cost.category_masks(a, w, "W")
    assert da.all() and (dw == w).all()
    da, dw = cost.category_masks(a, w, "A")
    assert (da == a).all() and dw.all()
    da, dw = cost.category_masks(a, w, "dense")
    assert da.all() and dw.all()
    with pytest.raises(ValueError, match="category"):
        cost.category_masks(a, w, "WA")
    acc = custom("aw", CORE, "AW", gj.Window.box(1, 1))
    # masks fit the category by default (a sparse layer run as a dense model is dense) ...
    (r,) = cost.evaluate([acc], "dense", [("x", a, w, 1)], TECH)
    assert r.cycles == r.dense_cycles
    # ... unless asked to keep them; the old keyword still works, with a warning
    (kept,) = cost.evaluate([acc], "dense", [("x", a, w, 1)], TECH, fit=False)
    assert kept.cycles < kept.dense_cycles
    with pytest.warns(DeprecationWarning, match="fit"):
        (old,) = cost.evaluate([acc], "dense", [("x", a, w, 1)], TECH, densify=False)
    assert old == kept


def test_bad_arguments():
    a, w = _masks(0)
    acc = preset("dense", CORE)
    with pytest.raises(ValueError, match="category"):
        cost.evaluate_layer(acc, "sparse", a, w, TECH)
    with pytest.raises(ValueError, match="accels"):
        cost.layer_costs([], "W", a, w, TECH)
    with pytest.raises(ValueError, match="accels"):
        cost.layer_costs([acc.hardware], "W", a, w, TECH)
    with pytest.raises(ValueError, match="multiplicity"):
        cost.evaluate([acc], "W", [("x", a, w, 0)], TECH)
    with pytest.raises(ValueError, match="layers"):
        cost.evaluate([acc], "W", [(a, w)], TECH)


# -- exact schedule counters (extra trees, per-group schedulers, per-row frames) by hand -------
def _tree_plus_port(lanes):
    widths = cost.tree_adder_widths(lanes, 16)
    return sum(_adder(x) for x in widths) + _adder(32)


def _per_sched(mode):
    L = mode.core.lanes
    return (
        L * mode.window.fan_in * TECH.priority_cell_energy
        + (mode.window.depth + 1) * L * TECH.dff_energy
    )


def _borrow_masks():
    """Pixel 0 has no nonzero; pixel 1 has 4 at step 0 and 1 at step 1 (L = 4, K = 8)."""
    a = np.zeros((2, 8), bool)
    a[1, :5] = True
    return a


def test_extra_tree_fires_once_per_dpu_cycle_aw_by_hand():
    # Core 1 x 2 x 4, window [(1, 0, +1)]. Cycle 1: DPU 1 takes its 4 step-0 products; DPU 0,
    # all free, takes DPU 1's single step-1 product through dg = +1 (its extra tree fires once).
    # Nothing is left: 1 cycle. The old charge was 1 product / L = 1/4 of a tree.
    core = gj.Core(rows=1, cols=2, lanes=4)
    acc = custom("aw", core, "AW", gj.Window.from_offsets([(1, 0, 1)]))
    a, w = _borrow_masks(), np.ones((8, 1), bool)
    ref = gj.reference_gemm(acc.hardware, a, w)
    assert (ref["cycles"], ref["taken"], ref["tree_group_cycles"]) == (1, [4, 1], [0, 1])
    rep = cost.evaluate_layer(acc, "AW", a, w, TECH)
    assert rep.energy["extra_trees"] == pytest.approx(1 * _tree_plus_port(4))
    ev = cost.layer_events(acc.hardware, a, w)
    sched = cost.Schedule.from_activity(gj.gemm_activity_batch([acc.hardware], a, w), 0)
    assert cost._energy.extra_tree_cycles(acc.hardware, ev, sched) == 1
    assert cost.group_offset_products(acc.hardware, ev, sched) == 1


def test_extra_tree_of_a_column_group_fires_in_every_real_row_by_hand():
    # A exploit, core 3 x 2 x 4, N = 4: two output-channel tiles with 3 and 1 real rows. The
    # column schedule is the AW one above, repeated in each tile; column 0's extra trees fire
    # in every real row: 3 + 1 = 4 DPU-cycles.
    core = gj.Core(rows=3, cols=2, lanes=4)
    acc = custom("a", core, "A", gj.Window.from_offsets([(1, 0, 1)]))
    a, w = _borrow_masks(), np.ones((8, 4), bool)
    ref = gj.reference_gemm(acc.hardware, a, w)
    assert ref["tree_group_cycles"] == [0, 2] and ref["cycles"] == 2
    rep = cost.evaluate_layer(acc, "A", a, w, TECH)
    assert rep.energy["extra_trees"] == pytest.approx(4 * _tree_plus_port(4))


def test_extra_tree_of_a_row_group_fires_in_every_real_column_by_hand():
    # The transpose for W: core 2 x 3 x 4, M = 4 (column tiles of 3 and 1 real columns).
    core = gj.Core(rows=2, cols=3, lanes=4)
    acc = custom("w", core, "W", gj.Window.from_offsets([(1, 0, 1)]))
    a, w = np.ones((4, 8), bool), _borrow_masks().T.copy()
    ref = gj.reference_gemm(acc.hardware, a, w)
    assert ref["tree_group_cycles"] == [0, 2] and ref["cycles"] == 2
    rep = cost.evaluate_layer(acc, "W", a, w, TECH)
    assert rep.energy["extra_trees"] == pytest.approx(4 * _tree_plus_port(4))


def test_group_sync_schedulers_run_their_own_cycles_by_hand():
    # AW, core 1 x 2 x 1 (one multiplier per DPU), K = T = 4, window box(time=3), sync="group".
    # DPU 0 has 4 products: 4 cycles. DPU 1 has one at step 0: 1 cycle (then it sees no work
    # within its depth-3 window and ends). The tile lasts 4 cycles, but the schedulers run
    # 4 + 1 = 5 scheduler-cycles (the old charge: 4 cycles x 2 schedulers = 8).
    core = gj.Core(rows=1, cols=2, lanes=1)
    acc = custom("sp", core, "AW", gj.Window.box(time=3), sync="group")
    a = np.zeros((2, 4), bool)
    a[0], a[1, 0] = True, True
    w = np.ones((4, 1), bool)
    ref = gj.reference_gemm(acc.hardware, a, w)
    assert (ref["cycles"], ref["group_cycles"]) == (4, 5)
    rep = cost.evaluate_layer(acc, "AW", a, w, TECH)
    assert rep.energy["schedulers"] == pytest.approx(5 * _per_sched(acc.hardware))
    # under core sync both schedulers run all of the shared pointer's cycles
    core_acc = custom("sp", core, "AW", gj.Window.box(time=3))
    ref = gj.reference_gemm(core_acc.hardware, a, w)
    rep = cost.evaluate_layer(core_acc, "AW", a, w, TECH)
    per = _per_sched(core_acc.hardware)
    assert rep.energy["schedulers"] == pytest.approx(ref["cycles"] * 2 * per)


def test_w_frames_per_real_row_by_hand():
    # W, core 2 x 1 x 2, K = 4 (T = 2), window [(1, 0, 0)] (F = 2: 1 selector bit), N = 3.
    # Tile 0 (channels 0, 1) is dense: 2 cycles x 2 rows; tile 1 (channel 2, one real row) is
    # empty: ceil(2 / 2) = 1 cycle x 1 row. 5 row-cycles of 2 real lanes (old: 3 cycles x 1.5).
    core = gj.Core(rows=2, cols=1, lanes=2)
    acc = custom("w", core, "W", gj.Window.from_offsets([(1, 0, 0)]))
    a = np.ones((1, 4), bool)
    w = np.ones((4, 3), bool)
    w[:, 2] = False
    ref = gj.reference_gemm(acc.hardware, a, w)
    assert (ref["cycles"], ref["row_cycles"]) == (3, 5)
    rep = cost.evaluate_layer(acc, "W", a, w, TECH)
    sram = sram_by_hand(TECH, core, wgt_meta=1)
    acts, outs = 1 * 4 * 8 * 2, 1 * 3 * 8
    assert rep.energy["metadata"] == pytest.approx(5 * 2 * 1 * sram["wgt"]["read"])
    assert rep.energy["sram"] == pytest.approx(
        acts * sram["act"]["read"] + 5 * 2 * 8 * sram["wgt"]["read"] + outs * sram["out"]["write"]
    )


def test_w_frames_under_group_sync_by_hand():
    # W, core 2 x 1 x 1, K = T = 2, window [(1, 0, 0)], sync="group", N = 3. Own cycles: channel
    # 0 (dense) 2, channel 1 (step 0 only) 1, channel 2 (dense) 2; tile 1's padded row has no
    # work and runs ceil(2 / 2) = 1 cycle but holds no frame. Real row-cycles: 2 + 1 + 2 = 5.
    core = gj.Core(rows=2, cols=1, lanes=1)
    acc = custom("w", core, "W", gj.Window.from_offsets([(1, 0, 0)]), sync="group")
    a = np.ones((1, 2), bool)
    w = np.ones((2, 3), bool)
    w[1, 1] = False
    ref = gj.reference_gemm(acc.hardware, a, w)
    assert (ref["cycles"], ref["group_cycles"], ref["row_cycles"]) == (4, 6, 6)
    rep = cost.evaluate_layer(acc, "W", a, w, TECH)
    wgt_read = sram_by_hand(TECH, core, wgt_meta=1)["wgt"]["read"]
    assert rep.energy["metadata"] == pytest.approx(5 * 1 * 1 * wgt_read)


def _tiles(a, w, core):
    """Yield (a_tile [C, K], w_tile [K, R], real columns, real rows), as reference_gemm tiles."""
    R, C = core.rows, core.cols
    for i in range(math.ceil(a.shape[0] / C)):
        a_tile = np.zeros((C, a.shape[1]), bool)
        cols = a[i * C : (i + 1) * C]
        a_tile[: cols.shape[0]] = cols
        for j in range(math.ceil(w.shape[1] / R)):
            w_tile = np.zeros((w.shape[0], R), bool)
            rows = w[:, j * R : (j + 1) * R]
            w_tile[:, : rows.shape[1]] = rows
            yield a_tile, w_tile, cols.shape[0], rows.shape[1]


EXACT_WINDOWS = {
    "A": gj.Window.from_offsets([(1, 0, 0), (1, 1, 0), (1, 0, 1), (2, -1, -1), (1, 0, -1)]),
    "W": gj.Window.from_offsets([(1, 0, 0), (1, -1, 0), (1, 0, 1), (2, 1, -1)]),
    "AW": gj.Window.from_offsets([(1, 0, 0), (2, 1, 0), (1, 0, 1), (1, 1, -1), (2, 0, 1)]),
}


@pytest.mark.parametrize("exploit", ["A", "W", "AW"])
@pytest.mark.parametrize("seed", [0, 1])
def test_schedule_charges_match_per_tile_reference(exploit, seed):
    """Extra-tree, scheduler and frame charges equal per-tile reference counts weighted by each
    tile's real rows / columns (M, N, R, C chosen so edge tiles are partial)."""
    core = gj.Core(rows=3, cols=2, lanes=4)
    rng = np.random.default_rng(seed)
    a, w = rng.random((M, K)) < 0.45, rng.random((K, N)) < 0.4
    win = EXACT_WINDOWS[exploit]
    acc = custom("x", core, exploit, win)
    design = acc.hardware
    trees = sched_cycles = row_cycles = 0
    for at, wt, real_c, real_r in _tiles(a, w, core):
        res = gj.reference_tile(reference_pending(design, at, wt), list(win.as_tuples()))
        fires_in = {"A": real_r, "W": real_c, "AW": 1}[exploit]
        trees += sum(res["tree_group_cycles"]) * fires_in
        sched_cycles += res["group_cycles"]
        row_cycles += res["cycles"] * real_r
    assert trees > 0  # not vacuous
    rep = cost.evaluate_layer(acc, exploit, a, w, TECH)
    assert rep.energy["extra_trees"] == pytest.approx(trees * _tree_plus_port(4))
    if exploit == "W":
        assert rep.energy["schedulers"] == 0
        lanes = K / math.ceil(K / 4)
        sel = math.ceil(math.log2(win.fan_in))
        wgt_read = sram_by_hand(TECH, core, wgt_meta=sel)["wgt"]["read"]
        assert rep.energy["metadata"] == pytest.approx(row_cycles * lanes * sel * wgt_read)
    else:
        assert rep.energy["schedulers"] == pytest.approx(sched_cycles * _per_sched(design))


def test_sparten_like_schedulers_charge_group_cycles():
    acc = preset("sparten_like", gj.Core(2, 2, 4))
    assert acc.hardware.sync == "group"
    a, w = _masks(9, 0.5, 0.5)
    act = gj.gemm_activity_batch([acc.hardware], a, w)
    rep = cost.evaluate_layer(acc, "AW", a, w, TECH)
    G = acc.hardware.core.rows * acc.hardware.core.cols
    assert int(act.group_cycles[0]) < int(act.cycles[0]) * G  # the old charge was larger
    assert rep.energy["schedulers"] == pytest.approx(
        int(act.group_cycles[0]) * _per_sched(acc.hardware)
    )


# -- energy_components: counted events priced by hand (docs/model.md 4.0.1) -------------------
def _v1_schedule(mode, a, w):
    ev = cost.layer_events(mode, a, w)
    if mode.exploit == "none":
        return ev, cost.Schedule(cycles=ev.analytic_cycles)
    return ev, cost.Schedule.from_activity(gj.gemm_activity_batch([mode], a, w), 0)


def _priced_by_hand(mode, c, sram, core_mm2, gated=False):
    """Every component of one layer from its ``Counts`` ``c``, with the cited 45 nm numbers of
    horowitz45.yaml and the rules of docs/model.md 4.0 / 4.0.1 / 4.2 / 4.4 / 4.5, for Griffin v1
    (AW hardware, per-multiplier muxes on both sides, a bypass path; ``gated``: with zero
    gating) on 8 lanes of 8-bit operands."""
    b, L = 8, 8
    density = 0.03 / 36  # the switching rule: the [H14] 8-bit adder's pJ per um^2
    dff, mux2, prio = 4.522 * density, 1.862 * density, 2 * 0.798 * density
    tree = 4 * _adder(16) + 2 * _adder(17) + _adder(18)  # 7 adders, one bit wider per level
    hw = mode.core  # the modes share the hardware's window: size 7, 6 distinct (dt, dl)
    offsets = preset("griffin_v1", hw).hardware.window.as_tuples()
    F_act, F_wgt = 1 + len(offsets), 1 + len({(t, l) for t, l, _ in offsets})
    own = mode.window.as_tuples()
    size, steps = len(own), len({(t, l) for t, l, _ in own})
    depth = max((t for t, _, _ in own), default=0)

    def select(F, live):  # b (ceil(log2 F) + F_on - 1) 2:1-cell events
        return b * mux2 * (math.ceil(math.log2(F)) + live - 1)

    bypass = b * mux2
    act_mux = {
        "none": c.executed * bypass,
        "W": c.executed * select(F_act, 1 + steps),
        "A": c.items * select(F_act, 1 + size) + c.executed * bypass,
        "AW": c.executed * select(F_act, 1 + size),
    }[mode.exploit]
    wgt_mux = c.executed * (select(F_wgt, 1 + steps) if mode.exploit in ("A", "AW") else bypass)
    staged_buffers = {"none": 0, "W": hw.cols, "A": hw.rows, "AW": hw.rows + hw.cols}
    per_scheduler = L * (1 + size) * prio + (depth + 1) * L * dff
    # docs/model.md 4.4: per DPU 8 product registers of 16 bits and a 32-bit accumulator, the
    # operand registers of the rows and columns, the active staging buffers at the hardware's
    # depth 2, the active schedulers' (D + 1) x L masks; every DPU clocked every cycle
    dpus = hw.rows * hw.cols
    unit = c.clocked_dpu_cycles / dpus
    assert unit == c.cycles  # sync="core"
    operand = (hw.rows + hw.cols) * L * b
    clocked = (
        unit * (dpus * (L * 2 * b + 32) + operand + staged_buffers[mode.exploit] * 2 * L * b)
        + c.scheduler_cycles * (depth + 1) * L
    )
    nand2 = 0.798 * density
    detect = (hw.rows + hw.cols) * L * (b - 1) + dpus * L  # detectors + gate enables
    return {
        "mult": c.products * 0.2,
        "adder_trees": (c.products / L if gated else c.busy_dpu_cycles) * tree,
        "registers": clocked * 0.0038 + dff * (c.products * 2 * b + unit * operand),
        "clock": 1.83 * clocked * 0.0038,
        "zero_detect": nand2 * (unit * detect + c.products * 2 * b) if gated else 0.0,
        "accumulators": c.busy_dpu_cycles * (0.1 + 32 * dff),
        "extra_trees": c.tree_dpu_cycles * (tree + 0.1),
        "act_mux": act_mux,
        "wgt_mux": wgt_mux,
        "staging": c.staged_rows * staged_buffers[mode.exploit] * L * b * dff,
        "schedulers": c.scheduler_cycles * per_scheduler,
        "leakage": 40.0 * core_mm2 * c.cycles / 1.0,
        "sram": c.act_value_bits * sram["act"]["read"]
        + c.wgt_value_bits * sram["wgt"]["read"]
        + c.out_bits * sram["out"]["write"],
        "metadata": c.act_meta_bits * sram["act"]["read"] + c.wgt_meta_bits * sram["wgt"]["read"],
        "sram_leakage": sum(x["leak"] for x in sram.values()) * c.cycles / 1.0,
    }


def test_energy_components_price_the_counts_by_hand():
    core = gj.Core(2, 4, 8)  # rows != cols: per-row and per-column parts differ
    g = preset("griffin_v1", core)  # a window of 7 offsets, an extra tree: every component
    a, w = _masks(11)
    # metadata: a 1-bit mask per activation, the larger of mask and W frame selector per weight
    sram = sram_by_hand(TECH, core, act_meta=1, wgt_meta=math.ceil(math.log2(7)))
    nonzero = set()
    # the same hardware with zero gating (docs/model.md 4.5) exercises the gated formulas
    for acc in (g, dataclasses.replace(g, gate_zero_products=True)):
        inv = cost.inventory(acc)
        for cat in gj.CATEGORIES:
            mode = acc.mode(cat)
            ev, sched = _v1_schedule(mode, a, w)
            counts = cost.layer_counts(acc, mode, ev, sched)
            got = cost.energy_components(
                inv,
                mode.exploit,
                cost.window_terms(mode.window),
                counts,
                cost.prices(TECH, core.lanes),
                0.25,
                structured=acc.structured,
            )
            want = _priced_by_hand(mode, counts, sram, 0.25, acc.gate_zero_products)
            assert set(got) == set(cost.ENERGY_COMPONENTS) == set(want)
            for k in want:
                assert got[k] == pytest.approx(want[k], rel=1e-12, abs=1e-300), (cat, k)
            nonzero |= {k for k, v in got.items() if v > 0}
    assert nonzero == set(cost.ENERGY_COMPONENTS)  # every formula was exercised


def test_layer_energy_is_deprecated_and_still_prices_a_layer():
    g = preset("griffin_v1", gj.Core(4, 4, 8))
    a, w = _masks(12)
    mode = g.mode("AW")
    ev, sched = _v1_schedule(mode, a, w)
    with pytest.warns(DeprecationWarning, match="energy_components"):
        old = cost.layer_energy(g, mode, ev, sched, TECH, 1.0)
    new = cost.energy_components(
        cost.inventory(g),
        mode.exploit,
        cost.window_terms(mode.window),
        cost.layer_counts(g, mode, ev, sched),
        cost.prices(TECH, 8),
        1.0,
    )
    assert old == new
