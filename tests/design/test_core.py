"""Designs as data: validation, the box order, pytree behaviour."""

import jax
import numpy as np
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


def test_capacity_is_a_power_of_two_bucket():
    assert gj.Window.box(1, 0, 0).capacity == 8
    assert gj.Window.box(3, 1, 1).capacity == 32  # 27 offsets
    w = gj.Window.from_offsets([(1, 0)], capacity=16)
    assert w.capacity == 16 and w.size == 1
    assert np.asarray(w.valid).sum() == 1


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


def test_window_capacity_too_small():
    with pytest.raises(ValueError, match="capacity"):
        gj.Window.from_offsets([(1, 0), (2, 0)], capacity=1)


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


def test_design_is_a_pytree_with_static_geometry():
    d = gj.Design(gj.Core(2, 3, 4), "AW", gj.Window.box(2, 1, 1))
    leaves, treedef = jax.tree_util.tree_flatten(d)
    assert len(leaves) == 2  # window offsets and valid mask
    assert leaves[0].shape == (32, 3) and leaves[1].shape == (32,)
    back = jax.tree_util.tree_unflatten(treedef, leaves)
    assert back == d
    # Geometry is static: two designs with other windows have the same treedef.
    d2 = gj.Design(gj.Core(2, 3, 4), "AW", gj.Window.from_offsets([(3, 1, -1)], capacity=32))
    assert jax.tree_util.tree_structure(d2) == treedef
    d3 = gj.Design(gj.Core(2, 3, 8), "AW", gj.Window.box(2, 1, 1))
    assert jax.tree_util.tree_structure(d3) != treedef


def test_design_flows_through_jit():
    d = gj.Design(gj.Core(2, 3, 4), "AW", gj.Window.box(2, 1, 1))

    @jax.jit
    def depth(design):
        return (design.window.offsets[:, 0] * design.window.valid).max()

    assert int(depth(d)) == 2


def test_frozen():
    w = gj.Window.box(1)
    with pytest.raises(Exception):
        w.offsets = None
    with pytest.raises(Exception):
        gj.Core(1, 1, 1).rows = 2
