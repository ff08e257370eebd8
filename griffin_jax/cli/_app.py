"""The Hydra app: a thin shell that turns a config into one library call and a run folder.

``run`` checks the whole config by building the library objects it describes (``_build``),
only then touches the folder (``_rundir``: status, manifest, atomic files), sets up JAX, runs
the registered experiment (``griffin_jax.experiments``) and writes its ``Outcome``. A failed
job in a multirun records its error and lets the sweep go on; a single run prints a bad-input
error (``ValueError``) in one line and exits 2, other errors with their traceback.
"""

from __future__ import annotations

import logging
import os
import platform
import signal
import sys
import time
import traceback

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.experimental.callback import Callback
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf

from griffin_jax.cli import _build, _rundir, _schema
from griffin_jax.cli._rundir import STATUS, Phases, finished  # noqa: F401  (public names)

log = logging.getLogger("griffin_jax")


def _configure_runtime(cfg) -> None:
    # JAX logs backend probing (TPU/GPU plugins) at INFO; a run's log is for the experiment.
    for name in ("jax", "jax._src.xla_bridge", "absl", "matplotlib"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import jax

    if cfg.runtime.platform:
        jax.config.update("jax_platforms", cfg.runtime.platform)
    if cfg.runtime.cpu_devices is not None:
        _set_cpu_devices(jax, cfg.runtime.cpu_devices)
    cache = _schema.cache_dir(cfg.runtime.compilation_cache)
    if cache:
        from griffin_jax.sim import enable_compilation_cache

        try:
            enable_compilation_cache(cache)
        except OSError as err:
            raise _schema.ConfigError(f"runtime.compilation_cache: {cache}: {err}") from None


def _set_cpu_devices(jax, n) -> None:
    try:
        jax.config.update("jax_num_cpu_devices", n)
    except RuntimeError:
        # JAX fixes the device count when its backends start: a later job of a sweep that runs
        # in the same process (basic launcher) can only keep the count it has.
        have = len(jax.devices("cpu"))
        if have != n:
            raise _schema.ConfigError(
                f"runtime.cpu_devices: {n}, but JAX already started with {have} CPU device(s) "
                "in this process; the count can only be set once per process (use "
                "hydra/launcher=joblib for sweeps over it)"
            ) from None


def _output_dir() -> str:
    return HydraConfig.get().runtime.output_dir


def _progress(cfg):
    """``progress(total, desc) -> tick(label)``: a tqdm bar on stderr when wanted and
    installed, else debug log lines."""

    def make(total: int, desc: str):
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

    return make


def _metadata(cfg, run_id: str) -> dict:
    """Columns every table row carries: run id, technology, versions, backend, sampling, tags."""
    import jax

    import griffin_jax

    return {
        "run_id": run_id,
        "tech": cfg.tech.name,
        "griffin_jax_version": griffin_jax.__version__,
        "jax_backend": jax.default_backend(),
        "sampled": cfg.runtime.sample is not None,
        **{f"tag_{k}": v for k, v in dict(cfg.experiment.tags).items()},
    }


def _command(cfg) -> str:
    """The command line of this run (its overrides); in-process composition has none."""
    try:
        overrides = list(HydraConfig.get().overrides.task)
    except ValueError:  # composed without @hydra.main (tests, notebooks)
        return f"griffin-jax experiment={cfg.experiment.name} (composed in-process)"
    keep = [o for o in overrides if not o.startswith(("hydra.", "experiment.griffin.store"))]
    return " ".join(["griffin-jax", *keep])


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def run(cfg: DictConfig, out_dir: str, multirun: bool = False):
    """Run one job into ``out_dir``; record its status (and error) in ``status.json``.

    The config is checked completely before the folder is touched (a bad value leaves a
    finished run there as it was). A folder holding a finished run is refused unless
    ``runtime.overwrite`` (a sweep job skips it first when ``runtime.skip_finished``); what an
    earlier failed or replaced run wrote there (its manifest) is removed, nothing else."""
    from griffin_jax import experiments

    start, phases = time.perf_counter(), Phases()
    phases.start("check")
    overwrite = bool(OmegaConf.select(cfg, "runtime.overwrite", default=False))
    if multirun and finished(out_dir):
        if OmegaConf.select(cfg, "runtime.skip_finished", default=True):
            log.info("skipping %s: already finished", out_dir)
            return {"skipped": True}
        if not overwrite:
            log.error(
                "refusing %s: it holds a finished run (runtime.overwrite=true replaces it)", out_dir
            )
            return {"failed": "holds a finished run"}
    refuse_finished(out_dir, overwrite)
    try:
        spec, options, settings = _build.check(cfg, _command(cfg))
    except _schema.ConfigError as err:
        # Recorded where no finished run would be touched (a rerun with a bad value under
        # runtime.overwrite leaves the finished run as it was).
        if not finished(out_dir):
            os.makedirs(out_dir, exist_ok=True)
            _rundir.write_status(
                out_dir,
                status="failed",
                error=f"ConfigError: {err}",
                experiment=str(OmegaConf.select(cfg, "experiment.name")),
                phases=phases.stop(),  # first: the total below then covers every phase
                seconds=time.perf_counter() - start,
            )
        if multirun:
            log.error("job failed: %s", err)
            return {"failed": str(err)}
        raise
    os.makedirs(out_dir, exist_ok=True)
    _rundir.clear_previous(out_dir)
    run_id = _rundir.new_run_id()
    name = cfg.experiment.name
    info = {
        "experiment": name,
        "run_id": run_id,
        "output_dir": out_dir,
        "host": platform.node(),
        "config": OmegaConf.to_container(cfg, resolve=True),
    }
    writer = _rundir.Writer(out_dir, name, run_id)
    _rundir.write_status(out_dir, status="running", **info)
    old_term = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        phases.start("setup")
        _configure_runtime(cfg)
        spec = spec.replace(meta=_metadata(cfg, run_id))
        context = experiments.Context(
            phase=phases.start, progress=_progress(cfg), log=log.info, settings=settings
        )
        outcome = experiments.run(name, spec, options, context=context)
        phases.start("write")
        written = _write(writer, outcome, phases)
    except BaseException as err:  # recorded, then re-raised (an interrupt too)
        interrupted = isinstance(err, KeyboardInterrupt)
        _rundir.write_status(
            out_dir,
            status="interrupted" if interrupted else "failed",
            error=f"{type(err).__name__}: {err}",
            traceback=traceback.format_exc(),
            phases=phases.stop(),
            seconds=time.perf_counter() - start,
            outputs={"partial": writer.files},
            **info,
        )
        if multirun and isinstance(err, Exception):
            log.error(
                "job failed: %s: %s (recorded in %s)",
                type(err).__name__,
                err,
                os.path.join(out_dir, STATUS),
            )
            return {"failed": str(err)}
        raise
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)
    import jax

    spent = phases.stop()  # before the total, which then covers every phase
    seconds = time.perf_counter() - start
    result = {**outcome.summary, **written}
    _rundir.write_status(
        out_dir,
        status="ok",
        seconds=seconds,
        phases=spent,
        outputs=result,
        devices=[str(d) for d in jax.devices()],
        **info,
    )
    if outcome.printed:
        print(outcome.printed)
    print(f"tables and plots in {out_dir}")
    log.info("finished in %.1f s", seconds)
    return result


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _write(writer, outcome, phases) -> dict:
    """Every table, text and plot of ``outcome`` through ``writer``; a plot whose library is
    missing is skipped with a warning (the tables are the result)."""
    tables = [writer.table(n, rows) for n, rows in outcome.tables.items()]
    tables += [writer.text(n, text) for n, text in outcome.texts.items()]
    if outcome.plots:
        phases.start("plots")
    plots = []
    for n, draw in outcome.plots.items():
        try:
            plots.append(writer.plot(n, draw))
        except ImportError as err:
            log.warning("plot %s skipped: %s", n, err)
    return {"tables": tables, "plots": plots}


def refuse_finished(out_dir: str, overwrite: bool) -> None:
    """``ConfigError`` if ``out_dir`` holds a finished run and ``overwrite`` is false."""
    if not overwrite and finished(out_dir):
        raise _schema.ConfigError(
            f"hydra.run.dir: {out_dir} already holds a finished run; choose another "
            "hydra.run.dir or pass runtime.overwrite=true to replace it"
        )


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
