"""Label placement: labels apart, inside their axes, off the named markers, deterministic."""

import numpy as np
import pytest

from griffin_jax.study._plots import _pareto
from griffin_jax.study._plots._labels import _place_labels
from griffin_jax.study._plots._style import _figure, _freeze_layout
from tests.conftest import assert_apart_and_inside, crowded_plot_table, text_boxes


def test_crowded_labels_come_apart():
    """Eight prior designs a hair apart per panel: every label is apart and inside."""
    pytest.importorskip("matplotlib")
    data = _pareto._pareto_data(crowded_plot_table(), "area_mm2", "tops_per_w", ("preset",), None)
    fig = _pareto._draw_pareto(data, "area_mm2", "tops_per_w", None)
    for ax in fig.axes:
        frame, boxes = text_boxes(fig, ax)
        assert len(boxes) >= 8
        assert_apart_and_inside(frame, boxes)


def _stacked(n, marker_pt=8.0):
    """n labels on one point in the middle of an axes with a cloud of small dots around it."""
    fig = _figure((3.0, 2.5))
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    dots = rng.uniform(0.0, 1.0, (60, 2))
    ax.scatter(dots[:, 0], dots[:, 1], s=4)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _freeze_layout(fig)
    anchors = [(0.5, 0.5)] * n
    texts = [ax.text(0.5, 0.5, f"label_{i}", fontsize=6.5) for i in range(n)]
    _place_labels(ax, texts, anchors, [marker_pt] * n, dots, [2.0] * len(dots))
    return fig, ax, texts


def test_stacked_labels_are_apart_inside_and_off_the_marker():
    pytest.importorskip("matplotlib")
    fig, ax, texts = _stacked(12)
    frame, boxes = text_boxes(fig, ax)
    assert len(boxes) == 12
    assert_apart_and_inside(frame, boxes)
    mx, my = ax.transData.transform((0.5, 0.5))
    r = 8.0 * fig.dpi / 72 / 2
    for name, box in boxes:  # the named marker stays visible
        assert box.x0 > mx + r or box.x1 < mx - r or box.y0 > my + r or box.y1 < my - r, name
    # a leader line from the point to every label that had to move away from it
    (leaders,) = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    assert 0 < len(leaders.get_segments()) <= 12
    for seg in leaders.get_segments():
        assert tuple(seg[0]) == pytest.approx((0.5, 0.5))


def test_placement_is_deterministic():
    pytest.importorskip("matplotlib")
    a = [t.get_position() for t in _stacked(6)[2]]
    b = [t.get_position() for t in _stacked(6)[2]]
    assert a == b


def test_a_lone_label_sits_beside_its_point():
    pytest.importorskip("matplotlib")
    fig = _figure((3.0, 2.5))
    ax = fig.subplots()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _freeze_layout(fig)
    t = ax.text(0.3, 0.5, "alone", fontsize=6.5)
    _place_labels(ax, [t], [(0.3, 0.5)], [6.0], [], [])
    _, [(_, box)] = text_boxes(fig, ax)
    mx, my = ax.transData.transform((0.3, 0.5))
    assert box.x0 > mx and box.x0 - mx < 10  # to the right, a few pixels off the marker
    assert box.y0 < my < box.y1
    assert not ax.collections  # close enough to need no leader line
