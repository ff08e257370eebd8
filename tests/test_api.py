"""gj.evaluate: one call from a design (or preset, accelerator, list) and a workload (GEMM,
layers, Workload, network name) to reports; to_rows / to_frame."""

import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.workloads import GemmLayer, Workload

CORE = gj.Core(4, 4, 8)


def _masks(rng, M=32, K=40, N=12, a=0.5, w=0.4):
    return rng.random((M, K)) < a, rng.random((K, N)) < w


def test_every_design_form_gives_the_cost_model_s_report(rng):
    a, w = _masks(rng)
    design = gj.Design(CORE, "AW", gj.Window.box(2, 1, 0))
    accel = gj.preset("tensordash_like", CORE)
    got = gj.evaluate([design, "dense", accel], (a, w), "AW", core=CORE)
    want = cost.evaluate(
        [gj.custom(design.label(), CORE, "AW", design.window), gj.preset("dense", CORE), accel],
        "AW",
        [("gemm", a, w, 1)],
    )
    assert [r.name for r in got] == ["AW:box(2,1,0)", "dense", "tensordash_like"]
    assert got == want  # CostReport equality: name, category, area, energy, cycles, ops
    one = gj.evaluate(design, (a, w), "AW")
    assert isinstance(one, gj.CostReport) and one == got[0]


def test_every_workload_form_agrees(rng):
    a, w = _masks(rng)
    layer = GemmLayer("gemm", a, w)
    forms = [(a, w), layer, [layer], [("gemm", a, w, 1)], Workload("net", [layer])]
    reps = [gj.evaluate("dense", f, "W", core=CORE) for f in forms]
    assert all(r == reps[0] for r in reps)


def test_a_network_name_is_loaded_from_the_registry():
    rep = gj.evaluate("griffin", "digits", "AW", n_images=2)
    want = cost.evaluate([gj.preset("griffin")], "AW", gj.workloads.load("digits", n_images=2))
    assert rep == want[0]
    with pytest.raises(ValueError, match="did you mean 'resnet50'"):
        gj.evaluate("dense", "resnet5", "AW")
    with pytest.raises(ValueError, match="network name"):
        gj.evaluate("dense", [GemmLayer("g", *_masks(np.random.default_rng(0)))], seed=3)


def test_category_fits_the_masks_by_default_and_fit_false_keeps_them(rng):
    a, w = _masks(rng)
    sparse = gj.preset("tensordash_like", CORE)
    # A dense model is dense: a sparse design finds nothing to skip (the category decides) ...
    assert gj.evaluate(sparse, (a, w), "dense").speedup == 1.0
    # ... unless the masks are kept as given
    assert gj.evaluate(sparse, (a, w), "dense", fit=False).speedup > 1.0
    # no category: the one the masks show
    assert gj.evaluate(sparse, (a, w)).category == "AW"
    assert gj.evaluate(sparse, (a | True, w)).category == "W"
    assert gj.evaluate(sparse, (a | True, w | True)).category == "dense"


def test_breakdowns_sum_to_the_totals_and_core_is_part_of_total(rng):
    rep = gj.evaluate("griffin", _masks(rng), "AW", core=CORE)
    assert math.fsum(rep.area_breakdown().values()) == pytest.approx(rep.area_mm2, rel=1e-12)
    assert math.fsum(rep.energy_breakdown().values()) == pytest.approx(rep.energy_pj, rel=1e-12)
    core_e, all_e = rep.energy_breakdown("core"), rep.energy_breakdown("total")
    assert set(core_e) < set(all_e)
    assert math.fsum(core_e.values()) == pytest.approx(rep.energy_core_pj, rel=1e-12)
    assert math.fsum(rep.area_breakdown("core").values()) == pytest.approx(rep.area_core_mm2)
    with pytest.raises(ValueError, match="scope"):
        rep.area_breakdown("sram")


def test_utilisation_is_work_over_multiplier_cycles(rng):
    # A dense core on tiles that fill it exactly is always busy.
    a, w = np.ones((8, 16), bool), np.ones((16, 8), bool)
    assert gj.evaluate("dense", (a, w), core=CORE).utilisation == 1.0
    # Every AW design executes the same effectual products: utilisation x cycles is constant.
    a, w = _masks(rng)
    designs = [gj.Design(CORE, "AW", gj.Window.box(t, l, 0)) for t in (1, 2, 3) for l in (0, 1)]
    reps = gj.evaluate(designs, (a, w), "AW")
    work = {round(r.utilisation * r.cycles * CORE.multipliers, 6) for r in reps}
    assert work == {float((a.astype(int) @ w.astype(int)).sum())}
    assert all(0 < r.utilisation <= 1 for r in reps)


def test_to_rows_has_a_column_per_component(rng):
    reps = gj.evaluate(["dense", "griffin"], _masks(rng), "AW", core=CORE)
    rows = gj.to_rows(reps)
    for r, row in zip(reps, rows):
        for k, v in r.area.items():
            assert row[f"area_{k}_mm2"] == v
        for k, v in r.energy.items():
            assert row[f"energy_{k}_pj"] == v
        assert row["utilisation"] == r.utilisation and row["tops_per_w"] == r.tops_per_w
    assert gj.to_rows(reps[0]) == rows[:1]
    with pytest.raises(ValueError, match=r"results\[0\]"):
        gj.to_rows([object()])


def test_to_frame_is_the_rows_as_a_dataframe(rng):
    pd = pytest.importorskip("pandas")
    reps = gj.evaluate(["dense", "griffin"], _masks(rng), "AW", core=CORE)
    frame = gj.to_frame(reps)
    assert isinstance(frame, pd.DataFrame)
    assert frame.to_dict("records") == gj.to_rows(reps)


def test_bad_inputs_name_what_is_wrong(rng):
    a, w = _masks(rng)
    with pytest.raises(ValueError, match=r"designs\[1\]"):
        gj.evaluate(["dense", 3], (a, w))
    with pytest.raises(ValueError, match=r"designs\[0\].*did you mean 'griffin'"):
        gj.evaluate("griffn", (a, w))
    with pytest.raises(ValueError, match="category"):
        gj.evaluate("dense", (a, w), "sparse")
    with pytest.raises(ValueError, match="workload must be"):
        gj.evaluate("dense", 3)
    with pytest.raises(ValueError, match="at least one"):
        gj.evaluate([], (a, w))


def test_the_older_call_form_still_works_with_a_warning(rng):
    a, w = _masks(rng)
    with pytest.warns(DeprecationWarning, match="gj.evaluate"):
        old = gj.evaluate([gj.preset("dense", CORE)], "AW", [("x", a, w, 1)])
    assert old == cost.evaluate([gj.preset("dense", CORE)], "AW", [("x", a, w, 1)])
