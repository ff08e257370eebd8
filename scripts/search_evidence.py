"""Evidence for the gradient-guided design search at network scale (docs/search.md).

On a design space small enough to enumerate (default: none/A/W/AW x box time 1..7 x lane 0..3 x
group 0..2 on 8 x 8 x 16: a 336-point grid, 253 distinct designs), for workload mixes of whole
networks (ResNet-50, MobileNetV2, BERT-base with generated masks at the package's default
densities, plus the shipped digits-CNN masks), and for each objective:

* Spearman's rank correlation between the relaxed and the exact objective over the whole space
  (feasible designs only for ``perf_under_area``);
* the gradient search's best exact objective against the exhaustive optimum (relative gap) and
  the number of distinct exact evaluations it used, over several seeds;
* random search and Optuna's TPE (if installed) given, seed by seed, exactly as many distinct
  exact evaluations as the gradient search used.

The ground truth is exact: every workload of every mix is evaluated on every design of the
space by the untouched cost model (``search.exact_metrics``, no tile sampling), once, and a
mix's table is the weighted sum of its workloads' tables (checked against a direct evaluation
of the mix on two designs). Every method is still charged, through its own
``ExactEvaluator``, for every design it looks at.

Per workload the script also reports the relaxation's cycle and energy error over the whole
space (median and worst of relaxed/exact - 1) and, over all workloads, by exploit and window
shape; and it times the relaxation of the whole space, one search, the exhaustive exact table,
and a first and a second ``run_search`` call in one process.

Each workload weighs ``1 / GMAC`` of its network in a mix, so that every network counts about
equally (a plain sum would be BERT-base's totals). The refinement rules of the search were
developed on digits-only mixes (docs/search.md, cost model v1) and were not changed for this
evidence: every mix below is held out from their development; ``held-out`` also uses other
mask seeds and other digits images than the rest.

    python scripts/search_evidence.py --json docs/search_evidence.json   # everything
    python scripts/search_evidence.py --mixes dual --seeds 2 --objectives edp
"""

from __future__ import annotations

import argparse
import json
import math
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
from griffin_jax.search._objective import Metrics
from griffin_jax.study import mean_densities
from griffin_jax.workloads import Workload, digits_workload, load

OBJECTIVES = ("tops_per_w", "edp", "perf_under_area")

# Workload specs: (source, variant or network, category, mask seed / held-out images).
MIXES = {
    "cnn-act": [
        ("net", "resnet50", "A", 0),
        ("net", "mobilenet_v2", "A", 0),
        ("digits", "dense", "A", False),
    ],
    "wgt-sparse": [
        ("net", "bert_base", "W", 0),
        ("net", "resnet50", "W", 0),
        ("digits", "p90", "W", False),
    ],
    "mixed": [
        ("net", "resnet50", "AW", 0),
        ("net", "bert_base", "W", 0),
        ("net", "mobilenet_v2", "A", 0),
        ("digits", "p75", "AW", False),
    ],
    "dual": [
        ("net", "resnet50", "AW", 0),
        ("net", "mobilenet_v2", "AW", 0),
        ("net", "bert_base", "AW", 0),
        ("digits", "2:4", "AW", False),
    ],
    "held-out": [
        ("net", "resnet50", "AW", 1),
        ("net", "mobilenet_v2", "W", 1),
        ("net", "bert_base", "A", 1),
        ("digits", "p90", "AW", True),
    ],
}


def spec_name(spec) -> str:
    src, what, cat, extra = spec
    if src == "net":
        return f"{what}@{cat}" + (f" (seed {extra})" if extra else "")
    return f"digits-{what}@{cat}" + (" (held-out images)" if extra else "")


