"""Designs as data: validation, the box order, pytree behaviour."""

import jax
import pytest

import griffin_jax as gj


def test_box_order_and_size():
    w = gj.Window.box(time=2, lane=1, group=1)
    tup = w.as_tuples()
    assert len(tup) == 2 * 3 * 3 == w.size
    assert w.fan_in == 1 + 18
    # dt outermost, then dg in (0,-1,+1), then dl in (0,-1,+1)
    assert tup[:4] == ((1, 0, 0), (1, -1, 0), (1, 1, 0), (1, 0, -1))
    assert tup[9] == (2, 0, 0)
    assert w.depth == 2 and w.has_group_offsets


def test_empty_window_and_labels():
    assert gj.Window.empty().size == 0 and gj.Window.empty().depth == 0
    assert gj.Window.box(0, 3, 2).size == 0
    assert gj.Window.box(2, 1, 0).label() == "box(2,1,0)"
    assert gj.Window.from_offsets([(2, 0), (1, 1)]).label() == "2,0,0;1,1,0"


def test_from_offsets_accepts_pairs_and_keeps_order():
    w = gj.Window.from_offsets([(2, 0), (1, -1, 0), (1, 0, 1)])
    assert w.as_tuples() == ((2, 0, 0), (1, -1, 0), (1, 0, 1))


def test_window_is_a_plain_hashable_value():
    w = gj.Window.from_offsets([(2, 1), (1, 0, -1)])
    assert w.as_tuples() == ((2, 1, 0), (1, 0, -1))
    assert w == gj.Window.from_offsets([(2, 1, 0), (1, 0, -1)]) and len({w, w}) == 1
    assert w != gj.Window.from_offsets([(1, 0, -1), (2, 1, 0)])  # order is priority
    assert not hasattr(w, "capacity") and not hasattr(w, "padded")
    import pickle

    assert pickle.loads(pickle.dumps(w)) == w


@pytest.mark.parametrize(
    "offsets, field",
    [
        ([(0, 1, 0)], "dt must be >= 1"),
        ([(-1, 0, 0)], "dt must be >= 1"),
        ([(1, 0, 0), (1, 0, 0)], "duplicate"),
        ([(1, 0, 0, 0)], "window offset 0"),
        ([(1.5, 0, 0)], "window offset 0"),
        ([(True, 0, 0)], "window offset 0"),
    ],
)
def test_invalid_windows_name_the_problem(offsets, field):
    with pytest.raises(ValueError, match=field):
        gj.Window.from_offsets(offsets)


@pytest.mark.parametrize("capacity", [0, 3.7, "8", 16])
def test_capacity_is_refused_by_name(capacity):
    with pytest.raises(ValueError, match="capacity"):
        gj.Window.from_offsets([(1, 0), (2, 0)], capacity=capacity)


@pytest.mark.parametrize(
    "offsets, field",
    [
        (None, "offsets must be a sequence"),
        ("12", "offsets must be a sequence"),
        (5, "offsets must be a sequence"),
        ([3], "window offset 0"),
        ([(1, 0), (2**31, 0)], "window offset 1.*int32"),
        ([(1, -(2**31), 0)], "int32"),
    ],
)
def test_from_offsets_refuses_non_sequences_and_huge_entries(offsets, field):
    with pytest.raises(ValueError, match=field):
        gj.Window.from_offsets(offsets)


@pytest.mark.parametrize("kw", [{"time": -1}, {"lane": -2}, {"group": 1.0}])
def test_box_rejects_bad_parameters(kw):
    with pytest.raises(ValueError, match="Window.box"):
        gj.Window.box(**kw)


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"rows": 0, "cols": 1, "lanes": 1}, "Core.rows"),
        ({"rows": 1, "cols": -3, "lanes": 1}, "Core.cols"),
        ({"rows": 1, "cols": 1, "lanes": 0}, "Core.lanes"),
        ({"rows": 1, "cols": 1, "lanes": 65}, "Core.lanes"),
        ({"rows": 1.0, "cols": 1, "lanes": 1}, "Core.rows"),
        ({"rows": "8", "cols": 1, "lanes": 1}, "Core.rows"),
    ],
)
def test_core_validation(kw, field):
    with pytest.raises(ValueError, match=field):
        gj.Core(**kw)


