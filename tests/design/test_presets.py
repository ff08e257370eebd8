"""Presets: the published mechanisms they approximate, equal peak, and every category runs."""

import math

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.design._griffin import CATEGORIES, DEFAULT_CORE
from griffin_jax.design._presets import (
    GRIFFIN_PRESETS,
    PRESETS,
    PRIOR_PRESETS,
    custom,
    l_shape,
    preset,
    t_shape,
)

SMALL = gj.Core(rows=2, cols=2, lanes=8)


def test_every_preset_builds_with_equal_peak_and_a_mechanism():
    for core in (DEFAULT_CORE, SMALL):
        for name in PRESETS:
            acc = preset(name, core)
            assert acc.name == name
            assert acc.core.multipliers == core.multipliers, name
            assert acc.mechanism.strip()
            for cat in CATEGORIES:
                assert acc.mode(cat).core == acc.core
    assert set(PRIOR_PRESETS) == set(PRESETS) - {"dense", *GRIFFIN_PRESETS}


def test_default_core_and_published_shapes():
    bt = preset("bit_tactical_like")
    assert bt.core == gj.Core(8, 8, 16)
    assert bt.hardware.exploit == "W" and bt.hardware.window.fan_in == 8
    assert bt.hardware.window == l_shape(2, 5)
    assert bt.hardware.window.as_tuples()[:2] == ((1, 0, 0), (2, 0, 0))
    td = preset("tensordash_like")
    assert td.hardware.exploit == "AW" and td.hardware.window.fan_in == 8 == t_shape().fan_in
    assert cost.inventory(td).act_mux_fan_in == cost.inventory(td).wgt_mux_fan_in == 8
    sp = preset("sparten_like")
    assert sp.core == gj.Core(32, 32, 1) and sp.hardware.sync == "group"
    assert sp.hardware.exploit == "AW" and sp.hardware.window.depth >= 8
    cv = preset("cnvlutin_like")
    assert cv.hardware.exploit == "A" and all(
        o[1] == o[2] == 0 for o in cv.hardware.window.as_tuples()
    )
    cx = preset("cambricon_x_like")
    assert cx.hardware.exploit == "W" and cx.hardware.window.fan_in == 16
    stc = preset("stc_2to4")
    assert stc.structured == "2:4" and cost.inventory(stc).act_mux_fan_in == 4
    assert preset("dense").hardware.exploit == "none"
    g = preset("griffin")
    assert g.reconfigurable and g.hardware.exploit == "AW"
    assert all(preset(n).reconfigurable for n in GRIFFIN_PRESETS)
    assert not any(preset(n).reconfigurable for n in PRESETS if n not in GRIFFIN_PRESETS)


def test_unknown_preset_and_bad_core():
    with pytest.raises(ValueError, match="preset name"):
        preset("eyeriss")
    with pytest.raises(ValueError, match="core"):
        preset("dense", (8, 8, 16))


RNG = np.random.default_rng(0)
A_MASK = RNG.random((6, 24)) < 0.5
W_MASK = RNG.random((24, 5)) < 0.4


@pytest.fixture(scope="module")
def all_reports():
    """Every preset on every category (category masks of one random layer)."""
    accs = [preset(n, SMALL) for n in PRESETS]
    out = {}
    for cat in CATEGORIES:
        aa, ww = cost.category_masks(A_MASK, W_MASK, cat)
        out[cat] = (aa, ww, accs, cost.layer_costs(accs, cat, aa, ww, "horowitz45"))
    return out


def test_every_preset_evaluates_on_every_category(all_reports):
    for cat, (_, _, _accs, reps) in all_reports.items():
        assert [r.name for r in reps] == list(PRESETS)
        for rep in reps:
            vals = [rep.energy_pj, rep.area_mm2, rep.tops_per_w, rep.tops_per_mm2, rep.speedup]
            assert all(math.isfinite(v) and v > 0 for v in vals), (rep.name, cat)
            assert all(v >= 0 for v in rep.energy.values())
            assert 0 < rep.cycles <= rep.dense_cycles


def test_presets_schedule_like_their_designs(all_reports):
    a, w, accs, reps = all_reports["AW"]
    for acc, rep in zip(accs, reps):
        if acc.structured is None:
            ref = gj.reference_gemm(acc.mode("AW"), a, w)["cycles"]
            assert rep.cycles == ref, acc.name
    # sparse designs find work to skip on a dual-sparse layer
    assert any(r.cycles < r.dense_cycles for r in reps)


def _nm24(rng, K, N):
    w = np.zeros((K, N), bool)
    for g in range(0, K, 4):
        for n in range(N):
            w[g + rng.choice(4, 2, replace=False), n] = True
    return w


def test_stc_runs_half_steps_only_on_24_weights():
    rng = np.random.default_rng(1)
    core = gj.Core(2, 2, 4)
    stc = preset("stc_2to4", core)
    a = rng.random((4, 32)) < 0.5
    w = _nm24(rng, 32, 4)
    (rep,) = cost.layer_costs([stc], "W", a, w, "horowitz45")
    T = 32 // 4
    assert rep.dense_cycles == 4 * T and rep.cycles == 4 * (T // 2)
    w[0:3, 0] = True  # break the 2:4 structure in one group: the layer runs dense
    (rep,) = cost.layer_costs([stc], "W", a, w, "horowitz45")
    assert rep.cycles == rep.dense_cycles
    # activation zeros are never skipped
    (rep,) = cost.layer_costs([stc], "A", a, np.ones_like(w), "horowitz45")
    assert rep.cycles == rep.dense_cycles


def test_fixed_presets_run_their_hardware_everywhere():
    acc = preset("bit_tactical_like", SMALL)
    assert {acc.mode(c) for c in CATEGORIES} == {acc.hardware}
    c = custom("x", SMALL, "A", gj.Window.box(1, 1))
    assert c.mode("W") == c.hardware and c.mechanism


def test_a_registered_preset_appears_wherever_presets_are_listed():
    import griffin_jax as gj
    from griffin_jax.design import PRESET_REGISTRY, PRESETS
    from griffin_jax.study import candidate_designs

    @gj.register_preset("toy_w", kind="prior", default=False, source="a test")
    def toy_w(core=None):
        """A toy weight-sparse preset."""
        core = gj.design.DEFAULT_CORE if core is None else core
        return gj.custom("toy_w", core, "W", gj.Window.box(1))

    try:
        assert "toy_w" in PRESETS and gj.preset("toy_w").hardware.exploit == "W"
        assert "toy_w" in gj.design.PRIOR_PRESETS
        assert "toy_w" not in gj.preset_names(default=True)
        cands = candidate_designs()
        assert "toy_w" in [a.name for a in cands["prior"]]
        assert "toy_w" in [a.name for a in cands["W"]]  # its hardware's exploit decides
    finally:
        PRESET_REGISTRY.unregister("toy_w")
    assert "toy_w" not in gj.design.PRIOR_PRESETS


def test_a_preset_must_build_an_accelerator():
    import griffin_jax as gj
    from griffin_jax.design import PRESET_REGISTRY

    gj.register_preset("broken", lambda core=None: "not hardware", kind="prior")
    try:
        with pytest.raises(ValueError, match="built str, not an Accelerator"):
            gj.preset("broken")
    finally:
        PRESET_REGISTRY.unregister("broken")
    with pytest.raises(ValueError, match="kind must be one of"):
        gj.register_preset("bad_kind", lambda core=None: None, kind="fancy")
