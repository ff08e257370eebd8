"""The dense-geometry chart from hand-made rows: axis order, the flagged best, the default."""

import pytest

from griffin_jax.study import geometry_plot


def _rows():
    def row(r, c, lanes, eff, core, best=False, best_core=False):
        return {
            "rows": r,
            "cols": c,
            "lanes": lanes,
            "tops_per_w": eff,
            "tops_per_w_core": core,
            "best": best,
            "best_core": best_core,
        }

    return [
        row(8, 8, 16, 3.0, 7.0, best=True),
        row(4, 4, 64, 2.0, 8.0, best_core=True),
        row(2, 8, 64, 1.5, 6.0),
        row(16, 4, 16, 2.5, 5.0),
    ]


def test_geometries_grouped_by_lanes_then_rows(tmp_path):
    pytest.importorskip("matplotlib")
    p = geometry_plot(_rows(), tmp_path / "g.png", default=(4, 4, 64))
    assert p.data["geometry"] == ["8x8x16", "16x4x16", "2x8x64", "4x4x64"]
    assert p.data["tops_per_w"] == [3.0, 2.5, 1.5, 2.0]
    assert p.data["best"] == "8x8x16" and p.data["best_core"] == "4x4x64"
    assert p.data["default"] == "4x4x64"
    assert geometry_plot(_rows(), tmp_path / "h.png", default="1x1x1").data["default"] is None
    assert (tmp_path / "g.png").stat().st_size > 0


def test_exactly_one_best_flag(tmp_path):
    rows = _rows()
    rows[2]["best"] = "True"
    with pytest.raises(ValueError, match="best: exactly one"):
        geometry_plot(rows, tmp_path / "g.png")
    with pytest.raises(ValueError, match="tops_per_w_core"):
        geometry_plot([{k: v for k, v in r.items() if k != "tops_per_w_core"} for r in rows], "x")
