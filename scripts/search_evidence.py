"""Evidence for the gradient-guided design search (docs/search.md).

On a design space small enough to enumerate (default: none/A/W/AW x box time 1..7 x lane 0..3 x
group 0..2 on 8 x 8 x 16: a 336-point grid, 253 distinct designs), for 3 workload mixes built
from the shipped digits-CNN masks, and for each objective:

* Spearman's rank correlation between the relaxed and the exact objective over the whole space
  (feasible designs only for ``perf_under_area``);
* the gradient search's best exact objective against the exhaustive optimum (relative gap) and
  the number of distinct exact evaluations it used, over several seeds;
* random search and Optuna's TPE (if installed) given, seed by seed, exactly as many distinct
  exact evaluations as the gradient search used.

Every exact evaluation is counted per method through its own ``ExactEvaluator``; they share one
exhaustive table so that nothing is recomputed.

    python scripts/search_evidence.py                  # 3 mixes x 3 objectives x 5 seeds
    python scripts/search_evidence.py --seeds 2 --objectives edp --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np

from griffin_jax.search import (
    DesignPoint,
    ExactEvaluator,
    Space,
    exact_value,
    exhaustive,
    random_search,
    rank_correlation,
    relative_gap,
    relax,
    run_search,
    tpe_search,
)
from griffin_jax.workloads import Workload, digits_workload

OBJECTIVES = ("tops_per_w", "edp", "perf_under_area")


def mixes(n_images: int) -> dict:
    """Three mixes of three digits workloads each, plus a held-out mix on the next
    ``n_images`` images (same layer shapes, so compiled programs are shared). Each is a
    ``Workload`` with a category and a weight; the category densifies the operand it keeps dense
    (``cost.category_masks``)."""

    def wl(variant, category, weight, held_out=False):
        if not held_out:
            layers = list(digits_workload(variant, n_images=n_images))
        else:  # the activation masks of images n_images+1 .. 2 n_images (rows are per image)
            layers = [
                g.replace(a_mask=g.a_mask[g.a_mask.shape[0] // 2 :])
                for g in digits_workload(variant, n_images=2 * n_images)
            ]
        tag = " (held-out images)" if held_out else ""
        return Workload(f"digits-{variant}@{category}{tag}", layers, category, weight)

    return {
        "act-sparse": [wl("dense", "A", 2.0), wl("p50", "A", 1.0), wl("p75", "AW", 1.0)],
        "wgt-sparse": [wl("p90", "W", 2.0), wl("p75", "W", 1.0), wl("p50", "AW", 1.0)],
        "dual": [wl("p75", "AW", 1.0), wl("p90", "AW", 1.0), wl("2:4", "AW", 1.0)],
        "held-out": [
            wl("dense", "A", 1.0, True),
            wl("2:4", "W", 1.0, True),
            wl("p90", "AW", 1.0, True),
        ],
    }


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def med_worst(values, worst=max):
    return statistics.median(values), worst(values)


def evaluate_mix(name, mix, space, args) -> list:
    t0 = time.time()
    ev = ExactEvaluator(mix, space)
    points = space.points()
    exact = ev(points)
    t_exact = time.time() - t0
    t0 = time.time()
    rel = relax(mix, space, max_tiles=args.max_tiles)
    relaxed = rel.point_metrics(points)
    t_relax = time.time() - t0
    cyc_err = np.array([r.cycles / m.cycles - 1 for r, m in zip(relaxed, exact)])
    en_err = np.array([r.energy_pj / m.energy_pj - 1 for r, m in zip(relaxed, exact)])
    print(
        f"\n## mix {name}: exhaustive exact {t_exact:.1f} s, relaxation of all points "
        f"{t_relax:.1f} s; relaxed/exact - 1: cycles median {np.median(cyc_err):+.3f} "
        f"[{cyc_err.min():+.3f}, {cyc_err.max():+.3f}], energy median {np.median(en_err):+.3f} "
        f"[{en_err.min():+.3f}, {en_err.max():+.3f}]"
    )
    budget = args.area_factor * ev.area(DesignPoint("none"))
    rows = []
    for objective in args.objectives:
        b = budget if objective == "perf_under_area" else None
        keep = [i for i, m in enumerate(exact) if exact_value(m, objective, b) is not None]
        rho = rank_correlation(
            [exact[i].value(objective) for i in keep], [relaxed[i].value(objective) for i in keep]
        )
        opt = exhaustive(ev.fresh(), objective, b)
        grad, rnd, tpe, n_used, t_search = [], [], [], [], []
        for seed in range(args.seeds):
            t0 = time.time()
            res = run_search(
                mix,
                objective,
                space,
                seed=seed,
                steps=args.steps,
                restarts=args.restarts,
                area_budget_mm2=b,
                evaluator=ev,
                relaxation=rel,
            )
            t_search.append(time.time() - t0)
            n = res.n_exact
            n_used.append(n)
            grad.append(relative_gap(res.best_value, opt.best_value, objective))
            rnd.append(
                relative_gap(
                    random_search(ev, objective, n, seed, b).best_value, opt.best_value, objective
                )
            )
            if args.tpe:
                tpe.append(
                    relative_gap(
                        tpe_search(ev, objective, n, seed, b).best_value, opt.best_value, objective
                    )
                )
        row = {
            "mix": name,
            "objective": objective,
            "area_budget_mm2": b,
            "space_size": space.size,
            "spearman": rho,
            "optimum": opt.best.label,
            "optimum_value": opt.best_value,
            "grad_gap": grad,
            "n_exact": n_used,
            "random_gap": rnd,
            "tpe_gap": tpe,
            "search_seconds": t_search,
        }
        rows.append(row)
        print(
            f"{objective:>16}: Spearman {rho:.3f}; optimum {opt.best.label} "
            f"({opt.best_value:.4g}); gradient gap {fmt_gaps(grad)}, exact evals "
            f"{fmt_counts(n_used, space.size)}; random {fmt_gaps(rnd)}; "
            f"TPE {fmt_gaps(tpe) if tpe else 'skipped'}; "
            f"search {statistics.median(t_search):.1f} s/seed"
        )
    return rows


def fmt_gaps(gaps) -> str:
    m, w = med_worst(gaps)
    return f"{100 * m:.1f}% / {100 * w:.1f}%"


def fmt_counts(counts, size) -> str:
    m, w = med_worst(counts)
    return f"{m:g} / {w} ({100 * w / size:.1f}% of {size})"


def markdown(rows, args, meta) -> str:
    lines = [
        f"Space: {meta['space']}; {args.seeds} seeds; surrogate max_tiles={args.max_tiles}, "
        f"{args.restarts} restarts x {args.steps} Adam steps per exploit; perf_under_area "
        f"budget = {args.area_factor} x the dense core's area. Gaps and counts: median / worst "
        "over seeds; baselines get the gradient search's evaluation count seed by seed.",
        "",
        "| mix | objective | Spearman | exhaustive optimum | gradient gap | exact evals "
        "(% of space) | random gap | TPE gap |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['mix']} | {r['objective']} | {r['spearman']:.3f} | {r['optimum']} | "
            f"{fmt_gaps(r['grad_gap'])} | {fmt_counts(r['n_exact'], r['space_size'])} | "
            f"{fmt_gaps(r['random_gap'])} | "
            f"{fmt_gaps(r['tpe_gap']) if r['tpe_gap'] else 'n/a'} |"
        )
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--objectives", default=",".join(OBJECTIVES))
    p.add_argument("--n-images", type=int, default=2, help="digits images per workload")
    p.add_argument(
        "--area-factor",
        type=float,
        default=2.0,
        help="perf_under_area budget as a multiple of the dense core's area",
    )
    p.add_argument("--max-tiles", type=int, default=8)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--restarts", type=int, default=3)
    p.add_argument("--no-tpe", dest="tpe", action="store_false")
    p.add_argument("--mixes", default="act-sparse,wgt-sparse,dual,held-out")
    p.add_argument("--json", help="write the rows and run metadata here")
    args = p.parse_args(argv)
    args.objectives = tuple(o for o in args.objectives.split(",") if o)
    for o in args.objectives:
        if o not in OBJECTIVES:
            p.error(f"--objectives: unknown {o!r}; known: {OBJECTIVES}")
    if args.tpe:
        try:
            import optuna  # noqa: F401
        except ImportError:
            print("optuna is not installed: TPE baseline skipped (pip install optuna)")
            args.tpe = False
    space = Space()
    t_start = time.time()
    meta = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "space": f"exploits {space.exploits} x time {space.time} x lane {space.lane} x "
        f"group {space.group} on {space.core.rows}x{space.core.cols}x"
        f"{space.core.lanes}: grid {space.grid_size}, {space.size} distinct designs",
    }
    print(f"machine: {meta['cpu']}, {meta['cores']} cores; {meta['space']}")
    rows = []
    all_mixes = mixes(args.n_images)
    for name in args.mixes.split(","):
        if name not in all_mixes:
            p.error(f"--mixes: unknown {name!r}; known: {tuple(all_mixes)}")
        rows += evaluate_mix(name, all_mixes[name], space, args)
    meta["seconds"] = time.time() - t_start
    print("\n" + markdown(rows, args, meta))
    print(f"\ntotal {meta['seconds']:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "args": vars(args), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
