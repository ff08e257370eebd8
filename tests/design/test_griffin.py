"""The Griffin hybrid: per-category modes, wiring validator, accelerator validation."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.design._griffin import (
    CATEGORIES,
    Accelerator,
    default_mode_window,
    griffin,
    griffin_wired_window,
    validate_mode,
    wired_input,
)

CORE = gj.Core(rows=2, cols=3, lanes=8)
WIRED = gj.Window.from_offsets([(1, 0, 0), (1, 1, 0), (2, 0, 0), (1, 0, 1), (1, -1, -1)])


def test_default_modes():
    # an explicit wiring runs the default mode windows (the v1 wiring, kept as griffin_v1, which
    # runs as the first version did: no reuse, one mode per category)
    g = griffin(CORE, griffin_wired_window(), reuse=False, choose=False)
    assert g.hardware == gj.Design(CORE, "AW", griffin_wired_window())
    assert griffin_wired_window().fan_in == 8
    assert gj.preset("griffin_v1", CORE).modes == g.modes
    assert gj.preset("griffin_v1", CORE).name == "griffin_v1"
    assert not gj.preset("griffin_v1", CORE).choices and not g.reuse
    assert g.mode("dense") == gj.Design(CORE, "none")
    assert g.mode("W").exploit == "W" and g.mode("W").window == gj.Window.box(2, 1, 0)
    assert g.mode("A") == gj.Design(CORE, "A", griffin_wired_window())
    assert g.mode("AW") == g.hardware
    assert g.reconfigurable and g.core == CORE


def test_default_griffin_is_the_stored_derivation():
    d = gj.design.derived_griffin()
    g = griffin()
    assert g.hardware == gj.Design(gj.design.DEFAULT_CORE, "AW", d.wired)
    for cat, win in d.windows:
        assert g.mode(cat).window == win
    # an explicit mode window replaces that category's stored one only
    g2 = griffin(windows={"AW": d.windows[0][1]})
    assert g2.mode("AW").window.size == 0 and g2.mode("W") == g.mode("W")
    bal = gj.preset("griffin_balanced")
    assert bal.hardware.window == d.balanced
    assert bal.mode("A").window == default_mode_window(d.balanced, "A")


def test_mode_windows_follow_the_wiring_map():
    g = griffin(CORE, WIRED, reuse=False)
    # W mode keeps the dg == 0 inputs, in priority order
    assert g.mode("W").window.as_tuples() == ((1, 0, 0), (1, 1, 0), (2, 0, 0))
    assert default_mode_window(WIRED, "A") == WIRED
    assert default_mode_window(WIRED, "none").size == 0
    assert wired_input("AW", "A", (1, 0, 1)) == (1, 0, 1)
    assert wired_input("AW", "W", (2, 1, 0)) == (2, 1, 0)
    with pytest.raises(ValueError, match="dg"):
        wired_input("AW", "W", (1, 0, 1))


def test_custom_mode_windows_must_be_wired():
    ok = griffin(
        CORE,
        WIRED,
        windows={
            "W": gj.Window.from_offsets([(2, 0)]),
            "A": gj.Window.from_offsets([(1, 0, 1)]),
            "AW": gj.Window.empty(),
        },
    )
    assert ok.mode("W").window.as_tuples() == ((2, 0, 0),)
    assert ok.mode("AW").window.size == 0
    with pytest.raises(ValueError, match="not wired"):
        griffin(CORE, WIRED, windows={"AW": gj.Window.from_offsets([(3, 0)])})
    with pytest.raises(ValueError, match="not wired"):
        griffin(CORE, WIRED, windows={"A": gj.Window.from_offsets([(1, 0, -1)])})
    with pytest.raises(ValueError, match="rows"):  # W mode cannot use group offsets
        griffin(CORE, WIRED, windows={"W": gj.Window.from_offsets([(1, 0, 1)])}, reuse=False)
    with pytest.raises(ValueError, match="reuse window"):  # nor can its reuse
        griffin(CORE, WIRED, windows={"W": gj.Window.from_offsets([(1, 0, 1)])})
    with pytest.raises(ValueError, match="category"):
        griffin(CORE, WIRED, windows={"sparse": gj.Window.box(1)})


def test_validate_mode_rejects_everything_else():
    hw = gj.Design(CORE, "AW", WIRED)
    with pytest.raises(ValueError, match="core"):
        validate_mode(hw, gj.Design(gj.Core(2, 2, 8), "AW", WIRED))
    # A dense design with a window cannot even be built (Design refuses it).
    with pytest.raises(ValueError, match="must be empty for exploit 'none'"):
        validate_mode(hw, gj.Design(CORE, "none", gj.Window.box(1)))
    with pytest.raises(ValueError, match="sync"):
        validate_mode(hw, gj.Design(CORE, "W", gj.Window.box(1), sync="group"))
    with pytest.raises(ValueError, match="Design"):
        validate_mode(hw, "AW")
    w_hw = gj.Design(CORE, "W", gj.Window.box(2, 1))
    with pytest.raises(ValueError, match="cannot run"):
        validate_mode(w_hw, gj.Design(CORE, "A", gj.Window.box(1)))
    with pytest.raises(ValueError, match="cannot run"):
        validate_mode(gj.Design(CORE, "none"), gj.Design(CORE, "W", gj.Window.box(1)))
    validate_mode(w_hw, gj.Design(CORE, "W", gj.Window.box(1, 1)))  # a sub-window is fine
    validate_mode(w_hw, gj.Design(CORE, "none"))


def test_accelerator_validation():
    hw = gj.Design(CORE, "AW", WIRED)
    with pytest.raises(ValueError, match="name"):
        Accelerator(name="", hardware=hw)
    with pytest.raises(ValueError, match="hardware"):
        Accelerator(name="x", hardware=CORE)
    with pytest.raises(ValueError, match="category"):
        Accelerator(name="x", hardware=hw, modes={"WA": hw})
    with pytest.raises(ValueError, match="structured"):
        Accelerator(name="x", hardware=hw, structured="1:8")
    with pytest.raises(ValueError, match="structured"):
        Accelerator(name="x", hardware=hw, structured="2:4")
    with pytest.raises(ValueError, match="modes"):
        Accelerator(name="x", hardware=hw, modes=5)
    with pytest.raises(ValueError, match="gate_zero_products"):
        Accelerator(name="x", hardware=hw, gate_zero_products=1)
    acc = Accelerator(name="x", hardware=hw, modes=[("W", gj.Design(CORE, "W", gj.Window.box(1)))])
    assert acc.mode("W").exploit == "W" and acc.mode("AW") == hw and acc.mode("dense") == hw
    with pytest.raises(ValueError, match="category"):
        acc.mode("sparse")
    # frozen, hashable
    assert hash(acc) == hash(
        Accelerator(name="x", hardware=hw, modes={"W": gj.Design(CORE, "W", gj.Window.box(1))})
    )


def test_every_category_has_a_mode_that_schedules():
    rng = np.random.default_rng(3)
    a = rng.random((7, 30)) < 0.5
    w = rng.random((30, 5)) < 0.5
    g = griffin(CORE, WIRED)
    for cat in CATEGORIES:
        mode = g.mode(cat)
        ref = gj.reference_gemm(mode, a, w)
        assert ref["cycles"] <= ref["dense_cycles"]
        if cat == "dense":
            assert ref["cycles"] == ref["dense_cycles"]


def test_reuse_window_copies_the_own_column_inputs_one_depth_ahead():
    from griffin_jax.design import reuse_window

    # WIRED: dg == 0 inputs (1,0), (1,1), (2,0); depth 2: copies at dt + 2, priority kept
    assert reuse_window(WIRED).as_tuples() == (
        (1, 0, 0),
        (1, 1, 0),
        (2, 0, 0),
        (3, 0, 0),
        (3, 1, 0),
        (4, 0, 0),
    )
    assert reuse_window(gj.Window.box(2, 1, 0)) == gj.Window.box(4, 1, 0)
    assert reuse_window(gj.Window.from_offsets([(1, 0, 1)])).size == 0  # no own-column input
    g = griffin(CORE, WIRED)
    assert g.reuse and g.mode("W").window == reuse_window(WIRED)
    # A, AW and dense modes are the same with and without reuse (module doc: no reuse in A)
    plain = griffin(CORE, WIRED, reuse=False)
    for cat in ("dense", "A", "AW"):
        assert g.mode(cat) == plain.mode(cat)
    # the reused offsets need the reuse: refused on hardware without it
    hw = gj.Design(CORE, "AW", WIRED)
    far = gj.Design(CORE, "W", gj.Window.from_offsets([(4, 0, 0)]))
    validate_mode(hw, far, "W", reuse=True)
    with pytest.raises(ValueError, match="not wired"):
        validate_mode(hw, far, "W")
    with pytest.raises(ValueError, match="reuse window"):
        validate_mode(hw, gj.Design(CORE, "W", gj.Window.from_offsets([(5, 0, 0)])), "W", True)
    with pytest.raises(ValueError, match="reuse needs reconfigurable AW"):
        Accelerator("x", gj.Design(CORE, "W", gj.Window.box(1, 0, 0)), reuse=True)


def test_mode_choices_per_category():
    g = griffin(CORE, WIRED)
    w_modes = g.mode_choices("W")
    assert w_modes[0] == g.mode("W")  # the primary mode first
    assert [d.exploit for d in w_modes] == ["W", "W", "AW"]
    assert w_modes[1].window == default_mode_window(WIRED, "W")  # reuse left unused
    assert [d.exploit for d in g.mode_choices("A")] == ["A", "AW"]
    assert g.mode_choices("dense") == (gj.Design(CORE, "none"),)
    assert g.mode_choices("AW") == (g.hardware,)
    assert not griffin(CORE, WIRED, choose=False).choices
    # running one choice fixes it and leaves the hardware alone
    r = g.running("W", w_modes[2])
    assert r.mode("W") == w_modes[2] and not r.choices and r.hardware == g.hardware
    assert r.mode_choices("W") == (w_modes[2],)
    with pytest.raises(ValueError, match="not a mode it can run"):
        g.running("W", gj.Design(CORE, "A", WIRED))
    # a fixed preset has nothing to choose: running its mode is itself
    td = gj.preset("tensordash_like", CORE)
    assert td.running("W", td.mode("W")) is td
    with pytest.raises(ValueError, match="choices needs reconfigurable"):
        Accelerator("x", gj.Design(CORE, "AW", WIRED), choices={"W": (gj.Design(CORE, "none"),)})
    with pytest.raises(ValueError, match="not wired"):
        Accelerator(
            "x",
            gj.Design(CORE, "AW", WIRED),
            modes={"AW": gj.Design(CORE, "AW", WIRED)},
            choices={"W": (gj.Design(CORE, "W", gj.Window.box(3, 0, 0)),)},
        )


def test_griffin_noreuse_is_the_derived_wiring_without_reuse():
    g, n = gj.preset("griffin"), gj.preset("griffin_noreuse")
    assert n.hardware == g.hardware and not n.reuse and g.reuse
    wired = set(g.hardware.window.as_tuples())
    for cat in CATEGORIES:
        for d in n.mode_choices(cat):
            assert set(d.window.as_tuples()) <= wired


def test_a_mode_set_by_the_caller_runs_as_set():
    g = griffin(CORE, WIRED, windows={"W": gj.Window.box(1, 0, 0)})
    assert g.mode_choices("W") == (gj.Design(CORE, "W", gj.Window.box(1, 0, 0)),)
    assert len(g.mode_choices("A")) == 2  # the others keep their choice
