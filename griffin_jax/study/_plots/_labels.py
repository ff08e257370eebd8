"""Point labels that overlap neither each other nor the named markers and stay inside their
axes, kept off the other points and lines where room allows: a deterministic greedy placement.

Each label is measured once with the canvas's renderer; then, in the order given, it takes a
slot on rings of growing radius around its point (slots beside the point in 16 directions, to
the right first). A slot is allowed when it lies inside the axes and clears every label placed
so far and every named marker by a pixel. Of the allowed slots it takes the cheapest: each ring
out costs 1, each point or line sample it covers ``_CLUTTER_COST``, its leader line crossing a
placed label ``_CROSS_COST``, and sitting next to another named marker (where it would read as
that marker's label) ``_OTHER_MARKER_COST`` (the first of equal costs: nearest, then
rightmost). No canvas is
drawn while placing, so a panel of labels costs milliseconds (an iterative force layout such as
adjustText re-measures every label on every step and took seconds per figure). A label away
from its point gets a leader line, which the later labels keep off too.
"""

from __future__ import annotations

import numpy as np

_DIRECTIONS = 16
# Costs in rings (half a label height each): a label a few rings out on clear ground reads
# better than one beside its point over a dot, a line or across another label's leader.
_CLUTTER_COST = 0.5
_CROSS_COST = 12.0
# A label this close to another named marker reads as that marker's: costly, not forbidden.
_OTHER_MARKER_PX = 8.0
_OTHER_MARKER_COST = 10.0
_PAD_PX = 1.0
_LEADER_PX = 6.0  # a label this close to its marker's edge needs no leader line
_LEADER_SAMPLES = 8


def _covered(cand: np.ndarray, obstacles: np.ndarray, pad: float = 0.0) -> np.ndarray:
    """cand [n, 4], obstacles [m, 4] as (x0, y0, x1, y1) -> int [n]: how many obstacles each
    candidate overlaps (boxes closer than ``pad`` count as overlapping)."""
    if not len(obstacles):
        return np.zeros(len(cand), dtype=int)
    c, o = cand[:, None, :], obstacles[None, :, :]
    hit = (
        (c[..., 0] < o[..., 2] + pad)
        & (o[..., 0] < c[..., 2] + pad)
        & (c[..., 1] < o[..., 3] + pad)
        & (o[..., 1] < c[..., 3] + pad)
    )
    return hit.sum(axis=1)


