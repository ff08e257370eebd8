"""The Hydra app: a thin shell that turns a config into library calls and writes the outputs.

Every job writes into its own output directory: ``status.json`` (ok / failed with the error),
the tables (CSV), plots (PNG) and Hydra's log. A failed job in a multirun records its error and
lets the sweep go on; a single run re-raises it (non-zero exit).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import time
import traceback

import hydra
from hydra.core.hydra_config import HydraConfig
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
                "hydra/launcher=joblib for sweeps over it)") from None


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

    return {"tech": cfg.tech.name, "griffin_jax_version": griffin_jax.__version__,
            "jax_backend": jax.default_backend(), "sampled": cfg.runtime.sample is not None,
            **{f"tag_{k}": v for k, v in dict(cfg.experiment.tags).items()}}


def _sim_options(cfg) -> dict:
    sim = {"chunk": cfg.runtime.chunk} if cfg.runtime.chunk is not None else {}
    if cfg.runtime.sample is not None:
        sim["sample"] = float(cfg.runtime.sample)
    return sim


# -- building library objects from the config --------------------------------------------------
def _core(cfg):
    import griffin_jax as gj

    return gj.Core(cfg.core.rows, cfg.core.cols, cfg.core.lanes)


def _entries(cfg):
    from griffin_jax.study import grid_entries, preset_entries

    ds = cfg.design
    core = _core(cfg)
    entries = []
    if ds.exploits:
        entries += grid_entries(core, tuple(ds.exploits), tuple(ds.box_time), tuple(ds.box_lane),
                                tuple(ds.box_group), ds.sync)
    if ds.windows:
        from griffin_jax.design import Window, custom
        from griffin_jax.study import Entry

        for exploit in [e for e in ds.exploits if e != "none"] or ["AW"]:
            for k, offs in enumerate(ds.windows):
                win = Window.from_offsets([tuple(o) for o in offs])
                entries.append(Entry(custom(f"{exploit}:custom{k}", core, exploit, win, ds.sync),
                                     "space"))
    entries += preset_entries(tuple(ds.presets), core)
    if not entries:
        raise ValueError("design: no designs (empty exploits and presets)")
    return entries


def _workloads(cfg):
    from griffin_jax.study import Workload, digits_study_workload, network_study_workload

    wl = cfg.workload
    if wl.kind == "digits":
        return [digits_study_workload(wl.variant, wl.n_images)]
    if wl.kind == "network":
        out = []
        for name in wl.networks:
            if name == "digits":
                out.append(digits_study_workload(wl.variant, wl.n_images))
            else:
                out.append(network_study_workload(name, wl.seed, wl.batch))
        return out
    if wl.kind == "synthetic":
        from griffin_jax.cost import category_masks
        from griffin_jax.workloads import GemmLayer, bernoulli_mask

        a = bernoulli_mask((wl.M, wl.K), wl.a_density, wl.seed)
        w = bernoulli_mask((wl.K, wl.N), wl.w_density, wl.seed + 1)
        name = f"synthetic_{wl.M}x{wl.K}x{wl.N}"

        def layers(category):
            yield GemmLayer("gemm", *category_masks(a, w, category), 1, name, category)

        return [Workload(name, layers)]
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
def run_quick(cfg, out_dir: str) -> dict:
    """Designs x one synthetic GEMM: cycles and speedup over dense (no cost model)."""
    from griffin_jax.study import box_space, format_table, gemm_cycles_table, write_csv
    from griffin_jax.workloads import bernoulli_mask

    wl = cfg.workload
    if wl.kind != "synthetic":
        raise ValueError(f"workload.kind: the quick experiment needs 'synthetic', got {wl.kind!r}")
    a = bernoulli_mask((wl.M, wl.K), wl.a_density, wl.seed)
    w = bernoulli_mask((wl.K, wl.N), wl.w_density, wl.seed + 1)
    core = _core(cfg)
    ds = cfg.design
    designs = box_space(core, list(ds.exploits), list(ds.box_time), list(ds.box_lane),
                        list(ds.box_group), ds.sync, [[tuple(o) for o in w_] for w_ in ds.windows])
    rows = gemm_cycles_table(designs, a, w, chunk=cfg.runtime.chunk)
    path = write_csv(rows, os.path.join(out_dir, "cycles.csv"))
    print(f"GEMM {wl.M}x{wl.K} @ {wl.K}x{wl.N}, densities A {wl.a_density} W {wl.w_density}, "
          f"core {core.rows}x{core.cols}x{core.lanes}")
    print(format_table(rows, ["design", "exploit", "window", "cycles", "dense_cycles", "speedup"]))
    return {"tables": [path], "rows": len(rows)}


def _plots(summary, results, out_dir: str) -> list:
    try:
        from griffin_jax.study import category_bars, pareto_plot, speedup_heatmap
    except ImportError:  # pragma: no cover - the plot module itself has no hard deps
        return []
    made = []
    try:
        made.append(pareto_plot(summary, os.path.join(out_dir, "pareto.png")).path)
        made.append(category_bars(summary, os.path.join(out_dir, "bars.png")).path)
        if any(r["kind"] == "space" and r["exploit"] == "AW" for r in summary):
            made.append(speedup_heatmap(summary, os.path.join(out_dir, "speedup_heatmap.png")).path)
    except ImportError as err:
        log.warning("plots skipped: %s", err)
    return [str(p) for p in made]


def run_study(cfg, out_dir: str) -> dict:
    """The design-space study: grid + presets x workloads x categories; tables and plots."""
    from griffin_jax.study import category_overview, format_table, run_study as study, write_csv

    entries = _entries(cfg)
    workloads = _workloads(cfg)
    cats = list(cfg.workload.categories)
    n_steps = _n_layers(cfg) * len(cats)
    log.info("study: %d designs x %d workloads x %d categories (%d layer evaluations)",
             len(entries), len(workloads), len(cats), n_steps)
    results, summary = study(entries, workloads, cats, cfg.tech.name,
                             metadata={"run_id": os.path.basename(out_dir), **_metadata(cfg)},
                             progress=_progress(cfg, n_steps, "study"), sim=_sim_options(cfg))
    tables = [write_csv(results, os.path.join(out_dir, "results.csv")),
              write_csv(summary, os.path.join(out_dir, "summary.csv"))]
    overview = category_overview(summary)
    tables.append(write_csv(overview, os.path.join(out_dir, "overview.csv")))
    plots = _plots(summary, results, out_dir) if cfg.experiment.plots else []
    print(format_table(overview, ["network", "category", "role", "design", "speedup",
                                  "tops_per_w", "vs_dense", "area_mm2"]))
    print(f"{len(entries)} designs; tables and plots in {out_dir}")
    return {"tables": tables, "plots": plots, "designs": len(entries), "rows": len(results)}


def run_paper(cfg, out_dir: str) -> dict:
    """The paper study: candidate designs of every kind (dense, A, W, AW boxes, prior presets,
    Griffin) on the paper's networks in every category; the best design per kind and category,
    and the claims report beside the paper's numbers (CSV and Markdown)."""
    from griffin_jax.study import candidate_designs, claims_report, format_table, write_csv

    cats = list(cfg.workload.categories)
    workloads = [(wl.network, cat, list(wl.layers(cat))) for wl in _workloads(cfg) for cat in cats]
    log.info("paper study: %d network x category workloads", len(workloads))
    report = claims_report(workloads, candidate_designs(_core(cfg)), cfg.tech.name,
                           sim=_sim_options(cfg))
    meta = _metadata(cfg)
    table = [{**r, **meta} for r in report.table]
    tables = [write_csv(table, os.path.join(out_dir, "summary.csv")),
              write_csv([{**r, **meta} for r in report.claims],
                        os.path.join(out_dir, "claims.csv"))]
    md = os.path.join(out_dir, "claims.md")
    with open(md, "w") as f:
        note = ("Schedules are tile-sampled estimates (runtime.sample="
                f"{cfg.runtime.sample}).\n\n" if cfg.runtime.sample is not None else "")
        f.write("# Griffin claims, measured\n\n" + note + report.markdown() + "\n")
    tables.append(md)
    print(format_table(list(report.claims), ["claim", "category", "ours_text", "paper_text",
                                             "status"]))
    return {"tables": tables}


