"""The tornado chart: inputs sorted by the width of their swing, fragile inputs marked."""

import math

import pytest

from griffin_jax.study import tornado_plot


def _tornado_rows():
    def row(inp, cat, lo, hi, fragile=False):
        return {
            "input": inp,
            "low": 0.5,
            "high": 2.0,
            "claim": "(a) dual-sparse loss",
            "reading": "",
            "category": cat,
            "ratio_nominal": 0.9,
            "ratio_low": lo,
            "ratio_high": hi,
            "fragile": fragile,
        }

    return [
        row("small", "W", 0.89, 0.91),
        row("wide", "W", 0.5, 1.2, True),
        row("one_sided", "W", 0.95, 0.99),
        row("wide", "A", 0.9, 0.9),
    ]


def test_tornado_sorts_by_width_and_marks_fragile(tmp_path):
    plot = tornado_plot(_tornado_rows(), tmp_path / "t.png", claim="(a) dual-sparse loss")
    w = plot.data["panels"]["weight-sparse models"]
    assert [s.split(" ")[0] for s in w["inputs"]] == ["wide*", "one_sided", "small"]
    assert w["low"][0] == pytest.approx(math.log(0.5 / 0.9))
    assert w["high"][1] == pytest.approx(math.log(0.99 / 0.9))
    assert (tmp_path / "t.png").stat().st_size > 0
    with pytest.raises(ValueError, match="claim"):
        tornado_plot(_tornado_rows(), tmp_path / "u.png", claim="(b) nothing", reading="R1")