def test_design_validation():
    core = gj.Core(2, 2, 4)
    with pytest.raises(ValueError, match="exploit"):
        gj.Design(core, "X")
    with pytest.raises(ValueError, match="sync"):
        gj.Design(core, "A", sync="lane")
    with pytest.raises(ValueError, match="lanes"):
        gj.Design(core, "A", gj.Window.from_offsets([(1, 4, 0)]))
    with pytest.raises(ValueError, match="lanes"):
        gj.Design(core, "A", gj.Window.from_offsets([(1, -4, 0)]))
    with pytest.raises(ValueError, match="sync='group'"):
        gj.Design(core, "AW", gj.Window.box(1, 0, 1), sync="group")
    with pytest.raises(ValueError, match="Design.core"):
        gj.Design((2, 2, 4), "A")
    with pytest.raises(ValueError, match="Design.window"):
        gj.Design(core, "A", [(1, 0, 0)])
    # The widest legal lane reach is lanes - 1.
    gj.Design(core, "A", gj.Window.from_offsets([(1, 3, 0), (1, -3, 0)]))


def test_design_is_a_pytree_with_static_fields():
    d = gj.Design(gj.Core(2, 3, 4), "AW", gj.Window.box(2, 1, 1))
    leaves, treedef = jax.tree_util.tree_flatten(d)
    assert leaves == []  # every field is static metadata, the window included
    assert jax.tree_util.tree_unflatten(treedef, leaves) == d
    d2 = gj.Design(gj.Core(2, 3, 4), "AW", gj.Window.from_offsets([(3, 1, -1)]))
    assert jax.tree_util.tree_structure(d2) != treedef


def test_design_flows_through_jit_as_static_data():
    d = gj.Design(gj.Core(2, 3, 4), "AW", gj.Window.box(2, 1, 1))

    @jax.jit
    def depth(design, x):
        return x * design.window.depth

    assert int(depth(d, 3)) == 6


def test_nonsense_designs_are_refused():
    core = gj.Core(2, 3, 4)
    with pytest.raises(ValueError, match="Design.window must be empty for exploit 'none'"):
        gj.Design(core, "none", gj.Window.box(1))
    gj.Design(core, "none", gj.Window.empty())
    # dg offsets need a neighbour on the dg axis: W moves along rows (1 here), A along columns.
    with pytest.raises(ValueError, match="dg"):
        gj.Design(gj.Core(1, 3, 4), "W", gj.Window.box(1, 0, 1))
    with pytest.raises(ValueError, match="dg"):
        gj.Design(gj.Core(3, 1, 4), "AW", gj.Window.box(1, 0, 1))
    gj.Design(gj.Core(3, 1, 4), "W", gj.Window.box(1, 0, 1))
    with pytest.raises(ValueError, match="Core.rows"):
        gj.Core(rows=2**40, cols=1, lanes=1)
    with pytest.raises(ValueError, match="Core rows x cols x lanes"):
        gj.Core(rows=2**20, cols=2**10, lanes=4)


def test_group_maps_follow_the_table():
    core = gj.Core(2, 3, 4)
    from griffin_jax.design._core import group_axis, schedule_groups

    assert [schedule_groups(core, e) for e in ("none", "A", "W", "AW")] == [1, 3, 2, 6]
    assert [group_axis(core, e) for e in ("none", "A", "W", "AW")] == [1, 3, 2, 3]


def test_frozen():
    w = gj.Window.box(1)
    with pytest.raises(Exception):
        w._offsets = ()
    with pytest.raises(Exception):
        gj.Core(1, 1, 1).rows = 2


def test_a_huge_box_is_refused_before_anything_is_built():
    # Window.box(10**6) used to build a million offsets with a quadratic duplicate check.
    from griffin_jax.design._core import MAX_WINDOW_OFFSETS, MAX_WINDOW_TIME

    for args, match in (
        ((10**6,), "time must be <="),
        ((1, 64), "lane must be <"),
        ((1, 0, 2**40), "group must be <"),
        ((MAX_WINDOW_TIME, 1), "offsets; a window holds at most"),
    ):
        with pytest.raises(ValueError, match=match):
            gj.Window.box(*args)
    deep = gj.Window.box(MAX_WINDOW_TIME)
    assert len(deep.as_tuples()) == MAX_WINDOW_TIME == MAX_WINDOW_OFFSETS and deep.label() == (
        f"box({MAX_WINDOW_TIME},0,0)"
    )


def test_a_window_is_built_in_linear_time_and_its_size_is_bounded():
    from griffin_jax.design._core import MAX_WINDOW_OFFSETS

    offsets = [(t, 0, 0) for t in range(1, MAX_WINDOW_OFFSETS + 1)]
    assert (
        len(gj.Window(offsets).as_tuples()) == MAX_WINDOW_OFFSETS
    )  # quadratic: minutes; linear: ms
    with pytest.raises(ValueError, match="is a duplicate"):
        gj.Window([*offsets[:-1], (1, 0, 0)])

    def endless():
        t = 0
        while True:
            t += 1
            yield (t, 0, 0)

    with pytest.raises(ValueError, match="at most MAX_WINDOW_OFFSETS"):
        gj.Window(endless())
