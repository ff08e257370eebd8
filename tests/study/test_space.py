"""grid_points / box_space / grid_entries: the study's grid of DesignPoints."""

import pytest

import griffin_jax as gj
from griffin_jax.design import DesignPoint
from griffin_jax.study import box_space, grid_entries, grid_points


def _slow_grid(core, exploits, time, lane, group, sync):
    # Straight from the rules: every box, kept when its lane reach fits and a group reach has a
    # neighbour group (and sync="core"); the dense core once.
    out = []
    for e in exploits:
        if e == "none":
            out.append(DesignPoint("none"))
            continue
        n_groups = {"A": core.cols, "W": core.rows, "AW": core.cols}[e]
        for t in time:
            for ln in lane:
                for g in group:
                    if ln >= core.lanes or (g > 0 and (n_groups == 1 or sync == "group")):
                        continue
                    out.append(DesignPoint(e, t, ln, g))
    return out


@pytest.mark.parametrize(
    "core, sync",
    [(gj.Core(4, 4, 8), "core"), (gj.Core(1, 4, 2), "core"), (gj.Core(4, 1, 8), "group")],
)
def test_grid_points_follow_the_skip_rules(core, sync):
    args = (("none", "A", "W", "AW"), (1, 2), (0, 1, 2), (0, 1))
    assert grid_points(core, *args, sync) == _slow_grid(core, *args, sync)
    assert [d.window for d in box_space(core, *args, sync)] == [
        p.window() for p in _slow_grid(core, *args, sync)
    ]


def test_listed_boxes_and_windows_join_the_grid_without_duplicates():
    core = gj.Core(4, 4, 8)
    pts = grid_points(
        core,
        ("A",),
        (1,),
        (0,),
        (0,),
        boxes=[(1, 0, 0), (2, 1, 1)],
        windows=[[(1, 0, 0)], [(1, 0, 0), (2, 0, 0)]],
    )
    assert pts == [
        DesignPoint("A", 1, 0, 0),
        DesignPoint("A", 2, 1, 1),
        DesignPoint("A", offsets=[(1, 0, 0), (2, 0, 0)]),
    ]


def test_an_unfit_explicit_window_is_an_error():
    with pytest.raises(ValueError, match=r"windows\[0\] for exploit A"):
        grid_points(gj.Core(4, 4, 8), ("A",), (1,), (0,), (0,), windows=[[(1, 8, 0)]])


def test_grid_entries_name_and_box():
    core = gj.Core(4, 4, 8)
    ents = grid_entries(core, ("none", "AW"), (2,), (1,), (0,), windows=[[(1, 1, 0)]])
    assert [e.accel.name for e in ents] == ["dense_grid", "AW:box(2,1,0)", "AW:1,1,0"]
    assert [e.box for e in ents] == [(0, 0, 0), (2, 1, 0), None]
    assert all(e.kind == "space" for e in ents)
    grp = grid_entries(core, ("A",), (1,), (0,), (0,), sync="group")
    assert grp[0].accel.name == "A:box(1,0,0):group" and grp[0].accel.hardware.sync == "group"
