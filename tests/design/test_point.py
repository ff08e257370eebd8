"""DesignPoint: one record for a box or an explicit window, checked against a core."""

import pytest

import griffin_jax as gj
from griffin_jax.design import DesignPoint


def test_box_point_is_the_box_window_and_the_search_keeps_the_same_class():
    from griffin_jax import search

    assert search.DesignPoint is DesignPoint
    p = DesignPoint("AW", 2, 1, 1)
    assert p.window() == gj.Window.box(2, 1, 1)
    assert p.label == "AW:box(2,1,1)" and p.box == (2, 1, 1) and p.is_box
    d = p.design(gj.Core(4, 4, 8))
    assert d.exploit == "AW" and d.window == p.window() and d.label() == p.label


def test_explicit_window_keeps_its_priority_order_and_reach():
    offs = [(2, 0, 0), (1, -1, 0), (1, 1, 1)]
    p = DesignPoint("A", offsets=offs)
    assert p.window().as_tuples() == tuple(offs)
    assert p.box == (2, 1, 1) and not p.is_box
    acc = p.accelerator(gj.Core(4, 4, 8), name="mine")
    assert acc.name == "mine" and acc.hardware.window == p.window()


def test_dense_point_has_no_window():
    p = DesignPoint("none")
    assert p.window().as_tuples() == () and p.label == "none"
    with pytest.raises(ValueError, match="no window"):
        DesignPoint("none", 1, 0, 0)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"exploit": "B"}, "exploit"),
        ({"exploit": "A", "time": 1, "offsets": [(1, 0, 0)]}, "either a box"),
        ({"exploit": "A", "offsets": [(1, 0)]}, "triples"),
    ],
)
def test_bad_points_are_rejected(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DesignPoint(**kwargs)


def test_check_names_why_a_window_does_not_fit():
    core = gj.Core(rows=1, cols=4, lanes=8)  # W has a single group (one row)
    assert DesignPoint("A", 1, 7, 1).fits(core)
    with pytest.raises(ValueError, match="lanes"):
        DesignPoint("A", 1, 8, 0).check(core)
    with pytest.raises(ValueError, match="neighbour group"):
        DesignPoint("W", 1, 0, 1).check(core)
    with pytest.raises(ValueError, match="sync='group'"):
        DesignPoint("A", 1, 0, 1).check(core, sync="group")