def run_search(cfg, out_dir: str) -> dict:
    """Gradient-guided design search on the configured workload (see griffin_jax.search)."""
    import dataclasses

    from griffin_jax.search import Space, plot_history, run_search as search
    from griffin_jax.study import write_csv

    sc = cfg.experiment.search
    mix = []
    for wl in _workloads(cfg):
        for cat in cfg.workload.categories:
            mix.append((f"{wl.network}/{cat}", list(wl.layers(cat)), cat, 1.0))
    res = search(mix, objective=sc.objective, space=Space(core=_core(cfg)), seed=sc.seed, steps=sc.steps,
                 restarts=sc.restarts, tech=cfg.tech.name, area_budget_mm2=sc.area_budget_mm2)
    rows = [dataclasses.asdict(h) for h in res.history]
    tables = [write_csv(rows, os.path.join(out_dir, "search_history.csv"))] if rows else []
    plots = []
    if cfg.experiment.plots and rows:
        try:
            plots.append(str(plot_history(res, os.path.join(out_dir, "search.png"))))
        except ImportError as err:
            log.warning("plot skipped: %s", err)
    best = res.best.label if res.best is not None else "none feasible"
    print(f"best design: {best}  exact {sc.objective} = {res.best_value}  "
          f"({res.n_exact} exact evaluations of a {res.space_size}-point space)")
    return {"tables": tables, "plots": plots, "best": best, "n_exact": res.n_exact}


