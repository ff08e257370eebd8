"""run_study prices networks through cost.evaluate's one per-layer loop."""

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
    with pytest.raises(ValueError, match="'n', category 'A'"):
        run_study(entries, [Workload("n", lambda c: iter(()))], ("A",))
