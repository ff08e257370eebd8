"""Griffin's wiring searched beyond the derivation's grid (docs/search.md, "Griffin's space").

Runs ``search.search_griffin`` (objective: the derivation's rule-3 ``balanced`` score, Griffin
with resource reuse over the four categories) on the stored derivation's workloads (ResNet-50,
MobileNetV2, BERT-base with generated masks at seed 0, the digits p75 masks on 16 images),
exact, over time 1..7 x lane 0..3 x group 0..2 (84 wirings; the grid ``design.BOX_GRID`` holds
36 of them). Reference points, evaluated exactly by the same code: the stored derivation's
``griffin_balanced`` wiring (the grid's best under this score: its stored score must be met
again, which checks that the objective and workloads are the derivation's) and any
``--also`` wirings. Prints whether the search found a wiring the grid did not hold and beat
the grid's best.

    python scripts/search_griffin_evidence.py --json docs/search_griffin_evidence.json
    python scripts/search_griffin_evidence.py --seeds 0,1 --also "1,3,0"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

from griffin_jax.design import Window, derived_griffin
from griffin_jax.design._griffin import DEFAULT_CORE
from griffin_jax.search import search_griffin
from griffin_jax.search._griffin import _Exact
from griffin_jax.workloads import CATEGORIES, Workload, digits_workload, load


def workloads(which: str = "paper") -> list:
    """``paper``: the stored derivation's workloads; ``digits``: the digits p75 masks only (small
    enough for an exhaustive exact table of every wiring)."""
    if which == "digits":
        return [digits_workload("p75", n_images=16)]
    return [
        load("resnet50", seed=0),
        load("mobilenet_v2", seed=0),
        load("bert_base", seed=0),
        digits_workload("p75", n_images=16),
    ]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="0")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--restarts", type=int, default=3)
    p.add_argument("--candidates", type=int, default=4)
    p.add_argument("--max-exact", type=int, default=12)
    p.add_argument("--max-tiles", type=int, default=4)
    p.add_argument("--also", default="1,3,0", help="extra wirings t,l,g;t,l,g evaluated exactly")
    p.add_argument("--workloads", choices=("paper", "digits"), default="paper")
    p.add_argument(
        "--exhaustive",
        action="store_true",
        help="also evaluate every wiring of the space exactly (the ground truth)",
    )
    p.add_argument("--json")
    args = p.parse_args(argv)
    wls = workloads(args.workloads)
    stored = derived_griffin()
    meta = {
        "cpu": next(
            (ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if "model name" in ln),
            platform.processor(),
        ),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "workloads": [w.name for w in wls],
    }
    out = {"meta": meta, "runs": []}
    t_all = time.time()
    exact = None
    for seed in (int(s) for s in args.seeds.split(",")):
        t0 = time.time()
        res = search_griffin(
            wls,
            seed=seed,
            steps=args.steps,
            restarts=args.restarts,
            candidates=args.candidates,
            max_exact=args.max_exact,
            max_tiles=args.max_tiles,
        )
        run = {
            "seed": seed,
            "best": res.best.label(),
            "best_score": res.best_score,
            "best_in_grid": res.best_in_grid,
            "n_exact": res.n_exact,
            "space_size": res.space_size,
            "seconds": {**res.seconds, "total": time.time() - t0},
            "rows": list(res.rows),
        }
        out["runs"].append(run)
        print(
            f"seed {seed}: best {run['best']} score {res.best_score:.4f} "
            f"({'in' if res.best_in_grid else 'outside'} the grid), {res.n_exact} exact of "
            f"{res.space_size}; seconds {run['seconds']}",
            flush=True,
        )
        for r in res.rows:
            print(
                f"  {r['wiring']:>10} {r['phase']:>8} relaxed {r['relaxed_score']:.4f} "
                f"exact {r['score']:.4f} area {r['area_mm2']:.3f} grid {r['in_grid']}",
                flush=True,
            )
    # references, by the same exact code
    t0 = time.time()
    fitted = {c: [Workload(w.name, tuple(w.for_category(c)), c) for w in wls] for c in CATEGORIES}
    exact = _Exact(fitted, DEFAULT_CORE, "horowitz45", None, True)
    bal = stored.balanced
    refs = [("stored griffin_balanced", bal)]
    for spec in filter(None, args.also.split(";")):
        refs.append(("also", tuple(int(v) for v in spec.split(","))))
    out["references"] = []
    for label, key in refs:
        if not isinstance(key, tuple):  # a Window: its box parameters
            key = _box_of(key)
        r = exact(key)
        out["references"].append({"label": label, "wiring": f"box{key}", **r})
        print(f"reference {label} box{key}: exact score {r['score']:.4f}", flush=True)
    out["meta"]["reference_seconds"] = time.time() - t0
    if args.exhaustive:
        t0 = time.time()
        keys = [(t, lane, g) for t in range(1, 8) for lane in range(0, 4) for g in range(0, 3)]
        table = {f"box{k}": exact(k)["score"] for k in keys}
        best = max(table, key=table.get)
        grid_best = max(
            (k for k in keys if k[0] <= 4 and k[1] <= 2), key=lambda k: exact(k)["score"]
        )
        out["exhaustive"] = {
            "scores": table,
            "best": best,
            "best_score": table[best],
            "grid_best": f"box{grid_best}",
            "grid_best_score": exact(grid_best)["score"],
            "seconds": time.time() - t0,
        }
        for run in out["runs"]:
            run["gap"] = 1.0 - run["best_score"] / table[best]
        print(
            f"exhaustive ({len(keys)} wirings, {out['exhaustive']['seconds']:.0f} s): best {best} "
            f"{table[best]:.4f}; grid best box{grid_best} {exact(grid_best)['score']:.4f}; "
            f"search gaps {[round(r['gap'], 4) for r in out['runs']]}",
            flush=True,
        )
    out["meta"]["stored_balanced_score"] = (
        _stored_balanced_score() if args.workloads == "paper" else None
    )
    out["meta"]["stored_core"] = str(stored.meta.get("core"))
    out["meta"]["seconds"] = time.time() - t_all
    stored_score = out["meta"]["stored_balanced_score"]
    print(f"stored derivation's balanced score (paper workloads): {stored_score}")
    print(f"total {out['meta']['seconds']:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1, default=str)


def _box_of(window) -> tuple:
    offs = window.as_tuples()
    t = max(o[0] for o in offs)
    lane = max(abs(o[1]) for o in offs)
    g = max(abs(o[2]) for o in offs)
    if Window.box(t, lane, g) != window:
        raise ValueError(f"{window.label()} is not a box window")
    return (t, lane, g)


def _stored_balanced_score() -> float:
    import importlib.resources

    import yaml

    text = (
        importlib.resources.files("griffin_jax.design")
        .joinpath("data/derived_griffin.yaml")
        .read_text()
    )
    return float(yaml.safe_load(text)["numbers"]["balanced"]["score"])


if __name__ == "__main__":
    main()