EXPERIMENTS = {"study": run_study, "quick": run_quick, "paper": run_paper, "search": run_search}


def finished(out_dir: str) -> bool:
    """Whether ``out_dir`` holds a run that finished successfully."""
    try:
        with open(os.path.join(out_dir, STATUS)) as f:
            return json.load(f).get("status") == "ok"
    except (OSError, ValueError):
        return False


def _write_status(out_dir: str, **fields) -> None:
    with open(os.path.join(out_dir, STATUS), "w") as f:
        json.dump(fields, f, indent=2, default=str)


def run(cfg: DictConfig, out_dir: str, multirun: bool = False):
    """Run one job into ``out_dir``; record its status (and error) in ``status.json``."""
    name = cfg.experiment.name
    os.makedirs(out_dir, exist_ok=True)
    if multirun and cfg.runtime.skip_finished and finished(out_dir):
        log.info("skipping %s: already finished", out_dir)
        return {"skipped": True}
    start = time.perf_counter()
    info = {"experiment": name, "host": platform.node(),
            "config": OmegaConf.to_container(cfg, resolve=True)}
    try:
        if name not in EXPERIMENTS:
            raise ValueError(f"experiment.name: unknown {name!r}; known: {sorted(EXPERIMENTS)}")
        _configure_runtime(cfg)
        out = EXPERIMENTS[name](cfg, out_dir)
    except Exception as err:  # recorded, then re-raised for single runs
        _write_status(out_dir, status="failed", error=f"{type(err).__name__}: {err}",
                      traceback=traceback.format_exc(),
                      seconds=time.perf_counter() - start, **info)
        log.error("job failed: %s: %s (recorded in %s)", type(err).__name__, err,
                  os.path.join(out_dir, STATUS))
        if multirun:
            return {"failed": str(err)}
        raise
    seconds = time.perf_counter() - start
    import jax

    _write_status(out_dir, status="ok", seconds=seconds, outputs=out,
                  devices=[str(d) for d in jax.devices()], **info)
    log.info("finished in %.1f s", seconds)
    return out


_schema.register()


@hydra.main(config_path="pkg://griffin_jax.conf", config_name="config", version_base="1.3")
def hydra_main(cfg: DictConfig):
    multirun = HydraConfig.get().mode == RunMode.MULTIRUN
    return run(cfg, _output_dir(), multirun)
