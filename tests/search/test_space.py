"""The discrete search space: counting, bounds, projection, rounding, validation."""

import itertools

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.search import DesignPoint, Space
from griffin_jax.search._space import PARAMS


def test_default_space_counts_the_grid_and_the_distinct_designs():
    sp = Space()
    assert sp.grid_size == 4 * 7 * 4 * 3 == 336
    # "none" collapses to one design; every sparse exploit keeps all 7 x 4 x 3 windows.
    assert sp.size == 1 + 3 * 84 == len(set(sp.points()))
    assert sp.points()[0] == DesignPoint("none")


def test_every_point_builds_a_valid_design_with_the_box_window():
    sp = Space(core=gj.Core(4, 4, 8), time=(1, 2), lane=(0, 1), group=(0, 1))
    for p in sp.points():
        d = p.design(sp.core)
        assert d.exploit == p.exploit
        if p.exploit != "none":
            assert d.window == gj.Window.box(p.time, p.lane, p.group)
            assert p.window() == d.window and p.label == d.label()
        assert p in sp


def test_one_group_axis_fixes_group_reach_to_zero():
    core = gj.Core(rows=1, cols=4, lanes=8)  # W has one row: no neighbour group
    sp = Space(core=core, exploits=("A", "W"), time=(1, 2), lane=(0, 1), group=(0, 2))
    lo, hi = sp.bounds("W")
    assert hi[2] == 0 and sp.bounds("A")[1][2] == 2
    assert sp.canonical("W", 1, 1, 2) == DesignPoint("W", 1, 1, 0)
    assert sp.size == 2 * 2 * 3 + 2 * 2 * 1
    assert DesignPoint("W", 1, 1, 2) not in sp


def test_projection_keeps_parameters_in_bounds(rng):
    sp = Space()
    for e in sp.sparse_exploits:
        lo, hi = sp.bounds(e)
        theta = rng.normal(0.0, 20.0, size=(64, 3)).astype(np.float32)
        proj = sp.project(e, theta)
        assert (proj >= lo).all() and (proj <= hi).all()
        inside = (theta >= lo) & (theta <= hi)
        assert np.array_equal(proj[inside], theta[inside])  # points inside do not move


def test_rounding_and_neighbours_give_valid_designs(rng):
    sp = Space(core=gj.Core(4, 4, 8), time=(1, 5), lane=(0, 3), group=(0, 2))
    for _ in range(50):
        e = str(rng.choice(sp.sparse_exploits))
        theta = rng.uniform(-2.0, 8.0, size=3)
        p = sp.round(e, theta)
        assert p in sp and p.exploit == e
        near = sp.neighbours(e, theta)
        assert 1 <= len(near) <= 8 and all(q in sp for q in near)
        t = sp.project(e, theta)
        dist = [float(np.sum((np.array(q.theta) - t) ** 2)) for q in near]
        assert dist == sorted(dist)
        assert p in near  # the rounding is a corner of the unit cell
        assert np.isclose(dist[0], float(np.sum((np.array(p.theta) - t) ** 2)))


def test_integer_theta_rounds_to_itself():
    sp = Space()
    for p in sp.points()[1:]:
        assert sp.round(p.exploit, p.theta) == p
        assert sp.neighbours(p.exploit, p.theta) == (p,)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"time": (0, 3)}, "time"),
        ({"time": (3, 1)}, "time"),
        ({"lane": (0, 16)}, "lane"),
        ({"lane": (-1, 2)}, "lane"),
        ({"group": (-1, 2)}, "group"),
        ({"group": (0, 1.5)}, "group"),
        ({"exploits": ("A", "X")}, "exploits"),
        ({"exploits": ("A", "A")}, "exploits"),
        ({"exploits": ()}, "exploits"),
        ({"core": (8, 8, 16)}, "core"),
    ],
)
def test_bad_space_raises_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        Space(**kwargs)


def test_bad_points_raise_naming_the_field():
    sp = Space()
    with pytest.raises(ValueError, match="time"):
        sp.canonical("A", 9, 0, 0)
    with pytest.raises(ValueError, match="lane"):
        sp.canonical("AW", 1, 2.5, 0)
    with pytest.raises(ValueError, match="exploit"):
        sp.round("none", [1, 0, 0])  # the dense core has no parameters to round
    assert DesignPoint("A", 9, 0, 0) not in sp


def test_points_cover_the_grid_after_the_rules():
    sp = Space(core=gj.Core(2, 1, 4), time=(1, 2), lane=(0, 1), group=(0, 1))
    grid = set()
    for e in sp.exploits:
        for t, l, g in itertools.product(range(1, 3), range(2), range(2)):
            grid.add(sp.canonical(e, t, l, g))
    assert grid == set(sp.points())


def test_points_are_the_one_grid_over_the_bounds():
    from griffin_jax.design import box_grid
    from griffin_jax.search import SEARCH_RANGE

    space = Space()
    assert (space.time, space.lane, space.group) == tuple(SEARCH_RANGE[p] for p in PARAMS)
    expected = [DesignPoint("none")]
    for e in ("A", "W", "AW"):
        lo, hi = space.bounds(e)
        axes = [range(int(a), int(b) + 1) for a, b in zip(lo, hi)]
        expected += box_grid(space.core, (e,), *axes)
    assert list(space.points()) == expected
    # the grid's own points are all in the wider search space
    assert all(p in space for p in box_grid(space.core, ("A", "W", "AW")))
