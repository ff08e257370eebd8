"""run_study prices networks through cost.evaluate's one per-layer loop."""

import math

import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.design._presets import custom
from griffin_jax.study import Entry, run_study
from griffin_jax.workloads import GemmLayer, Workload

CORE = gj.Core(4, 4, 8)


def test_study_rows_equal_cost_evaluate(rng):
    masks = [(rng.random((8, 20)) < 0.5, rng.random((20, 6)) < 0.4) for _ in range(2)]

    def layers(category):
        for i, (a, w) in enumerate(masks):
            yield GemmLayer(f"l{i}", *cost.category_masks(a, w, category), i + 1, "n", category)

    entries = [
        Entry(custom("aw", CORE, "AW", gj.Window.box(1, 1)), "space", (1, 1, 0)),
        Entry(custom("dense", CORE, "none"), "preset"),
    ]
    wl = Workload("n", layers)
    seen = []
    results, summary = run_study(entries, [wl], ("A", "AW"), progress=seen.append)
    assert seen == ["n/A/l0", "n/A/l1", "n/AW/l0", "n/AW/l1"]
    assert len(results) == 8 and len(summary) == 4
    for row in summary:
        want = cost.evaluate(
            [e.accel for e in entries], row["category"], wl.for_category(row["category"])
        )
        rep = next(r for r in want if r.name == row["design"])
        assert row["cycles"] == rep.cycles and row["layers"] == 2
        assert row["energy_pj"] == pytest.approx(rep.energy_pj, rel=1e-12)
        # one column per cost component, named from the cost model's own lists
        for k in cost.COMPONENTS:
            assert row[f"area_{k}_mm2"] == pytest.approx(rep.area[k], rel=1e-12)
        for k in cost.ENERGY_COMPONENTS:
            assert row[f"energy_{k}_pj"] == pytest.approx(rep.energy[k], rel=1e-12)
        area = [row[f"area_{k}_mm2"] for k in cost.COMPONENTS]
        energy = [row[f"energy_{k}_pj"] for k in cost.ENERGY_COMPONENTS]
        assert math.fsum(area) == pytest.approx(row["area_mm2"], rel=1e-12)
        assert math.fsum(energy) == pytest.approx(row["energy_pj"], rel=1e-12)
    assert all(f"energy_{k}_pj" in r for r in results for k in cost.ENERGY_COMPONENTS)
    with pytest.raises(ValueError, match="'n', category 'A'"):
        run_study(entries, [Workload("n", lambda c: iter(()))], ("A",))


def test_category_overview_reads_rows_back_from_csv(tiny_study, tmp_path):
    from griffin_jax.study import category_overview, read_csv, write_csv

    summary = tiny_study[1]
    direct = category_overview(summary)
    back = category_overview(read_csv(write_csv(summary, tmp_path / "s.csv")))
    assert [(r["category"], r["role"], r["design"]) for r in back] == [
        (r["category"], r["role"], r["design"]) for r in direct
    ]
    assert [r["vs_dense"] for r in back] == pytest.approx([r["vs_dense"] for r in direct])
    assert {r["role"] for r in direct} == {"dense", "best grid", "best prior", "griffin"}
    # every Griffin variant of the run, side by side, in every category
    griffins = {r["design"] for r in summary if r["kind"] == "griffin"}
    for cat in {r["category"] for r in direct}:
        shown = [r["design"] for r in direct if r["category"] == cat and r["role"] == "griffin"]
        assert sorted(shown) == sorted(griffins)
