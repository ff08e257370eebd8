"""The Hydra app: a thin shell that turns a config into one library call and a run folder.

``run`` checks the whole config by building the library objects it describes (``_build``) and
setting up the JAX runtime it asks for, only then touches the folder (``_rundir``: status,
manifest, atomic files), runs the registered experiment (``griffin_jax.experiments``) and writes
its ``Outcome``. A failed job in a multirun records its error and lets the sweep go on (the
sweep then exits 1, ``_sweep``); a single run prints a bad-input error (``ValueError``) in one
line and exits 2, other errors with their traceback. Every outcome, an interrupt or a
``BaseException`` included, is recorded in the folder's ``status.json``.
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

from griffin_jax.cli import _build, _rundir, _schema, _sweep
from griffin_jax.cli._rundir import STATUS, Phases, finished  # noqa: F401  (public names)

log = logging.getLogger("griffin_jax")


def _configure_runtime(cfg) -> None:
    # JAX logs backend probing (TPU/GPU plugins) at INFO; a run's log is for the experiment.
    for name in ("jax", "jax._src.xla_bridge", "absl", "matplotlib"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import jax

    if cfg.runtime.platform:
        _set_platform(jax, cfg.runtime.platform)
    if cfg.runtime.cpu_devices is not None:
        _set_cpu_devices(jax, cfg.runtime.cpu_devices)
    cache = _schema.cache_dir(cfg.runtime.compilation_cache)
    if cache:
        from griffin_jax.sim import enable_compilation_cache

        try:
            enable_compilation_cache(cache)
        except OSError as err:
            raise _schema.ConfigError(f"runtime.compilation_cache: {cache}: {err}") from None


def _set_platform(jax, name: str) -> None:
    """Ask JAX for ``name``; ``ConfigError`` when this machine has no such backend (or JAX
    already started on another one in this process)."""
    try:
        jax.config.update("jax_platforms", name)
        got = jax.default_backend()
    except RuntimeError as err:
        raise _schema.ConfigError(
            f"runtime.platform: {name!r} requested, but JAX cannot start it on this machine "
            f"({_one_line(str(err).splitlines()[0] if str(err) else type(err).__name__)}); "
            "use runtime=default or runtime.platform=cpu"
        ) from None
    want = "gpu" if name in ("gpu", "cuda", "rocm") else name
    if got != want:
        raise _schema.ConfigError(
            f"runtime.platform: {name!r} requested, but JAX runs on {got!r} in this process "
            "(the platform is fixed when JAX starts)"
        )


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
        overrides = _task_overrides(HydraConfig.get())
    except ValueError:  # composed without @hydra.main (tests, notebooks)
        return f"griffin-jax experiment={cfg.experiment.name} (composed in-process)"
    keep = [o for o in overrides if not o.startswith(("hydra.", "experiment.griffin.store"))]
    return " ".join(["griffin-jax", *keep])


def _task_overrides(hc) -> list:
    # as typed: an override's text may hold an interpolation, which is not resolved here
    return [str(o) for o in OmegaConf.to_container(hc.overrides.task, resolve=False)]


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def _hydra_record() -> dict:
    """What Hydra knows of this job: its overrides, its files' folder, its sweep and number
    (``{}`` when composed in-process)."""
    try:
        hc = HydraConfig.get()
    except ValueError:
        return {}
    return {
        "overrides": _task_overrides(hc),
        "subdir": hc.output_subdir,
        "sweep_dir": str(hc.sweep.dir) if hc.mode == RunMode.MULTIRUN else None,
        "num": hc.job.get("num", 0),
    }


def _container(cfg) -> dict:
    try:
        return OmegaConf.to_container(cfg, resolve=True)
    except Exception as err:  # an interpolation that does not resolve names its key
        key = getattr(err, "full_key", "") or "config"
        raise _schema.ConfigError(f"{key}: {_one_line(str(err).splitlines()[0])}") from None


def _flag(cfg, key: str, default: bool) -> bool:
    try:
        return bool(OmegaConf.select(cfg, key, default=default))
    except Exception:  # checked (and named) with the rest of the config
        return default


def run(cfg: DictConfig, out_dir: str, multirun: bool = False):
    """Run one job into ``out_dir``; record its status (and error) in ``status.json``.

    The config is checked completely (the JAX runtime it asks for too) before the folder is
    touched: a bad value leaves a finished run there as it was, ``.hydra/`` included. A folder
    holding a finished run is refused unless ``runtime.overwrite``; a sweep job compares the
    config that run was made with first (``_sweep.decide``: same config skipped, another one
    refused naming the keys). What an earlier failed or replaced run wrote there (its
    manifest) is removed, nothing else. A sweep job records its outcome for the sweep's exit
    status."""
    from griffin_jax import experiments

    start, phases = time.perf_counter(), Phases()
    phases.start("check")
    hydra_info = _hydra_record()

    def outcome(status: str, error: str = "") -> None:
        if multirun and hydra_info.get("sweep_dir"):
            sweep = hydra_info["sweep_dir"]
            _sweep.record(sweep, hydra_info["num"], os.path.relpath(out_dir, sweep), status, error)

    overwrite = _flag(cfg, "runtime.overwrite", False)
    try:
        config = _container(cfg)
        if multirun:
            action, why = _sweep.decide(
                out_dir,
                config,
                skip_finished=_flag(cfg, "runtime.skip_finished", True),
                overwrite=overwrite,
            )
            if action != "run":
                _rundir.restore_hydra(out_dir, _rundir.read_status(out_dir))
                if action == "skip":
                    log.info("skipping %s", why)
                    outcome("skipped")
                    return {"skipped": True}
                log.error("job refused: %s", why)
                outcome("refused", why)
                return {"failed": why}
        else:
            refuse_finished(out_dir, overwrite)
        spec, options, settings = _build.check(cfg, _command(cfg))
        _configure_runtime(cfg)  # the platform, devices and cache it asks for exist
        _prepare(out_dir)
    except _schema.ConfigError as err:
        _not_run(cfg, out_dir, f"ConfigError: {err}", phases, start)
        outcome("failed", str(err))
        if multirun:
            log.error("job failed: %s", err)
            return {"failed": str(err)}
        raise
    run_id = _rundir.new_run_id()
    name = cfg.experiment.name
    info = {
        "experiment": name,
        "run_id": run_id,
        "output_dir": out_dir,
        "host": platform.node(),
        "config": config,
        "overrides": hydra_info.get("overrides", []),
        # Hydra's files of this run, put back by a later launch that does not run here
        "hydra": _rundir.snapshot_hydra(out_dir, hydra_info.get("subdir")),
    }
    writer = _rundir.Writer(out_dir, name, run_id)
    _rundir.write_status(out_dir, status="running", **info)
    old_term = signal.signal(signal.SIGTERM, _interrupt) if _main_thread() else None
    try:
        phases.start("setup")
        spec = spec.replace(meta=_metadata(cfg, run_id))
        context = experiments.Context(
            phase=phases.start, progress=_progress(cfg), log=log.info, settings=settings
        )
        outcome_ = experiments.run(name, spec, options, context=context)
        phases.start("write")
        written = _write(writer, outcome_, phases)
    except BaseException as err:  # recorded, then re-raised (an interrupt too)
        interrupted = isinstance(err, KeyboardInterrupt)
        status = "interrupted" if interrupted else "failed"
        try:
            _rundir.write_status(
                out_dir,
                status=status,
                error=f"{type(err).__name__}: {err}",
                traceback=traceback.format_exc(),
                phases=phases.stop(),
                **phases.memory(),
                seconds=time.perf_counter() - start,
                outputs={"partial": writer.files},
                **info,
            )
        except OSError as werr:  # the error itself is what the user needs to see
            log.error("could not record the failure in %s: %s", out_dir, werr)
        outcome(status, f"{type(err).__name__}: {err}")
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
    result = {**outcome_.summary, **written}
    _rundir.write_status(
        out_dir,
        status="ok",
        seconds=seconds,
        phases=spent,
        **phases.memory(),
        outputs=result,
        devices=[str(d) for d in jax.devices()],
        **info,
    )
    outcome("ok")
    if outcome_.printed:
        print(outcome_.printed)
    print(f"tables and plots in {out_dir}")
    log.info("finished in %.1f s", seconds)
    return result


def _prepare(out_dir: str) -> None:
    """Make the folder and remove what its previous run's manifest lists; ``ConfigError``
    naming the folder when it cannot be written."""
    try:
        os.makedirs(out_dir, exist_ok=True)
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise PermissionError(13, "not writable")
        _rundir.clear_previous(out_dir)
    except OSError as err:
        raise _schema.ConfigError(
            f"hydra.run.dir: {out_dir}: cannot write the run folder: {err.strerror or err}"
        ) from None


def _not_run(cfg, out_dir: str, error: str, phases, start) -> None:
    """A job refused by its checks: a finished run in the folder stays as it was (its
    ``.hydra/`` files put back); otherwise the error is recorded there, if it can be."""
    status = _rundir.read_status(out_dir)
    if status is not None and status.get("status") == "ok":
        _rundir.restore_hydra(out_dir, status)
        return
    try:
        os.makedirs(out_dir, exist_ok=True)
        _rundir.write_status(
            out_dir,
            status="failed",
            error=error,
            experiment=str(OmegaConf.select(cfg, "experiment.name", default="?")),
            phases=phases.stop(),  # first: the total below then covers every phase
            seconds=time.perf_counter() - start,
        )
    except Exception:  # an unwritable folder or a config that does not resolve: the error
        pass  # itself is reported to the user


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
    return os.environ.get("HYDRA_FULL_ERROR") == "1" or _flag(cfg, "runtime.debug", False)


def _one_line(msg: str, limit: int = 2000) -> str:
    """A message on one line (a library or OmegaConf message may hold several)."""
    line = " ".join(str(msg).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _fail_in_one_line(err: Exception) -> None:
    print(
        f"griffin-jax: error: {_one_line(str(err))}  "
        "(traceback: runtime.debug=true or HYDRA_FULL_ERROR=1)",
        file=sys.stderr,
    )
    sys.exit(2)


def writable_folder(path: str, key: str) -> None:
    """Create ``path`` (as Hydra would) and check that it is a writable folder;
    ``ConfigError`` naming ``key`` otherwise."""
    try:
        os.makedirs(path, exist_ok=True)
        if not os.access(path, os.W_OK | os.X_OK):
            raise PermissionError(13, "not writable")
    except OSError as err:
        why = "not a directory" if os.path.exists(path) and not os.path.isdir(path) else None
        raise _schema.ConfigError(
            f"{key}: {path}: cannot write the folder: {why or err.strerror or err}"
        ) from None


class RunDirGuard(Callback):
    """Hydra callback. A single run: refuse a folder that holds a finished run, or one that
    cannot be written, before Hydra writes the new config there (``runtime.overwrite=true``
    allows the first). A sweep: check its folder, then collect its jobs' outcomes (``_sweep``)
    for the exit status."""

    def on_run_start(self, config: DictConfig, **kwargs) -> None:
        try:
            out_dir = str(config.hydra.run.dir)
        except Exception:  # an interpolation only a job can resolve: run() checks it then
            return
        try:
            writable_folder(out_dir, "hydra.run.dir")
            refuse_finished(out_dir, _flag(config, "runtime.overwrite", False))
        except _schema.ConfigError as err:
            if _debug(config):
                raise
            _fail_in_one_line(err)

    def on_multirun_start(self, config: DictConfig, **kwargs) -> None:
        try:
            sweep_dir = str(config.hydra.sweep.dir)
        except Exception:
            return
        try:
            writable_folder(sweep_dir, "hydra.sweep.dir")
        except _schema.ConfigError as err:
            if _debug(config):
                raise
            _fail_in_one_line(err)
        _sweep.start(sweep_dir)

    def on_multirun_end(self, config: DictConfig, **kwargs) -> None:
        try:
            _sweep.end(str(config.hydra.sweep.dir))
        except Exception as err:  # the sweep ran; its exit status falls back to ok
            log.warning("could not read the sweep's job outcomes: %s", err)


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
