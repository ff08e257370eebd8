"""Golden results: exact counts, cost reports and one search on the shipped digits workload.

``tests/data/golden.json`` was written by the code before the architecture refactor (issue 11:
one cost model, one workload type); a refactor must reproduce it: integers exactly, floats to a
relative 1e-9. Regenerate only when a change of the model's answers is intended, and say so in
the commit:

    PYTHONPATH=$PWD python tests/test_golden.py --write

The whole fixture is compared under ``GRIFFIN_SLOW=1``. By default (CI) a fixed subset of every
kind of entry is recomputed and compared (``compute_small``): the scheduler counters and the
per-layer cost reports of every design and category on a cheap layer (``SMALL_LAYER``), and of
the search, the exact mix objective of its best design (the whole network through
``cost.evaluate``) and the relaxed objective and rounding of every incumbent. Most of the full
comparison's time is spent compiling the scheduler for the larger layers and the search's
descent.
"""

from __future__ import annotations

import json
import math
import pathlib
import sys

import numpy as np
import pytest

GOLDEN = pathlib.Path(__file__).parent / "data" / "golden.json"
N_IMAGES = 4
VARIANT = "p75"
CATEGORIES = ("dense", "W", "A", "AW")
# Grid designs beyond the presets: every sparse exploit, time/lane/group reach, group sync.
GRID = (
    ("A", 1, 0, 0),
    ("A", 3, 1, 0),
    ("W", 2, 1, 0),
    ("W", 1, 0, 1),
    ("AW", 1, 1, 0),
    ("AW", 2, 1, 1),
    ("AW", 3, 0, 2),
)
REL = 1e-9
# The relaxation runs in float32: its descent iterates and relaxed values (the search history)
# match to float32 precision; every exact figure (and the search's exact results) to REL.
REL_F32 = 1e-5
# The layer of the default (small) comparison: the fully connected one (K = 512, 32 steps of 16
# lanes, ragged output tiles), the cheapest to schedule after the one-step conv1.
SMALL_LAYER = "fc"


def _accels():
    import griffin_jax as gj
    from griffin_jax.design import preset
    from griffin_jax.design._presets import PRESETS, custom

    core = gj.design.DEFAULT_CORE
    out = [preset(n) for n in PRESETS]
    out += [custom(f"{e}_box{t}{l}{g}", core, e, gj.Window.box(t, l, g)) for e, t, l, g in GRID]
    out.append(custom("AW_box210_group", core, "AW", gj.Window.box(2, 1, 0), "group"))
    return out


def _layers():
    from griffin_jax.workloads import digits_workload

    return [(g.name, g.a_mask, g.w_mask) for g in digits_workload(VARIANT, n_images=N_IMAGES)]


def _report(r) -> dict:
    return {
        "name": r.name,
        "category": r.category,
        "area": dict(r.area),
        "energy": dict(r.energy),
        "cycles": int(r.cycles),
        "dense_cycles": int(r.dense_cycles),
        "ops": int(r.ops),
    }


def _activity(accels, layers) -> dict:
    """Scheduler counters of every distinct operating design, per category and layer."""
    from griffin_jax.cost._evaluate import category_masks
    from griffin_jax.sim import gemm_activity_batch

    out = {}
    for cat in CATEGORIES:
        modes = []
        for acc in accels:
            m = acc.mode(cat)
            if m.exploit != "none" and acc.structured is None and m not in modes:
                modes.append(m)
        for name, a, w in layers:
            a2, w2 = category_masks(a, w, cat)
            act = gemm_activity_batch(modes, a2, w2)
            for i, m in enumerate(modes):
                n = m.window.size + 1
                out[f"{cat}/{name}/{m.label()}"] = {
                    "cycles": int(act.cycles[i]),
                    "dense_cycles": int(act.dense_cycles[i]),
                    "taken": [int(x) for x in act.taken[i, :n]],
                    "tree_group_cycles": [int(x) for x in act.tree_group_cycles[i, :n]],
                    "busy_group_cycles": int(act.busy_group_cycles[i]),
                    "group_cycles": int(act.group_cycles[i]),
                    "row_cycles": int(act.row_cycles[i]),
                    "work": int(act.work[i]),
                }
    return out


def _layer_costs(accels, layers) -> dict:
    """Per-layer cost reports of every design and category (``_costs`` less the network)."""
    from griffin_jax.cost._evaluate import category_masks, layer_costs

    out = {}
    for cat in CATEGORIES:
        for name, a, w in layers:
            a2, w2 = category_masks(a, w, cat)
            for r in layer_costs(accels, cat, a2, w2):
                out[f"{cat}/{name}/{r.name}"] = _report(r)
    return out


def _costs(accels, layers) -> dict:
    from griffin_jax.cost import evaluate

    out = _layer_costs(accels, layers)
    for cat in CATEGORIES:
        net = evaluate(accels, cat, [(n, a, w, 1) for n, a, w in layers])
        for r in net:
            out[f"{cat}/network/{r.name}"] = _report(r)
    return out


def _search_space():
    from griffin_jax import search

    return search.Space(time=(1, 3), lane=(0, 1), group=(0, 1))


