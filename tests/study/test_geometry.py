"""The dense-geometry study: enumeration, ranking, and agreement with cost.evaluate."""

import dataclasses
import math

import pytest

from griffin_jax import cost, design
from griffin_jax.design import Core
from griffin_jax.study import (
    GEOMETRY_COLUMNS,
    best_geometry,
    digits_study_workload,
    geometries,
    geometry_plot,
    geometry_study,
)
from griffin_jax.workloads import GemmLayer, Workload, bernoulli_mask


def _powers_of_two_triples(peak, max_lanes):
    """Reference: every (R, C, L) of powers of two by brute force over all divisors."""
    pows = [2**e for e in range(peak.bit_length())]
    return {
        (r, c, lanes)
        for r in pows
        for c in pows
        for lanes in pows
        if r * c * lanes == peak and lanes <= max_lanes
    }


@pytest.mark.parametrize("peak, max_lanes", [(1024, 64), (1, 64), (64, 4), (256, 1), (2, 64)])
def test_geometries_are_every_power_of_two_shape_of_the_peak(peak, max_lanes):
    cores = geometries(peak, max_lanes)
    shapes = [(c.rows, c.cols, c.lanes) for c in cores]
    assert len(shapes) == len(set(shapes))
    assert set(shapes) == _powers_of_two_triples(peak, max_lanes)
    assert all(c.multipliers == peak and c.lanes <= max_lanes for c in cores)


def test_peak_1024_has_56_geometries_ordered_by_lanes_then_rows():
    cores = geometries()
    # L = 2^e for e = 0..6 leaves 2^(10-e) multipliers split over rows and columns: 11 - e ways.
    assert len(cores) == sum(11 - e for e in range(7)) == 56
    keys = [(c.lanes, c.rows) for c in cores]
    assert keys == sorted(keys)
    assert max(c.lanes for c in cores) == 64 and any(c.lanes == 1 for c in cores)


def test_geometries_keep_the_template_buffers():
    tmpl = Core(8, 8, 16, act_kb=64, wgt_kb=256, out_kb=16)
    for c in geometries(256, 8, tmpl):
        assert (c.act_kb, c.wgt_kb, c.out_kb) == (64.0, 256.0, 16.0)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"peak": 0}, "peak"),
        ({"peak": 12}, "peak"),
        ({"peak": True}, "peak"),
        ({"peak": 1024.0}, "peak"),
        ({"max_lanes": 0}, "max_lanes"),
        ({"max_lanes": 65}, "max_lanes"),
        ({"max_lanes": 2.5}, "max_lanes"),
        ({"template_core": (8, 8, 16)}, "template_core"),
    ],
)
def test_bad_inputs_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        geometries(**kwargs)


def _synthetic(name="syn", seed=0):
    a = bernoulli_mask((24, 40), 0.5, seed)
    w = bernoulli_mask((40, 12), 0.4, seed + 1)

    def layers(category):
        yield GemmLayer("gemm", a, w, 3, name, category)

    return Workload(name, layers)


@pytest.fixture(scope="module")
def study_rows():
    return geometry_study([digits_study_workload("p75", 2), _synthetic()], peak=256, max_lanes=16)


def test_rows_have_the_columns_and_one_row_per_geometry(study_rows):
    assert [(r["rows"], r["cols"], r["lanes"]) for r in study_rows] == [
        (c.rows, c.cols, c.lanes) for c in geometries(256, 16)
    ]
    assert all(tuple(r) == GEOMETRY_COLUMNS for r in study_rows)


def test_best_is_the_max_of_the_table(study_rows):
    for flag, w, mm2 in (
        ("best", "tops_per_w", "tops_per_mm2"),
        ("best_core", "tops_per_w_core", "tops_per_mm2_core"),
    ):
        flagged = [r for r in study_rows if r[flag]]
        assert len(flagged) == 1
        top = max((r[w], r[mm2]) for r in study_rows)
        assert (flagged[0][w], flagged[0][mm2]) == top
        assert best_geometry(study_rows, core_only=flag == "best_core") is flagged[0]
    ranks = sorted(study_rows, key=lambda r: r["rank"])
    assert ranks[0]["best"] and ranks[0]["rank"] == 1
    assert all(a["tops_per_w"] >= b["tops_per_w"] for a, b in zip(ranks, ranks[1:]))


def test_core_only_is_part_of_the_total(study_rows):
    for r in study_rows:
        assert 0 < r["area_core_mm2"] <= r["area_mm2"]
        assert 0 < r["energy_core_pj"] <= r["energy_pj"]
        assert r["tops_per_w_core"] >= r["tops_per_w"]
        assert r["cycles"] == r["dense_cycles"]  # a dense core runs every step


def test_rows_match_cost_evaluate_of_each_dense_core_alone(study_rows):
    # Reference: each geometry priced on its own, network by network, then summed by hand.
    nets = [digits_study_workload("p75", 2), _synthetic()]
    for r, core in zip(study_rows, geometries(256, 16)):
        reps = [cost.evaluate([design.preset("dense", core)], "dense", wl)[0] for wl in nets]
        energy = math.fsum(rep.energy_pj for rep in reps)
        ops = sum(rep.ops for rep in reps)
        assert r["cycles"] == sum(rep.cycles for rep in reps)
        assert r["ops"] == ops
        assert r["area_mm2"] == reps[0].area_mm2
        assert r["tops_per_w"] == pytest.approx(ops / energy, rel=1e-12)


def test_the_study_is_taken_on_dense_masks():
    # A sparse synthetic layer and its all-ones version cost the same: the study densifies.
    ones = _synthetic()
    layer = next(iter(ones.for_category("dense")))
    full = Workload(
        "full",
        lambda c: iter(
            [dataclasses.replace(layer, a_mask=layer.a_mask | True, w_mask=layer.w_mask | True)]
        ),
    )
    a, b = (geometry_study([wl], peak=16, max_lanes=4) for wl in (ones, full))
    assert [r["energy_pj"] for r in a] == [r["energy_pj"] for r in b]


def test_workloads_must_be_study_workloads():
    with pytest.raises(ValueError, match="workloads"):
        geometry_study(_synthetic(), peak=16)
    with pytest.raises(ValueError, match="workloads"):
        geometry_study([], peak=16)


def test_plot_marks_the_best_and_the_default(study_rows, tmp_path):
    pytest.importorskip("matplotlib")
    p = geometry_plot(study_rows, tmp_path / "g.png", default=(4, 4, 16))
    assert (tmp_path / "g.png").stat().st_size > 0
    assert p.data["best"] == best_geometry(study_rows)["geometry"]
    assert p.data["best_core"] == best_geometry(study_rows, True)["geometry"]
    assert p.data["default"] == "4x4x16"
    assert len(p.data["geometry"]) == len(study_rows)
    with pytest.raises(ValueError, match="best"):
        geometry_plot([{**r, "best": False} for r in study_rows], tmp_path / "h.png")
