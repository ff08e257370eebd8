"""The Hydra app: a thin shell that turns a config into library calls and writes the outputs."""

from __future__ import annotations

import logging
import os

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from griffin_jax.cli import _schema

log = logging.getLogger("griffin_jax")


def _configure_runtime(cfg) -> None:
    # JAX logs backend probing (TPU/GPU plugins) at INFO; a run's log is for the experiment.
    for name in ("jax", "jax._src.xla_bridge", "absl"):
        logging.getLogger(name).setLevel(logging.WARNING)
    import jax

    if cfg.runtime.platform:
        jax.config.update("jax_platforms", cfg.runtime.platform)
    if cfg.runtime.compilation_cache:
        jax.config.update("jax_compilation_cache_dir", cfg.runtime.compilation_cache)
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def _output_dir() -> str:
    return HydraConfig.get().runtime.output_dir


def run_quick(cfg) -> list:
    """Designs x one synthetic GEMM: cycles and speedup over dense."""
    import griffin_jax as gj
    from griffin_jax.study._space import box_space
    from griffin_jax.study._tables import format_table, gemm_cycles_table, write_csv
    from griffin_jax.workloads import bernoulli_mask

    wl = cfg.workload
    if wl.kind != "synthetic":
        raise ValueError(f"workload.kind: the quick experiment needs 'synthetic', got {wl.kind!r}")
    a = bernoulli_mask((wl.M, wl.K), wl.a_density, wl.seed)
    w = bernoulli_mask((wl.K, wl.N), wl.w_density, wl.seed + 1)
    core = gj.Core(cfg.core.rows, cfg.core.cols, cfg.core.lanes)
    ds = cfg.design
    designs = box_space(core, list(ds.exploits), list(ds.box_time), list(ds.box_lane),
                        list(ds.box_group), ds.sync, [list(map(tuple, w_)) for w_ in ds.windows])
    rows = gemm_cycles_table(designs, a, w, chunk=cfg.runtime.chunk)
    path = write_csv(rows, os.path.join(_output_dir(), "cycles.csv"))
    print(f"GEMM {wl.M}x{wl.K} @ {wl.K}x{wl.N}, densities A {wl.a_density} W {wl.w_density}, "
          f"core {core.rows}x{core.cols}x{core.lanes}")
    print(format_table(rows, ["design", "exploit", "window", "cycles", "dense_cycles", "speedup"]))
    print(f"wrote {path}")
    return rows


EXPERIMENTS = {"quick": run_quick}


def run(cfg: DictConfig):
    """Dispatch one job; errors in the config become ``ValueError`` naming the key."""
    name = cfg.experiment.name
    if name not in EXPERIMENTS:
        raise ValueError(f"experiment.name: unknown {name!r}; known: {sorted(EXPERIMENTS)}")
    _configure_runtime(cfg)
    return EXPERIMENTS[name](cfg)


_schema.register()


@hydra.main(config_path="pkg://griffin_jax.conf", config_name="config", version_base="1.3")
def hydra_main(cfg: DictConfig):
    return run(cfg)
