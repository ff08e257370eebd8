"""Study plots' row helpers: the Pareto front by hand, network combination."""

import math

import pytest

from griffin_jax.study._plots._rows import _combine_networks, pareto_front


def _pts(*xy):
    return [{"design": f"p{i}", "x": x, "y": y} for i, (x, y) in enumerate(xy)]


def test_pareto_front_by_hand():
    #          p0       p1      p2 (B beats: same x, lower y)  p3 (same y, larger x)
    rows = _pts(
        (1, 1),
        (2, 2),
        (2, 1),
        (3, 2),
        #  p4: smaller x and smaller y: not dominated   p5: duplicate of p1   p6
        (0.5, 0.5),
        (2, 2),
        (4, 5),
    )
    front = pareto_front(rows, "x", "y")
    assert [r["design"] for r in front] == ["p4", "p0", "p1", "p5", "p6"]
    # dominance is one-way: reversing y's sense (negating it) gives a different front
    flipped = [{**r, "y": -r["y"]} for r in rows]
    assert [r["design"] for r in pareto_front(flipped, "x", "y")] == ["p4"]


def test_pareto_front_ties_and_edge_cases():
    # equal x: only the highest y survives; equal y: only the smallest x
    rows = _pts((1, 3), (1, 2), (1, 3), (0.5, 1), (2, 3))
    assert [r["design"] for r in pareto_front(rows, "x", "y")] == ["p3", "p0", "p2"]
    assert pareto_front([], "x", "y") == []
    single = _pts((7, 7))
    assert pareto_front(single, "x", "y") == single
    # numbers given as strings (a table read back from CSV) compare as numbers, not text
    text = [{"design": "a", "x": "10", "y": "2"}, {"design": "b", "x": "9", "y": "1"}]
    assert [r["design"] for r in pareto_front(text, "x", "y")] == ["b", "a"]


def test_pareto_front_bad_input():
    with pytest.raises(ValueError, match="'z'"):
        pareto_front(_pts((1, 1)), "x", "z")
    with pytest.raises(ValueError, match="y"):
        pareto_front([{"x": 1, "y": "fast"}], "x", "y")
    with pytest.raises(ValueError, match="rows"):
        pareto_front({"x": 1, "y": 1}, "x", "y")


def test_combine_networks_takes_the_geometric_mean_per_design():
    rows = [
        {"design": "a", "category": "W", "network": "n1", "v": 2.0, "rows": 4},
        {"design": "a", "category": "W", "network": "n2", "v": 8.0, "rows": 4},
        {"design": "a", "category": "A", "network": "n1", "v": 3.0, "rows": 4},
        {"design": "a", "category": "W", "network": "n1", "v": 5.0, "rows": 8},  # other core
    ]
    out = {(r["category"], r["rows"]): r for r in _combine_networks(rows, ("v",))}
    assert (
        out[("W", 4)]["v"] == pytest.approx(math.sqrt(2.0 * 8.0)) and out[("W", 4)]["networks"] == 2
    )
    assert out[("A", 4)]["v"] == 3.0 and out[("W", 8)]["v"] == 5.0
    with pytest.raises(ValueError, match="positive"):
        _combine_networks([{**rows[0], "v": 0.0}, rows[1]], ("v",))