def _square(centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """[n, 2] centres, [n] radii -> [n, 4] boxes."""
    return np.column_stack([centres - radii[:, None], centres + radii[:, None]])


def _candidates(anchor, w, h, radii) -> np.ndarray:
    """Boxes w x h beside ``anchor`` at each radius (rows: radius-major, direction-minor): the
    box touches the point at ``radius`` in its direction, so it never sits on the anchor."""
    ang = 2 * np.pi * np.arange(_DIRECTIONS) / _DIRECTIONS
    c, s = np.cos(ang), np.sin(ang)
    r = np.asarray(radii, dtype=float)[:, None]
    x0 = anchor[0] + r * c - w * (1 - c) / 2
    y0 = anchor[1] + r * s - h * (1 - s) / 2
    x0, y0 = x0.ravel(), y0.ravel()
    return np.column_stack([x0, y0, x0 + w, y0 + h])


def _line_samples(ax, lines, px_per_pt: float) -> np.ndarray:
    """Small boxes every few pixels along each polyline (data coordinates), so a label can
    keep off a drawn line the way it keeps off a point."""
    out = [np.zeros((0, 4))]
    for line in lines:
        xy = ax.transData.transform(np.asarray(line, dtype=float).reshape(-1, 2))
        out += [_segment_samples(a, b, px_per_pt) for a, b in zip(xy[:-1], xy[1:])]
    return np.concatenate(out)


def _place_labels(ax, texts, anchors, marker_pt, points, point_pt, lines=()) -> None:
    """Move ``texts`` (made at their anchors) to free slots and draw leader lines.

    Args:
      texts: the label ``Text`` artists; anchors: ``(x, y)`` data coordinates of each label's
        point; marker_pt: that point's marker width in points (a named marker: never covered).
      points: ``(x, y)`` of every point of the axes; point_pt: their marker widths (points).
      lines: polylines drawn on the axes (each a sequence of ``(x, y)``) to keep off too.
    Needs the axes' final position (``_freeze_layout``): placement works in display pixels.
    Labels never overlap one another or a named marker while a free slot exists.
    """
    if not texts:
        return
    # Freeze the limits: the leader lines must not rescale the axes under placed labels.
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    ax.set_autoscale_on(False)
    renderer = ax.figure.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    px_per_pt = ax.figure.dpi / 72
    anchor_px = ax.transData.transform(np.asarray(anchors, dtype=float).reshape(-1, 2))
    radius = np.asarray(marker_pt, dtype=float) * px_per_pt / 2
    named = _square(anchor_px, radius)
    clutter = [_line_samples(ax, lines, px_per_pt)]
    if len(points):
        pts_px = ax.transData.transform(np.asarray(points, dtype=float).reshape(-1, 2))
        clutter.append(_square(pts_px, np.asarray(point_pt, dtype=float) * px_per_pt / 2))
    clutter = np.concatenate(clutter)
    to_data = ax.transData.inverted()
    placed = np.zeros((0, 4))
    for i, t in enumerate(texts):
        ext = t.get_window_extent(renderer)
        w, h = ext.width, ext.height
        start = radius[i] + _PAD_PX + 1
        step = max(2.0, h / 2)
        n_rings = int((frame.width + frame.height) / step) + 1
        cand = _candidates(anchor_px[i], w, h, start + step * np.arange(n_rings))
        inside = (
            (cand[:, 0] >= frame.x0)
            & (cand[:, 2] <= frame.x1)
            & (cand[:, 1] >= frame.y0)
            & (cand[:, 3] <= frame.y1)
        )
        taken = np.concatenate([placed, named])
        ok = np.flatnonzero(inside & (_covered(cand, taken, _PAD_PX) == 0))
        x, y = anchor_px[i]
        if len(ok):
            box = cand[ok]
            leader = _leader_ends(anchor_px[i], box)
            others = np.delete(named, i, axis=0)
            cost = (
                ok // _DIRECTIONS
                + _CLUTTER_COST * _covered(box, clutter)
                + _CROSS_COST * _crossings(anchor_px[i], leader, placed)
                + _OTHER_MARKER_COST * _covered(box, others, _OTHER_MARKER_PX)
            )
            box = box[np.argmin(cost)]  # the first of the cheapest
        else:
            # No free slot anywhere (more text than the axes hold): leave it at its point.
            box = np.array([x, y, x + w, y + h])
        t.set_position(to_data.transform(box[:2]))
        t.set_horizontalalignment("left")
        t.set_verticalalignment("bottom")
        placed = np.vstack([placed, box])
        end = _leader_ends(anchor_px[i], box[None])[0]
        if np.hypot(*(end - anchor_px[i])) > radius[i] + _LEADER_PX:
            clutter = np.vstack([clutter, _segment_samples(anchor_px[i], end, px_per_pt)])
    # From each anchor to the nearest point of its label's box; one collection per axes (one
    # artist per line costs a draw call each).
    near = _leader_ends(anchor_px, placed)
    far = np.hypot(*(near - anchor_px).T) > radius + _LEADER_PX
    if far.any():
        from matplotlib.collections import LineCollection

        ends = to_data.transform(np.vstack([anchor_px[far], near[far]]))
        segments = np.stack([ends[: far.sum()], ends[far.sum() :]], axis=1)
        ax.add_collection(
            LineCollection(segments, colors="0.35", linewidths=0.5, zorder=5.5),
            autolim=False,
        )


def _leader_ends(anchor: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """[n, 4] boxes -> [n, 2]: the point of each box nearest ``anchor`` ([2] or [n, 2])."""
    return np.clip(anchor, boxes[:, :2], boxes[:, 2:])


def _crossings(anchor: np.ndarray, ends: np.ndarray, placed: np.ndarray) -> np.ndarray:
    """[n] how many ``placed`` boxes the segment from ``anchor`` to each of ``ends`` [n, 2]
    passes through (sampled at a few points, enough for label-sized boxes)."""
    if not len(placed):
        return np.zeros(len(ends), dtype=int)
    f = np.linspace(0.0, 1.0, _LEADER_SAMPLES)[None, :, None]
    pts = anchor + f * (ends[:, None, :] - anchor)  # [n, samples, 2]
    px, py = pts[..., 0, None], pts[..., 1, None]  # [n, samples, 1]
    inside = (
        (px > placed[:, 0]) & (px < placed[:, 2]) & (py > placed[:, 1]) & (py < placed[:, 3])
    )  # [n, samples, boxes]
    return inside.any(axis=1).sum(axis=1)


def _segment_samples(a: np.ndarray, b: np.ndarray, px_per_pt: float) -> np.ndarray:
    n = max(2, int(np.hypot(*(b - a)) / 3) + 1)
    f = np.linspace(0.0, 1.0, n)[:, None]
    return _square(a + f * (b - a), np.full(n, px_per_pt / 2))