def build(spec, n_images: int) -> Workload:
    """The workload of a spec at weight 1 (masks fitted to its category)."""
    src, what, cat, extra = spec
    if src == "net":
        layers = tuple(load(what, seed=extra).for_category(cat))
    elif not extra:
        layers = tuple(digits_workload(what, n_images=n_images).for_category(cat))
    else:  # the activation masks of images n_images+1 .. 2 n_images (rows are per image)
        layers = tuple(
            g.replace(a_mask=g.a_mask[g.a_mask.shape[0] // 2 :])
            for g in digits_workload(what, n_images=2 * n_images).for_category(cat)
        )
    return Workload(spec_name(spec), layers, cat, 1.0)


def gmac(wl: Workload) -> float:
    return (
        sum(
            g.a_mask.shape[0] * g.a_mask.shape[1] * g.w_mask.shape[1] * g.multiplicity
            for g in wl.layers
        )
        / 1e9
    )


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


def combine(tables, weights, points) -> dict:
    """A mix's exact table: the weighted sum of its workloads' tables (as ``exact_metrics``
    sums a mix)."""
    out = {}
    for p in points:
        ms = [t[p] for t in tables]
        out[p] = Metrics(
            *(math.fsum(w * getattr(m, f) for w, m in zip(weights, ms)) for f in _SUMMED),
            area_mm2=ms[0].area_mm2,
            clock_ghz=ms[0].clock_ghz,
        )
    return out


_SUMMED = ("energy_pj", "cycles", "dense_cycles", "ops")


def shape_class(p: DesignPoint) -> str:
    if p.exploit == "none":
        return "none"
    kind = (
        "time only"
        if p.lane == 0 and p.group == 0
        else ("lane" if p.group == 0 else ("group" if p.lane == 0 else "lane+group"))
    )
    return f"{p.exploit} {kind}"


def relax_errors(wl, space, points, table, max_tiles) -> dict:
    """Relaxed/exact - 1 of cycles and energy at every point for one workload."""
    t0 = time.time()
    rel = relax([wl], space, max_tiles=max_tiles)
    relaxed = rel.point_metrics(points)
    t = time.time() - t0
    cyc = np.array([r.cycles / table[p].cycles - 1 for r, p in zip(relaxed, points)])
    en = np.array([r.energy_pj / table[p].energy_pj - 1 for r, p in zip(relaxed, points)])
    return {"cycles": cyc, "energy": en, "seconds": t}


def err_summary(e: np.ndarray) -> dict:
    a = np.abs(e)
    i = int(np.argmax(a))
    return {"median": float(np.median(e)), "median_abs": float(np.median(a)), "worst": float(e[i])}


def evaluate_mix(name, mix, table, space, args) -> tuple[list, dict]:
    points = space.points()
    ev = ExactEvaluator(mix, space, table=table)
    exact = [table[p] for p in points]
    t0 = time.time()
    rel = relax(mix, space, max_tiles=args.max_tiles)
    relaxed = rel.point_metrics(points)
    t_relax = time.time() - t0
    cyc_err = np.array([r.cycles / m.cycles - 1 for r, m in zip(relaxed, exact)])
    en_err = np.array([r.energy_pj / m.energy_pj - 1 for r, m in zip(relaxed, exact)])
    print(
        f"\n## mix {name}: relaxation of all points {t_relax:.1f} s; relaxed/exact - 1: cycles "
        f"median {np.median(cyc_err):+.3f} [{cyc_err.min():+.3f}, {cyc_err.max():+.3f}], energy "
        f"median {np.median(en_err):+.3f} [{en_err.min():+.3f}, {en_err.max():+.3f}]",
        flush=True,
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
                    random_search(ev.fresh(), objective, n, seed, b).best_value,
                    opt.best_value,
                    objective,
                )
            )
            if args.tpe:
                tpe.append(
                    relative_gap(
                        tpe_search(ev.fresh(), objective, n, seed, b).best_value,
                        opt.best_value,
                        objective,
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
            f"search {statistics.median(t_search):.1f} s/seed",
            flush=True,
        )
    info = {
        "relax_seconds": t_relax,
        "cycles_err": err_summary(cyc_err),
        "energy_err": err_summary(en_err),
    }
    return rows, info


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


def accuracy_markdown(wl_rows, shape_rows) -> str:
    lines = [
        "| workload | GMAC | act density | wgt density | exact table s | cycles err median / "
        "worst | energy err median / worst |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in wl_rows:
        c, e = r["cycles_err"], r["energy_err"]
        lines.append(
            f"| {r['workload']} | {r['gmac']:.3g} | {r['a_density']:.2f} | {r['w_density']:.2f} | "
            f"{r['exact_seconds']:.0f} | {100 * c['median']:+.1f}% / {100 * c['worst']:+.1f}% | "
            f"{100 * e['median']:+.1f}% / {100 * e['worst']:+.1f}% |"
        )
    lines += [
        "",
        "| exploit, window shape | points x workloads | cycles err median abs / worst | "
        "energy err median abs / worst |",
        "|---|---|---|---|",
    ]
    for r in shape_rows:
        c, e = r["cycles_err"], r["energy_err"]
        lines.append(
            f"| {r['shape']} | {r['n']} | {100 * c['median_abs']:.1f}% / "
            f"{100 * c['worst']:+.1f}% | {100 * e['median_abs']:.1f}% / {100 * e['worst']:+.1f}% |"
        )
    return "\n".join(lines)


def reuse_timing(mix, space, args) -> dict:
    """A first and a second ``run_search`` call in this process, passing only the workloads."""
    from griffin_jax.search import _reuse

    _reuse.clear()
    out = {}
    for label, seed, objective in (("first", 0, "tops_per_w"), ("second", 1, "edp")):
        t0 = time.time()
        run_search(mix, objective, space, seed=seed, steps=args.steps, restarts=args.restarts)
        out[label] = time.time() - t0
    return out


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
    p.add_argument("--mixes", default=",".join(MIXES))
    p.add_argument("--no-reuse-timing", dest="reuse_timing", action="store_false")
    p.add_argument(
        "--space",
        default="",
        help="time,lane,group high bounds (e.g. 2,1,1 for a smoke run); default: Space()",
    )
    p.add_argument("--json", help="write the rows and run metadata here")
    args = p.parse_args(argv)
    args.objectives = tuple(o for o in args.objectives.split(",") if o)
    for o in args.objectives:
        if o not in OBJECTIVES:
            p.error(f"--objectives: unknown {o!r}; known: {OBJECTIVES}")
    names = [m for m in args.mixes.split(",") if m]
    for m in names:
        if m not in MIXES:
            p.error(f"--mixes: unknown {m!r}; known: {tuple(MIXES)}")
    if args.tpe:
        try:
            import optuna  # noqa: F401
        except ImportError:
            print("optuna is not installed: TPE baseline skipped (pip install optuna)")
            args.tpe = False
    if args.space:
        t, l, g = (int(v) for v in args.space.split(","))
        space = Space(time=(1, t), lane=(0, l), group=(0, g))
    else:
        space = Space()
    points = space.points()
    t_start = time.time()
    meta = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "space": f"exploits {space.exploits} x time {space.time} x lane {space.lane} x "
        f"group {space.group} on {space.core.rows}x{space.core.cols}x"
        f"{space.core.lanes}: grid {space.grid_size}, {space.size} distinct designs",
    }
    print(f"machine: {meta['cpu']}, {meta['cores']} cores; {meta['space']}", flush=True)

    # 1. every workload once: its exact table over the whole space and its relaxation's error
    specs = list(dict.fromkeys(s for m in names for s in MIXES[m]))
    wls, tables, wl_rows, errs = {}, {}, [], {}
    for spec in specs:
        wl = build(spec, args.n_images)
        t0 = time.time()
        tables[spec] = dict(zip(points, ExactEvaluator([wl], space)(points)))
        t_exact = time.time() - t0
        e = relax_errors(wl, space, points, tables[spec], args.max_tiles)
        errs[spec] = e
        dens = mean_densities(wl, wl.category)
        a_d, w_d = dens["a_density"], dens["w_density"]
        wls[spec] = wl
        row = {
            "workload": wl.name,
            "layers": len(wl.layers),
            "gmac": gmac(wl),
            "a_density": a_d,
            "w_density": w_d,
            "exact_seconds": t_exact,
            "relax_seconds": e["seconds"],
            "cycles_err": err_summary(e["cycles"]),
            "energy_err": err_summary(e["energy"]),
        }
        wl_rows.append(row)
        print(
            f"{wl.name}: {row['layers']} layers, {row['gmac']:.3g} GMAC, densities a "
            f"{a_d:.2f} w {w_d:.2f}; exact table {t_exact:.0f} s; relaxation cycles err median "
            f"{100 * row['cycles_err']['median']:+.1f}% worst "
            f"{100 * row['cycles_err']['worst']:+.1f}%, energy median "
            f"{100 * row['energy_err']['median']:+.1f}% worst "
            f"{100 * row['energy_err']['worst']:+.1f}%",
            flush=True,
        )
    shape_rows = []
    for shape in dict.fromkeys(shape_class(q) for q in points):
        idx = [i for i, q in enumerate(points) if shape_class(q) == shape]
        cyc = np.concatenate([errs[s]["cycles"][idx] for s in specs])
        en = np.concatenate([errs[s]["energy"][idx] for s in specs])
        shape_rows.append(
            {
                "shape": shape,
                "n": int(cyc.size),
                "cycles_err": err_summary(cyc),
                "energy_err": err_summary(en),
            }
        )

    # 2. per mix: its table from the workloads', checked against a direct evaluation
    rows, mix_info = [], {}
    for name in names:
        mix = [wls[s].replace(weight=1.0 / gmac(wls[s])) for s in MIXES[name]]
        table = combine([tables[s] for s in MIXES[name]], [w.weight for w in mix], points)
        check = [points[0], points[len(points) // 2], points[-1]]
        for q, m in zip(check, ExactEvaluator(mix, space)(check)):
            for f in _SUMMED:
                a, b = getattr(m, f), getattr(table[q], f)
                if not math.isclose(a, b, rel_tol=1e-9):
                    raise AssertionError(f"mix {name} {q.label} {f}: direct {a} != composed {b}")
        mix_rows, info = evaluate_mix(name, mix, table, space, args)
        info["workloads"] = [w.name for w in mix]
        info["weights"] = [w.weight for w in mix]
        info["exact_table_seconds"] = sum(
            r["exact_seconds"] for r, s in zip(wl_rows, specs) if s in MIXES[name]
        )
        mix_info[name] = info
        rows += mix_rows
    if args.reuse_timing and names:
        name = names[0]
        mix = [wls[s].replace(weight=1.0 / gmac(wls[s])) for s in MIXES[name]]
        meta["reuse_timing"] = {"mix": name, **reuse_timing(mix, space, args)}
        print(f"\nrun_search in one process on {name}: {meta['reuse_timing']}", flush=True)
    meta["seconds"] = time.time() - t_start
    print("\n" + markdown(rows, args, meta))
    print("\n" + accuracy_markdown(wl_rows, shape_rows))
    print(f"\ntotal {meta['seconds']:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "meta": meta,
                    "args": vars(args),
                    "rows": rows,
                    "mixes": mix_info,
                    "workloads": wl_rows,
                    "shapes": shape_rows,
                },
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
