"""The Hydra app: a thin shell that turns a config into library calls and writes the outputs.

Every job writes into its own output directory: ``status.json`` (ok / failed with the error,
seconds per phase), the tables (CSV), plots (PNG) and Hydra's log. A failed job in a multirun
records its error and lets the sweep go on; a single run prints a bad-input error (``ValueError``)
in one line and exits 2, other errors with their traceback.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import platform
import sys
import time
import traceback

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from griffin_jax.cli import _schema

log = logging.getLogger("griffin_jax")

STATUS = "status.json"


def _configure_runtime(cfg) -> None:
    # JAX logs backend probing (TPU/GPU plugins) at INFO; a run's log is for the experiment.
    for name in ("jax", "jax._src.xla_bridge", "absl", "matplotlib"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import jax

    if cfg.runtime.platform:
        jax.config.update("jax_platforms", cfg.runtime.platform)
    if cfg.runtime.cpu_devices is not None:
        _set_cpu_devices(jax, cfg.runtime.cpu_devices)
    if cfg.runtime.compilation_cache:
        from griffin_jax.sim import enable_compilation_cache

        enable_compilation_cache(os.path.expanduser(cfg.runtime.compilation_cache))


def _set_cpu_devices(jax, n) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"runtime.cpu_devices must be a positive int or null, got {n!r}")
    try:
        jax.config.update("jax_num_cpu_devices", n)
    except RuntimeError:
        # JAX fixes the device count when its backends start: a later job of a sweep that runs
        # in the same process (basic launcher) can only keep the count it has.
        have = len(jax.devices("cpu"))
        if have != n:
            raise ValueError(
                f"runtime.cpu_devices={n}, but JAX already started with {have} CPU device(s) "
                "in this process; the count can only be set once per process (use "
                "hydra/launcher=joblib for sweeps over it)"
            ) from None


def _output_dir() -> str:
    return HydraConfig.get().runtime.output_dir


def _progress(cfg, total: int, desc: str):
    """A progress callback: a tqdm bar on stderr when wanted and installed, else log lines."""
    if cfg.runtime.progress:
        try:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=desc, unit="layer", leave=False, dynamic_ncols=True)

            def tick(label):
                bar.set_postfix_str(label, refresh=False)
                bar.update(1)
                if bar.n >= bar.total:
                    bar.close()

            return tick
        except ImportError:
            pass
    return lambda label: log.debug("done %s", label)


def _metadata(cfg) -> dict:
    import jax

    import griffin_jax

    return {
        "tech": cfg.tech.name,
        "griffin_jax_version": griffin_jax.__version__,
        "jax_backend": jax.default_backend(),
        "sampled": cfg.runtime.sample is not None,
        **{f"tag_{k}": v for k, v in dict(cfg.experiment.tags).items()},
    }


def _sim_options(cfg):
    from griffin_jax.sim import SimOptions

    r = cfg.runtime
    return SimOptions(chunk=r.chunk, sample=None if r.sample is None else float(r.sample))


# -- building library objects from the config --------------------------------------------------
def _core(cfg):
    import griffin_jax as gj

    c = cfg.core
    return gj.Core(c.rows, c.cols, c.lanes, act_kb=c.act_kb, wgt_kb=c.wgt_kb, out_kb=c.out_kb)


def _designs(cfg):
    """The one path from ``design.*`` to designs: grid points and explicit windows
    (``grid_entries``), then the named presets, as study entries. Every experiment but the search
    (which takes ranges, ``_search_space``) runs these."""
    from griffin_jax.study import grid_entries, preset_entries

    ds = cfg.design
    core = _core(cfg)
    windows = [[tuple(o) for o in w] for w in ds.windows]
    boxes = [tuple(b) for b in ds.boxes]
    exploits = list(ds.exploits)
    if windows and not [e for e in exploits if e != "none"]:
        raise _schema.ConfigError(
            "design.windows: needs a sparse exploit in design.exploits "
            f"(A, W or AW) to run them, got {exploits}"
        )
    try:
        entries = grid_entries(
            core,
            tuple(exploits),
            tuple(ds.box_time),
            tuple(ds.box_lane),
            tuple(ds.box_group),
            ds.sync,
            windows,
            boxes,
        )
    except ValueError as err:
        raise _schema.ConfigError(f"design.{err}") from None
    entries += preset_entries(tuple(ds.presets), core)
    if not entries:
        raise _schema.ConfigError(
            "design: no designs (empty exploits, boxes and presets, or no box fits the core)"
        )
    return entries


def _search_space(cfg):
    """``design.*`` as a search space: each ``design.box_*`` list gives the range min..max."""
    from griffin_jax.search import Space

    ds = cfg.design
    for key in ("presets", "windows", "boxes"):
        if ds[key]:
            raise _schema.ConfigError(
                f"design.{key}: the search explores box ranges only; "
                f"set design.{key}=[] (design=search does)"
            )
    ranges = {}
    for axis in ("time", "lane", "group"):
        vals = list(ds[f"box_{axis}"])
        if not vals:
            raise _schema.ConfigError(f"design.box_{axis}: the search needs a non-empty range")
        ranges[axis] = (min(vals), max(vals))
    try:
        return Space(core=_core(cfg), exploits=tuple(ds.exploits), **ranges)
    except ValueError as err:
        msg = str(err)
        for axis in ("time", "lane", "group"):
            msg = msg.replace(f"Space.{axis}", f"design.box_{axis}")
        raise _schema.ConfigError(msg.replace("Space.exploits", "design.exploits")) from None


def _workloads(cfg):
    from griffin_jax.workloads import GemmLayer, Workload, bernoulli_mask, load

    wl = cfg.workload
    if wl.kind == "digits":
        return [load("digits", variant=wl.variant, n_images=wl.n_images)]
    if wl.kind == "network":
        out = []
        for name in wl.networks:
            if name == "digits":
                out.append(load("digits", variant=wl.variant, n_images=wl.n_images))
            else:
                out.append(load(name, seed=wl.seed, batch=wl.batch))
        return out
    if wl.kind == "synthetic":
        a = bernoulli_mask((wl.M, wl.K), wl.a_density, wl.seed)
        w = bernoulli_mask((wl.K, wl.N), wl.w_density, wl.seed + 1)
        name = f"synthetic_{wl.M}x{wl.K}x{wl.N}"
        return [Workload(name, [GemmLayer("gemm", a, w, 1, name)])]
    raise ValueError(f"workload.kind: unknown {wl.kind!r}; known: digits, network, synthetic")


def _n_layers(cfg) -> int:
    wl = cfg.workload
    if wl.kind == "synthetic":
        return 1
    from griffin_jax.workloads import digits_workload, network

    n = 0
    names = ["digits"] if wl.kind == "digits" else list(wl.networks)
    for name in names:
        n += len(digits_workload(wl.variant, 1)) if name == "digits" else len(network(name))
    return n


# -- experiments -------------------------------------------------------------------------------
def run_quick(cfg, out_dir: str, phases) -> dict:
    """Designs x one synthetic GEMM: cycles and speedup over dense (no cost model)."""
    from griffin_jax.study import format_table, gemm_cycles_table, write_csv
    from griffin_jax.workloads import bernoulli_mask

    wl = cfg.workload
    if wl.kind != "synthetic":
        raise _schema.ConfigError(
            f"workload.kind: the quick experiment needs 'synthetic', got {wl.kind!r}"
        )
    phases.start("designs")
    entries = _designs(cfg)
    # The category the GEMM's own masks stand for: what a reconfigurable design (Griffin) runs.
    cat = ("A" if wl.a_density < 1 else "") + ("W" if wl.w_density < 1 else "") or "dense"
    designs = [e.accel.mode(cat) for e in entries]
    phases.start("workloads")
    a = bernoulli_mask((wl.M, wl.K), wl.a_density, wl.seed)
    w = bernoulli_mask((wl.K, wl.N), wl.w_density, wl.seed + 1)
    phases.start("simulate")
    rows = gemm_cycles_table(designs, a, w, chunk=cfg.runtime.chunk)
    phases.start("tables")
    rows = [{**r, "design": e.accel.name, "kind": e.kind} for r, e in zip(rows, entries)]
    path = write_csv(rows, os.path.join(out_dir, "cycles.csv"))
    core = _core(cfg)
    print(
        f"GEMM {wl.M}x{wl.K} @ {wl.K}x{wl.N}, densities A {wl.a_density} W {wl.w_density}, "
        f"core {core.rows}x{core.cols}x{core.lanes}"
    )
    print(format_table(rows, ["design", "exploit", "window", "cycles", "dense_cycles", "speedup"]))
    print(f"{len(rows)} designs; table in {path}")
    return {"tables": [path], "rows": len(rows)}


def _plots(summary, results, out_dir: str) -> list:
    try:
        from griffin_jax.study import category_bars, pareto_plot, speedup_heatmap
    except ImportError:  # pragma: no cover - the plot module itself has no hard deps
        return []
    made = []
    try:
        # docs/model.md 4.3: every efficiency both with the SRAM (total) and core-only
        made.append(pareto_plot(summary, os.path.join(out_dir, "pareto.png")).path)
        made.append(
            pareto_plot(
                summary,
                os.path.join(out_dir, "pareto_core.png"),
                x="area_core_mm2",
                y="tops_per_w_core",
            ).path
        )
        made.append(category_bars(summary, os.path.join(out_dir, "bars.png")).path)
        made.append(
            category_bars(
                summary, os.path.join(out_dir, "bars_core.png"), metric="tops_per_w_core"
            ).path
        )
        if any(r["kind"] == "space" and r["exploit"] == "AW" for r in summary):
            made.append(speedup_heatmap(summary, os.path.join(out_dir, "speedup_heatmap.png")).path)
    except ImportError as err:
        log.warning("plots skipped: %s", err)
    return [str(p) for p in made]


def run_study(cfg, out_dir: str, phases) -> dict:
    """The design-space study: grid + presets x workloads x categories; tables and plots."""
    from griffin_jax.study import category_overview, format_table, write_csv
    from griffin_jax.study import run_study as study

    phases.start("designs")
    entries = _designs(cfg)
    phases.start("workloads")  # layer masks of lazy workloads are made in simulate+cost
    workloads = _workloads(cfg)
    cats = list(cfg.workload.categories)
    n_steps = _n_layers(cfg) * len(cats)
    log.info(
        "study: %d designs x %d workloads x %d categories (%d layer evaluations)",
        len(entries),
        len(workloads),
        len(cats),
        n_steps,
    )
    phases.start("simulate+cost")
    results, summary = study(
        entries,
        workloads,
        cats,
        cfg.tech.name,
        metadata={"run_id": cfg_run_id(out_dir), **_metadata(cfg)},
        progress=_progress(cfg, n_steps, "study"),
        sim=_sim_options(cfg),
    )
    phases.start("tables")
    tables = [
        write_csv(results, os.path.join(out_dir, "results.csv")),
        write_csv(summary, os.path.join(out_dir, "summary.csv")),
    ]
    overview = category_overview(summary)
    tables.append(write_csv(overview, os.path.join(out_dir, "overview.csv")))
    phases.start("plots")
    plots = _plots(summary, results, out_dir) if cfg.experiment.plots else []
    print(
        format_table(
            overview,
            [
                "network",
                "category",
                "role",
                "design",
                "speedup",
                "tops_per_w",
                "vs_dense",
                "tops_per_w_core",
                "area_mm2",
                "area_core_mm2",
            ],
        )
    )
    print(f"{len(entries)} designs; tables and plots in {out_dir}")
    return {"tables": tables, "plots": plots, "designs": len(entries), "rows": len(results)}


def _paper_candidates(entries) -> dict:
    """Study entries grouped into the claims report's kinds (``study.KINDS``): every design by
    the exploit its hardware runs (``none``: dense), the published presets also as ``prior``,
    Griffin as ``griffin``."""
    from griffin_jax.design import PRIOR_PRESETS
    from griffin_jax.study import KINDS

    kinds = {k: [] for k in KINDS}
    for e in entries:
        if e.kind == "griffin":
            kinds["griffin"].append(e.accel)
            continue
        ex = e.accel.hardware.exploit
        kinds["dense" if ex == "none" else ex].append(e.accel)
        if e.kind == "preset" and e.accel.name in PRIOR_PRESETS:
            kinds["prior"].append(e.accel)
    missing = [k for k in KINDS if not kinds[k]]
    if missing:
        raise _schema.ConfigError(
            f"design: the paper experiment compares kinds {KINDS} and has no design for "
            f"{missing} (add exploits, boxes or presets; design=paper has them all)"
        )
    return kinds


def _core_cfg(cfg, core):
    """``cfg`` with ``core.rows``, ``core.cols`` and ``core.lanes`` taken from ``core``."""
    from omegaconf import OmegaConf

    return OmegaConf.merge(
        cfg, {"core": {"rows": core.rows, "cols": core.cols, "lanes": core.lanes}}
    )


def _paper_geometries(cfg, workloads) -> tuple:
    """``experiment.paper.geometries`` as ``[(role, core, candidates)]`` (role ``"configured"``
    or ``"best"``; candidates by kind, ``_paper_candidates``) and a sentence saying what was
    chosen. The best geometry is the geometry study's winner (total TOPS/W, docs/model.md 5.1)
    at the configured core's multiplier count, lanes ``<= experiment.geometry.max_lanes``, with
    the ``core.*`` buffer capacities, among the geometries that can hold every configured design
    (a T-shaped window needs two lanes, for instance); when it is the configured core, that core
    runs once."""
    import dataclasses

    from griffin_jax.study import geometry_label, geometry_study

    core = _core(cfg)
    wanted = list(cfg.experiment.paper.geometries)
    out = [("configured", core, _paper_candidates(_designs(cfg)))] if "configured" in wanted else []
    if "best" not in wanted:
        return out, f"geometry: the configured core {geometry_label(core)} only"
    peak = core.rows * core.cols * core.lanes
    if peak & (peak - 1):
        raise _schema.ConfigError(
            "experiment.paper.geometries: 'best' needs a power-of-two multiplier count "
            f"core.rows * core.cols * core.lanes, got {peak}"
        )
    rows = geometry_study(
        workloads,
        peak,
        cfg.experiment.geometry.max_lanes,
        cfg.tech.name,
        core,
        sim=_sim_options(cfg),
    )
    ranked = sorted(rows, key=lambda r: r["rank"])
    skipped = []
    for r in ranked:
        best = dataclasses.replace(core, rows=r["rows"], cols=r["cols"], lanes=r["lanes"])
        try:
            candidates = _paper_candidates(_designs(_core_cfg(cfg, best)))
        except ValueError as err:
            skipped.append(r["geometry"])
            log.info("geometry %s cannot hold every design: %s", r["geometry"], err)
            continue
        break
    else:
        raise _schema.ConfigError(
            f"experiment.paper.geometries: no geometry of {peak} multipliers holds every design"
        )
    what = (
        f"the best dense geometry of {peak} multipliers (total TOPS/W on the dense workloads, "
        f"of {len(rows)}) that holds every design is {r['geometry']}"
    )
    if skipped:
        what += f" (better, but cannot hold every design: {', '.join(skipped)})"
    if best == core:
        return out or [("configured", core, candidates)], f"{what}, the configured core: one run"
    out.append(("best", best, candidates))
    return out, f"{what}; the configured core is {geometry_label(core)}"


def run_paper(cfg, out_dir: str, phases) -> dict:
    """The paper study: candidate designs of every kind (dense, A, W, AW boxes, prior presets,
    Griffin) on the paper's networks in every category; the claims report (claim (b) under
    every reading) beside the paper's numbers, on the configured core and on the best dense
    geometry (``experiment.paper.geometries``), every row labelled with its geometry; then the
    validation of the prior presets (``experiment.paper.validate``) and the sensitivity of every
    claim (``experiment.paper.sensitivity``), all in one report.md with its plots (claims.csv,
    summary.csv, claims.md, validation.csv, sensitivity.csv beside it)."""
    from griffin_jax.design import derived_griffin
    from griffin_jax.study import (
        claims_report,
        format_table,
        geometry_label,
        paper_report,
        readings_markdown,
        write_csv,
    )

    pc = cfg.experiment.paper
    phases.start("designs")
    _paper_candidates(_designs(cfg))  # config errors before the long part
    phases.start("workloads")
    cats = list(cfg.workload.categories)
    nets = _workloads(cfg)
    workloads = [wl.for_category(cat) for wl in nets for cat in cats]
    log.info("paper study: %d network x category workloads", len(workloads))
    phases.start("geometry")
    geoms, geometry_note = _paper_geometries(cfg, nets)
    log.info("paper study: %s", geometry_note)
    reports = []
    for role, core, candidates in geoms:
        label = geometry_label(core)
        phases.start(f"simulate+cost+claims {label}")
        rep = claims_report(
            workloads, candidates, cfg.tech.name, sim=_sim_options(cfg), geometry=label
        )
        reports.append((role, rep))
    phases.start("tables")
    meta = _metadata(cfg)

    def rows(kind):
        return [{**r, "geometry_role": role, **meta} for role, rep in reports for r in kind(rep)]

    tables = [
        write_csv(rows(lambda rep: rep.table), os.path.join(out_dir, "summary.csv")),
        write_csv(rows(lambda rep: rep.claims), os.path.join(out_dir, "claims.csv")),
    ]
    sampled = (
        f"Schedules are tile-sampled estimates (runtime.sample={cfg.runtime.sample})."
        if cfg.runtime.sample is not None
        else "Schedules are exact (no tile sampling)."
    )
    md = os.path.join(out_dir, "claims.md")
    with open(md, "w") as f:
        f.write("# Griffin claims, measured\n\n" + readings_markdown() + "\n\n")
        f.write(f"Geometries: {geometry_note}.\n\n{sampled}\n\n")
        for role, rep in reports:
            title = "configured core" if role == "configured" else "best dense geometry"
            f.write(f"## Geometry {rep.geometry} ({title})\n\n")
            f.write(rep.markdown(readings=False) + "\n\n")
    tables.append(md)
    validation = _paper_validation(cfg, out_dir, phases, tables) if pc.validate else None
    sens, plots = _paper_sensitivity(cfg, out_dir, phases, tables, reports, workloads)
    phases.start("report")
    nets_text = ", ".join(wl.network for wl in nets)
    header = (
        f"Workloads: {nets_text}, each in categories {', '.join(cats)}; technology "
        f"`{cfg.tech.name}`. {sampled}"
    )
    report = os.path.join(out_dir, "report.md")
    with open(report, "w") as f:
        f.write(
            paper_report(
                [rep for _, rep in reports],
                geometry_note=geometry_note,
                derived=_griffin_source(cfg, derived_griffin),
                validation=validation,
                sensitivities=sens,
                plots=plots,
                header=header,
            )
            + "\n"
        )
    tables.append(report)
    claims = [r for _, rep in reports for r in rep.claims]
    print(
        format_table(
            claims,
            ["geometry", "claim", "reading", "category", "ours_text", "paper_text", "status"]
            + ["comparator"],
        )
    )
    print(f"{geometry_note}; report.md and tables in {out_dir}")
    return {
        "tables": tables,
        "plots": plots,
        "geometries": [rep.geometry for _, rep in reports],
    }


def _griffin_source(cfg, derived_griffin):
    """The stored derivation when the run's Griffin is the default ``griffin`` preset on the
    core it was derived for; None otherwise (the report then says nothing it cannot stand for)."""
    derived = derived_griffin()
    core = dict(derived.meta.get("core") or {})
    same = (core.get("rows"), core.get("cols"), core.get("lanes")) == (
        cfg.core.rows,
        cfg.core.cols,
        cfg.core.lanes,
    )
    return derived if same else None


def _paper_validation(cfg, out_dir: str, phases, tables: list) -> list:
    """The prior presets against their papers (as ``experiment=validate``) for the report."""
    phases.start("validate")
    rows = _validation_rows(cfg)
    tables.append(_validation_csv(cfg, rows, out_dir))
    return rows


def _validation_rows(cfg) -> list:
    """``study.validate`` with the ``experiment.validate`` settings."""
    from griffin_jax.study import load_published, validate

    v = cfg.experiment.validate
    return validate(
        load_published(),
        cfg.tech.name,
        _core(cfg),
        max_layers=v.max_layers,
        max_rows=v.max_rows,
        seed=v.seed,
        sim=_sim_options(cfg),
        progress=lambda label: log.info("validated %s", label),
    )


def _validation_csv(cfg, rows, out_dir: str) -> str:
    from griffin_jax.study import VALIDATION_COLUMNS, write_csv

    meta = _metadata(cfg)
    table = [{**{c: r[c] for c in VALIDATION_COLUMNS}, **r, **meta} for r in rows]
    return write_csv(table, os.path.join(out_dir, "validation.csv"))


def _tornado_plots(sens, out_dir: str, suffix: str = "") -> list:
    """Tornado charts of claim (a), R1 and R2 (R3's rows are in the CSV)."""
    from griffin_jax.study import tornado_plot

    plots = []
    for claim, reading in (
        ("(a) dual-sparse loss", ""),
        ("(b) Griffin vs best dual-sparse prior", "R1"),
        ("(b) Griffin vs best prior", "R2"),
    ):
        if any(r["reading"] == reading and r["claim"] == claim for r in sens.rows):
            name = f"tornado_{reading or 'a'}{suffix}.png"
            path = os.path.join(out_dir, name)
            plots.append(tornado_plot(sens.rows, path, claim=claim, reading=reading).path)
    return plots


def _sensitivity_of(cfg, rep, names: list, workloads):
    """``study.sensitivity`` of a claims report with the ``experiment.sensitivity`` range and
    samples; a moved geometry re-runs the paper candidates on that core."""
    from griffin_jax.study import sensitivity

    sv = cfg.experiment.sensitivity
    return sensitivity(
        rep,
        names,
        workloads=workloads,
        tech=cfg.tech.name,
        designs_for=lambda core: _paper_candidates(_designs(_core_cfg(cfg, core))),
        factors=tuple(sv.range),
        samples=sv.samples,
        sim=_sim_options(cfg),
    )


def _paper_sensitivity(cfg, out_dir: str, phases, tables: list, reports, workloads) -> tuple:
    """``experiment.paper.sensitivity`` moved on every geometry's claims (``sensitivity``);
    returns the reports and their tornado charts."""
    from griffin_jax.study import write_csv

    names = list(cfg.experiment.paper.sensitivity)
    if not names:
        return [], []
    out, rows, plots = [], [], []
    for role, rep in reports:
        phases.start(f"sensitivity {rep.geometry}")
        sens = _sensitivity_of(cfg, rep, names, workloads)
        out.append(sens)
        rows += [{**dict(r), "geometry": rep.geometry, "geometry_role": role} for r in sens.rows]
        if cfg.experiment.plots:
            plots += _tornado_plots(sens, out_dir, f"_{rep.geometry}")
    tables.append(write_csv(rows, os.path.join(out_dir, "sensitivity.csv")))
    return out, plots


def run_search(cfg, out_dir: str, phases) -> dict:
    """Gradient-guided design search on the configured workload (see griffin_jax.search)."""
    import dataclasses

    from griffin_jax.search import plot_history
    from griffin_jax.search import run_search as search
    from griffin_jax.study import write_csv

    sc = cfg.experiment.search
    space = _search_space(cfg)
    phases.start("workloads")
    mix = []
    for wl in _workloads(cfg):
        for cat in cfg.workload.categories:
            mix.append(wl.for_category(cat).replace(name=f"{wl.name}/{cat}"))
    phases.start("search")
    res = search(
        mix,
        objective=sc.objective,
        space=space,
        seed=sc.seed,
        steps=sc.steps,
        restarts=sc.restarts,
        tech=cfg.tech.name,
        area_budget_mm2=sc.area_budget_mm2,
    )
    phases.start("tables")
    rows = [dataclasses.asdict(h) for h in res.history]
    tables = [write_csv(rows, os.path.join(out_dir, "search_history.csv"))] if rows else []
    plots = []
    phases.start("plots")
    if cfg.experiment.plots and rows:
        try:
            plots.append(str(plot_history(res, os.path.join(out_dir, "search.png"))))
        except ImportError as err:
            log.warning("plot skipped: %s", err)
    best = res.best.label if res.best is not None else "none feasible"
    print(
        f"best design: {best}  exact {sc.objective} = {res.best_value}  "
        f"({res.n_exact} exact evaluations of a {res.space_size}-point space); "
        f"outputs in {out_dir}"
    )
    return {"tables": tables, "plots": plots, "best": best, "n_exact": res.n_exact}


def run_geometry(cfg, out_dir: str, phases) -> dict:
    """Dense-geometry study (docs/model.md 5.1): every power-of-two geometry of
    ``experiment.geometry.peak`` multipliers as a dense core on the configured workload's dense
    category, with the ``core.*`` buffer capacities; the best geometry and the configured
    core's rank."""
    from griffin_jax.study import (
        best_geometry,
        format_table,
        geometry_label,
        geometry_plot,
        geometry_study,
        write_csv,
    )

    g = cfg.experiment.geometry
    core = _core(cfg)
    phases.start("workloads")
    workloads = _workloads(cfg)
    phases.start("simulate+cost")
    rows = geometry_study(
        workloads, g.peak, g.max_lanes, cfg.tech.name, core, sim=_sim_options(cfg)
    )
    phases.start("tables")
    meta = _metadata(cfg)
    tables = [write_csv([{**r, **meta} for r in rows], os.path.join(out_dir, "geometry.csv"))]
    best, best_core = best_geometry(rows), best_geometry(rows, core_only=True)
    default = geometry_label(core)
    mine = next((r for r in rows if r["geometry"] == default), None)
    plots = []
    phases.start("plots")
    if cfg.experiment.plots:
        try:
            plots.append(
                geometry_plot(rows, os.path.join(out_dir, "geometry.png"), default=default).path
            )
        except ImportError as err:
            log.warning("plot skipped: %s", err)
    top = sorted(rows, key=lambda r: (r["rank"], r["rank_core"]))
    print(
        format_table(
            top[:10] + ([mine] if mine is not None and mine["rank"] > 10 else []),
            [
                "geometry",
                "rank",
                "rank_core",
                "cycles",
                "area_mm2",
                "tops_per_w",
                "tops_per_w_core",
                "tops_per_mm2",
                "tops_per_mm2_core",
            ],
        )
    )
    n = len(rows)
    print(
        f"best geometry of {n} (total TOPS/W): {best['geometry']} "
        f"({best['tops_per_w']:.3f} TOPS/W); core-only: {best_core['geometry']} "
        f"({best_core['tops_per_w_core']:.3f} TOPS/W)"
    )
    if mine is None:
        print(
            f"the configured core {default} is not one of the geometries "
            f"(peak {g.peak}, lanes <= {g.max_lanes})"
        )
    else:
        print(
            f"the configured core {default} ranks {mine['rank']}/{n} (total), "
            f"{mine['rank_core']}/{n} (core-only); tables and plot in {out_dir}"
        )
    return {
        "tables": tables,
        "plots": [str(p) for p in plots],
        "geometries": n,
        "best": best["geometry"],
        "best_core": best_core["geometry"],
        "default": default,
        "default_rank": None if mine is None else mine["rank"],
        "default_rank_core": None if mine is None else mine["rank_core"],
    }


def run_validate(cfg, out_dir: str, phases) -> dict:
    """Every prior preset under the conditions its paper reports, against the published figure
    (docs/validation.md): validation.csv and validation.md."""
    from griffin_jax.study import (
        density_sweep,
        format_table,
        validation_markdown,
    )

    v = cfg.experiment.validate
    phases.start("simulate+cost")
    rows = _validation_rows(cfg)
    # TensorDash's training densities are unknown: a density sweep beside its average.
    sweep = density_sweep(
        "tensordash_like",
        tech=cfg.tech.name,
        core=_core(cfg),
        max_layers=v.max_layers,
        max_rows=v.max_rows,
        seed=v.seed,
        sim=_sim_options(cfg),
    )
    phases.start("tables")
    tables = [_validation_csv(cfg, rows, out_dir)]
    md = os.path.join(out_dir, "validation.md")
    header = (
        f"# Validation against published figures\n\ntech {cfg.tech.name}, core "
        f"{cfg.core.rows}x{cfg.core.cols}x{cfg.core.lanes}, layers {v.max_layers or 'all'}, "
        f"rows <= {v.max_rows or 'all'}, seed {v.seed}"
    )
    with open(md, "w") as f:
        f.write(validation_markdown(rows, header, sweep))
    tables.append(md)
    print(format_table(rows, ["preset", "metric", "published", "ours", "ratio", "verdict"]))
    agree = sum(r["verdict"] == "agrees" for r in rows)
    print(f"{agree}/{len(rows)} published figures agree within 25%; tables in {out_dir}")
    return {"tables": tables, "rows": len(rows), "agrees": agree, "deviates": len(rows) - agree}


def run_sensitivity(cfg, out_dir: str, phases) -> dict:
    """Sensitivity of the claims (docs/model.md 8): the paper experiment's candidates on the
    configured workloads, the claims report once, then every ``experiment.sensitivity.inputs``
    moved over its range (``study.sensitivity``): sensitivity.csv, sensitivity.md and a tornado
    chart per claim (a), R1 and R2 (R3's rows are in the CSV)."""
    from griffin_jax.study import (
        claims_report,
        format_table,
        geometry_label,
        write_csv,
    )

    sv = cfg.experiment.sensitivity
    phases.start("designs")
    candidates = _paper_candidates(_designs(cfg))
    phases.start("workloads")
    nets = _workloads(cfg)
    workloads = [wl.for_category(c) for wl in nets for c in cfg.workload.categories]
    label = geometry_label(_core(cfg))
    phases.start(f"simulate+cost+claims {label}")
    rep = claims_report(workloads, candidates, cfg.tech.name, sim=_sim_options(cfg), geometry=label)
    phases.start("sensitivity")
    sens = _sensitivity_of(cfg, rep, list(sv.inputs), workloads)
    phases.start("tables")
    tables = [write_csv([dict(r) for r in sens.rows], os.path.join(out_dir, "sensitivity.csv"))]
    md = os.path.join(out_dir, "sensitivity.md")
    with open(md, "w") as f:
        f.write("# Sensitivity of the claims\n\n" + sens.markdown() + "\n")
    tables.append(md)
    plots = []
    if cfg.experiment.plots:
        phases.start("plots")
        plots = _tornado_plots(sens, out_dir)
    fragile = sens.fragile()
    print(
        format_table(fragile, ["input", "claim", "reading", "category", "ratio_nominal"])
        if fragile
        else "no claim changes direction inside the ranges"
    )
    print(f"{len(sens.rows)} rows, {len(fragile)} fragile; tables and plots in {out_dir}")
    return {"tables": tables, "plots": plots, "rows": len(sens.rows), "fragile": len(fragile)}


def _workload_record(cfg) -> list:
    """How the configured workloads were made, for the derived Griffin's provenance."""
    wl = cfg.workload
    if wl.kind == "synthetic":
        return [
            {
                "kind": "synthetic",
                "M": wl.M,
                "N": wl.N,
                "K": wl.K,
                "a_density": wl.a_density,
                "w_density": wl.w_density,
                "seed": wl.seed,
            }
        ]
    names = ["digits"] if wl.kind == "digits" else list(wl.networks)
    out = []
    for name in names:
        if name == "digits":
            out.append({"name": "digits", "variant": wl.variant, "n_images": wl.n_images})
        else:
            out.append({"name": name, "seed": wl.seed, "batch": wl.batch})
    return out


def _command(cfg) -> str:
    """The command line of this run (its overrides); in-process composition has none."""
    try:
        overrides = list(HydraConfig.get().overrides.task)
    except ValueError:  # composed without @hydra.main (tests, notebooks)
        return f"griffin-jax experiment={cfg.experiment.name} (composed in-process)"
    keep = [o for o in overrides if not o.startswith(("hydra.", "experiment.griffin.store"))]
    return " ".join(["griffin-jax", *keep])


def run_griffin(cfg, out_dir: str, phases) -> dict:
    """Griffin derived by the design-space exploration (docs/model.md 5.2): the best
    dual-sparse AW wiring of design.box_* (plus design.boxes, design.windows and the gradient
    search's rounded best), its best mode window per category and griffin_balanced;
    griffin.csv, griffin_modes.csv, griffin.md and a fresh derived.yaml (copied over the
    package's stored one only with experiment.griffin.store=true)."""
    from griffin_jax.design import Window
    from griffin_jax.design._griffin import DERIVED_RESOURCE, _read_derived
    from griffin_jax.study import (
        derivation_markdown,
        derive_griffin,
        format_table,
        mean_densities,
        wiring_candidates,
        write_csv,
        write_derived,
    )

    g, ds = cfg.experiment.griffin, cfg.design
    core = _core(cfg)
    phases.start("designs")
    extra = [Window.box(*b) for b in ds.boxes] + [
        Window.from_offsets([tuple(o) for o in w]) for w in ds.windows
    ]
    grid = (tuple(ds.box_time), tuple(ds.box_lane), tuple(ds.box_group))
    try:  # the candidate wirings, checked before the long part
        if not wiring_candidates(core, *grid, extra):
            raise ValueError("no AW wiring of design.box_*, design.boxes or design.windows fits")
    except ValueError as err:
        raise _schema.ConfigError(f"design: {err}") from None
    phases.start("workloads")
    workloads = _workloads(cfg)
    record = _workload_record(cfg)
    for rec, wl in zip(record, workloads):
        rec["network"] = wl.network
        rec.update(mean_densities(wl, "AW"))

    def phase(name):  # each derivation phase timed on its own in status.json
        log.info("griffin: %s", name)
        phases.start(f"derive {name}")

    search = (
        {"steps": g.search_steps, "restarts": g.search_restarts, "seed": g.search_seed}
        if g.search
        else False
    )
    sim = _sim_options(cfg)
    d = derive_griffin(
        workloads,
        core,
        cfg.tech.name,
        time=grid[0],
        lane=grid[1],
        group=grid[2],
        extra=extra,
        search=search,
        sim=sim,
        progress=phase,
    )
    phases.start("tables")
    meta = _metadata(cfg)
    tables = [
        write_csv([{**r, **meta} for r in d.rows], os.path.join(out_dir, "griffin.csv")),
        write_csv([{**r, **meta} for r in d.mode_rows], os.path.join(out_dir, "griffin_modes.csv")),
    ]
    command = _command(cfg)
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sampled = sim.sample
    header = f"Griffin derived by `{command}` on {when} (docs/model.md 5.2).\n" + (
        f"Schedules tile-sampled: runtime.sample={sampled}, sample seed 0."
        if sampled is not None
        else "Exact schedules."
    )
    md = os.path.join(out_dir, "griffin.md")
    with open(md, "w") as f:
        f.write(derivation_markdown(d, header))
    tables.append(md)
    import griffin_jax

    derived = write_derived(
        d,
        os.path.join(out_dir, "derived.yaml"),
        "Griffin derived by the design-space exploration (docs/model.md 5.2).\n"
        f"Made by: {command}\n"
        "Copied here by adding experiment.griffin.store=true to that command.",
        command=command,
        date=when,
        griffin_jax_version=griffin_jax.__version__,
        workloads=record,
        sim={"exact": True}
        if sampled is None
        else {"exact": False, "sample": sampled, "sample_seed": 0},
        grid={
            "time": list(ds.box_time),
            "lane": list(ds.box_lane),
            "group": list(ds.box_group),
        },
    )
    tables.append(derived)
    stored = None
    if g.store:
        phases.start("store")
        import importlib.resources
        import shutil

        package, name = DERIVED_RESOURCE
        stored = str(importlib.resources.files(package).joinpath(name))
        shutil.copyfile(derived, stored)
        _read_derived.cache_clear()
        log.info("stored the derived Griffin in %s", stored)
    n = d.numbers()
    print(
        format_table(
            [r for r in d.mode_rows if r["chosen"]],
            ["category", "mode_window", "tops_per_w", "ratio_vs_dense", "speedup"],
        )
    )
    print(
        f"derived wiring {d.wired.label()} ({n['best_dual']['tops_per_w']:.4f} TOPS/W on the "
        f"dual-sparse workloads, of {len(d.wirings)} wirings); griffin_balanced "
        f"{d.balanced.label()}; tables in {out_dir}" + (f"; stored in {stored}" if stored else "")
    )
    return {
        "tables": tables,
        "wired": d.wired.label(),
        "balanced": d.balanced.label(),
        "wirings": len(d.wirings),
        "stored": stored,
    }


EXPERIMENTS = {
    "study": run_study,
    "quick": run_quick,
    "paper": run_paper,
    "search": run_search,
    "geometry": run_geometry,
    "validate": run_validate,
    "sensitivity": run_sensitivity,
    "griffin": run_griffin,
}


class Phases:
    """Wall-clock seconds per named phase of a job: ``start(name)`` ends the phase before it."""

    def __init__(self):
        self.seconds: dict = {}
        self._name, self._t = None, 0.0

    def start(self, name: str) -> None:
        now = time.perf_counter()
        if self._name is not None:
            self.seconds[self._name] = self.seconds.get(self._name, 0.0) + now - self._t
        self._name, self._t = name, now

    def stop(self) -> dict:
        self.start(None)
        return {k: round(v, 3) for k, v in self.seconds.items()}


def cfg_run_id(out_dir: str) -> str:
    """The id of the run in ``out_dir`` (set when ``run`` starts it): its start date and time
    to the microsecond, e.g. ``2026-11-30T06-20-01-123456``."""
    if out_dir not in _RUN_IDS:
        _RUN_IDS[out_dir] = datetime.datetime.now().strftime("%Y-%m-%dT%H-%M-%S-%f")
    return _RUN_IDS[out_dir]


_RUN_IDS: dict = {}


def finished(out_dir: str) -> bool:
    """Whether ``out_dir`` holds a run that finished successfully."""
    try:
        with open(os.path.join(out_dir, STATUS)) as f:
            return json.load(f).get("status") == "ok"
    except (OSError, ValueError):
        return False


def refuse_finished(out_dir: str, overwrite: bool) -> None:
    """``ConfigError`` if ``out_dir`` holds a finished run and ``overwrite`` is false."""
    if not overwrite and finished(out_dir):
        raise _schema.ConfigError(
            f"hydra.run.dir: {out_dir} already holds a finished run; choose another "
            "hydra.run.dir or pass runtime.overwrite=true to replace it"
        )


def _clear_previous(out_dir: str) -> None:
    # Remove what the old run in this folder wrote (its status lists its outputs, or, for a
    # failed run, what it left), so no old table survives beside the new run's config even if
    # the new run fails early. Reached for a failed old run, or a finished one under overwrite.
    try:
        with open(os.path.join(out_dir, STATUS)) as f:
            old = json.load(f)
    except (OSError, ValueError):
        return
    outs = old.get("outputs") or {}
    for path in [*outs.get("tables", []), *outs.get("plots", []), *outs.get("partial", [])]:
        if os.path.isfile(path) and os.path.dirname(os.path.abspath(path)) == os.path.abspath(
            out_dir
        ):
            os.remove(path)
    os.remove(os.path.join(out_dir, STATUS))


def _left_behind(out_dir: str, since: float) -> list:
    """Tables, plots and reports written into ``out_dir`` since ``since`` (a failed run's)."""
    out = []
    for name in sorted(os.listdir(out_dir)):
        path = os.path.join(out_dir, name)
        if (
            name.endswith((".csv", ".png", ".md"))
            and os.path.isfile(path)
            and os.path.getmtime(path) >= since - 1.0
        ):  # 1 s: coarse file-system clocks
            out.append(path)
    return out


def _write_status(out_dir: str, **fields) -> None:
    with open(os.path.join(out_dir, STATUS), "w") as f:
        json.dump(fields, f, indent=2, default=str)


def run(cfg: DictConfig, out_dir: str, multirun: bool = False):
    """Run one job into ``out_dir``; record its status (and error) in ``status.json``.

    Every key and value is checked first (``ConfigError`` names the key). A folder holding a
    finished run is refused unless ``runtime.overwrite`` (a sweep job skips it first when
    ``runtime.skip_finished``); what an earlier failed or replaced run wrote there is removed."""
    name = cfg.experiment.name
    os.makedirs(out_dir, exist_ok=True)
    overwrite = bool(OmegaConf.select(cfg, "runtime.overwrite", default=False))
    if multirun and finished(out_dir):
        if cfg.runtime.skip_finished:
            log.info("skipping %s: already finished", out_dir)
            return {"skipped": True}
        if not overwrite:
            log.error(
                "refusing %s: it holds a finished run (runtime.overwrite=true replaces it)", out_dir
            )
            return {"failed": "holds a finished run"}
    refuse_finished(out_dir, overwrite)
    _clear_previous(out_dir)
    _RUN_IDS.pop(out_dir, None)
    start, wall_start = time.perf_counter(), time.time()
    phases = Phases()
    info = {
        "experiment": name,
        "run_id": cfg_run_id(out_dir),
        "output_dir": out_dir,
        "host": platform.node(),
        "config": OmegaConf.to_container(cfg, resolve=True),
    }
    try:
        phases.start("check")
        _schema.check(cfg, EXPERIMENTS)
        phases.start("setup")
        _configure_runtime(cfg)
        out = EXPERIMENTS[name](cfg, out_dir, phases)
    except Exception as err:  # recorded, then re-raised for single runs
        _write_status(
            out_dir,
            status="failed",
            error=f"{type(err).__name__}: {err}",
            traceback=traceback.format_exc(),
            seconds=time.perf_counter() - start,
            phases=phases.stop(),
            outputs={"partial": _left_behind(out_dir, wall_start)},
            **info,
        )
        if multirun:
            log.error(
                "job failed: %s: %s (recorded in %s)",
                type(err).__name__,
                err,
                os.path.join(out_dir, STATUS),
            )
            return {"failed": str(err)}
        raise
    seconds = time.perf_counter() - start
    import jax

    _write_status(
        out_dir,
        status="ok",
        seconds=seconds,
        phases=phases.stop(),
        outputs=out,
        devices=[str(d) for d in jax.devices()],
        **info,
    )
    log.info("finished in %.1f s", seconds)
    return out


def _debug(cfg) -> bool:
    return os.environ.get("HYDRA_FULL_ERROR") == "1" or bool(
        OmegaConf.select(cfg, "runtime.debug", default=False)
    )


def _fail_in_one_line(err: Exception) -> None:
    print(
        f"griffin-jax: error: {err}  (traceback: runtime.debug=true or HYDRA_FULL_ERROR=1)",
        file=sys.stderr,
    )
    sys.exit(2)


class RunDirGuard(Callback):
    """Hydra callback: refuse a single run into a folder that holds a finished run before Hydra
    writes the new config there (``runtime.overwrite=true`` allows it)."""

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        try:
            out_dir = str(config.hydra.run.dir)
        except Exception:  # an interpolation only a job can resolve: run() checks it then
            return
        try:
            refuse_finished(
                out_dir, bool(OmegaConf.select(config, "runtime.overwrite", default=False))
            )
        except _schema.ConfigError as err:
            if _debug(config):
                raise
            _fail_in_one_line(err)


_schema.register()


@hydra.main(config_path="pkg://griffin_jax.conf", config_name="config", version_base="1.3")
def hydra_main(cfg: DictConfig):
    multirun = HydraConfig.get().mode == RunMode.MULTIRUN
    try:
        return run(cfg, _output_dir(), multirun)
    except ValueError as err:  # bad input: the library and the checks name the field
        if _debug(cfg):
            raise
        _fail_in_one_line(err)