def _search_mix(layers) -> list:
    return [(f"digits-{VARIANT}", [(n, a, w, 1) for n, a, w in layers], "AW", 1.0)]


def _search(layers) -> dict:
    from griffin_jax import search

    space = _search_space()
    wl = _search_mix(layers)
    res = search.run_search(
        wl,
        "tops_per_w",
        space,
        seed=0,
        steps=6,
        restarts=2,
        max_exact=6,
        candidates=3,
        exact_every=3,
        max_tiles=4,
    )
    return {
        "best": res.best.label,
        "best_value": res.best_value,
        "n_exact": res.n_exact,
        "evaluated": [[p.label, v] for p, v in res.evaluated],
        "history": [
            [h.step, h.exploit, list(h.theta), h.relaxed, h.design, h.exact] for h in res.history
        ],
    }


def compute() -> dict:
    accels, layers = _accels(), _layers()
    return {
        "activity": _activity(accels, layers),
        "costs": _costs(accels, layers),
        "search": _search(layers),
    }


def _search_small(layers, want: dict) -> tuple[dict, dict]:
    """The default run's part of the search: the exact mix objective of the stored best design
    (the search's ``ExactEvaluator``, every layer through ``cost.evaluate``), and at every
    stored incumbent ``theta`` its relaxed objective (``Relaxation`` built as the search builds
    it) and its rounding. Returns ``(want, got)`` subsets of the ``search`` entry."""
    from griffin_jax import search
    from griffin_jax.search._evaluator import exact_value

    space, wl = _search_space(), _search_mix(layers)
    best = {p.label: p for p in space.points()}[want["best"]]
    (metrics,) = search.ExactEvaluator(wl, space)([best])
    rel = search.relax(wl, space, max_tiles=4)
    history = [
        [
            step,
            float(rel.metrics(exploit, theta).value("tops_per_w")),
            space.round(exploit, theta).label,
        ]
        for step, exploit, theta, *_ in want["history"]
    ]
    return (
        {
            "best_value": want["best_value"],
            "history": [[h[0], h[3], h[4]] for h in want["history"]],
        },
        {"best_value": exact_value(metrics, "tops_per_w"), "history": history},
    )


def compute_small(want: dict) -> tuple[dict, dict]:
    """The default run's subset of ``compute()`` and the fixture's matching entries, as
    ``(want, got)``: every category and design on ``SMALL_LAYER``, and ``_search_small``."""
    accels, layers = _accels(), _layers()
    small = [layer for layer in layers if layer[0] == SMALL_LAYER]
    got = {"activity": _activity(accels, small), "costs": _layer_costs(accels, small)}
    sub = {
        part: {k: v for k, v in want[part].items() if k.split("/")[1] == SMALL_LAYER}
        for part in got
    }
    sub["search"], got["search"] = _search_small(layers, want["search"])
    return sub, got


def _diff(path, want, got, out, rel):
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(want) != set(got):
            out.append(
                f"{path}: keys {sorted(want) if isinstance(want, dict) else want} != "
                f"{sorted(got) if isinstance(got, dict) else got}"
            )
            return
        for k in want:
            _diff(f"{path}/{k}", want[k], got[k], out, rel)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            out.append(f"{path}: {want} != {got}")
            return
        for i, (a, b) in enumerate(zip(want, got)):
            _diff(f"{path}[{i}]", a, b, out, rel)
    elif isinstance(want, float) or isinstance(got, float):
        if path.startswith("/search/history"):
            rel = max(rel, REL_F32)
        if (
            want is None
            or got is None
            or not (
                (math.isnan(want) and math.isnan(got))
                or math.isclose(want, got, rel_tol=rel, abs_tol=1e-12)
            )
        ):
            out.append(f"{path}: {want!r} != {got!r}")
    elif want != got:
        out.append(f"{path}: {want!r} != {got!r}")


def _roundtrip(d):
    return json.loads(json.dumps(d, allow_nan=True))


@pytest.mark.slow
def test_golden_results_unchanged(gen):
    want = json.loads(GOLDEN.read_text())
    if gen.FULL:
        got = _roundtrip(compute())
    else:
        want, got = compute_small(want)
        got = _roundtrip(got)
        # every category is in the subset (``_diff`` checks the keys are those computed)
        for part in ("activity", "costs"):
            assert {k.split("/")[0] for k in want[part]} == set(CATEGORIES), part
    diffs = []
    _diff("", want, got, diffs, REL)
    assert not diffs, f"{len(diffs)} differences, first: " + "\n".join(diffs[:20])


def test_diff_detects_a_change():
    """The comparison itself can fail (a perturbed float, a changed count)."""
    want = {"a": 1.0, "b": [1, 2], "c": {"x": 3}}
    diffs = []
    _diff("", want, {"a": 1.0 + 1e-6, "b": [1, 3], "c": {"x": 3}}, diffs, REL)
    assert len(diffs) == 2
    diffs = []
    _diff("/search/history", [1.0, 2.0], [1.0 + 1e-6, 2.0 + 1e-4], diffs, REL)
    assert len(diffs) == 1


if __name__ == "__main__":
    if "--write" not in sys.argv:
        sys.exit("usage: python tests/test_golden.py --write")
    np.set_printoptions(precision=17)
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")
