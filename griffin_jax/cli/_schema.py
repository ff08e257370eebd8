"""Structured config schemas: a typo or a wrong type in any key is an error that names it.

The YAML files of ``griffin_jax/conf`` fill these; Hydra checks every key against them.
"""

from __future__ import annotations

import dataclasses
from typing import Any, List, Optional

from hydra.core.config_store import ConfigStore


def _list(*items):
    return dataclasses.field(default_factory=lambda: list(items))


@dataclasses.dataclass
class CoreConf:
    rows: int = 8
    cols: int = 8
    lanes: int = 16


@dataclasses.dataclass
class DesignConf:
    """The box grid (exploit x time x lane x group) plus named presets and custom windows."""

    exploits: List[str] = _list("A", "W", "AW")
    box_time: List[int] = _list(1, 2, 3, 4)
    box_lane: List[int] = _list(0, 1, 2)
    box_group: List[int] = _list(0, 1, 2)
    # Extra windows, each a list of [dt, dl, dg] offsets in priority order.
    windows: List[List[List[int]]] = dataclasses.field(default_factory=list)
    sync: str = "core"
    presets: List[str] = _list("dense", "cnvlutin_like", "cambricon_x_like", "bit_tactical_like",
                               "tensordash_like", "sparten_like", "stc_2to4", "griffin")


@dataclasses.dataclass
class WorkloadConf:
    # digits: the shipped real masks (variant, n_images); network: layer tables with generated
    # masks (networks, batch, seed); synthetic: one Bernoulli GEMM (M, N, K, densities, seed).
    kind: str = "digits"
    variant: str = "p75"
    n_images: Optional[int] = 16
    networks: List[str] = _list("resnet50")
    batch: int = 1
    seed: int = 0
    M: int = 256
    N: int = 64
    K: int = 576
    a_density: float = 0.5
    w_density: float = 0.4
    categories: List[str] = _list("dense", "W", "A", "AW")


@dataclasses.dataclass
class TechConf:
    name: str = "horowitz45"


@dataclasses.dataclass
class RuntimeConf:
    # Tiles (CPU) or design-tile pairs (GPU) per compiled call; null: by device (512 / 65536).
    chunk: Optional[int] = None
    # Persistent XLA compilation cache directory (null: off). A second process that finds
    # the programs there skips compiling them.
    compilation_cache: Optional[str] = None
    platform: Optional[str] = None  # "cpu", "gpu" or null for JAX's default
    # Host CPU devices JAX creates (null: JAX's default, one). Designs and tiles shard over
    # every device, so 2 on a 2-core machine runs two shards side by side.
    cpu_devices: Optional[int] = None
    progress: bool = True
    # Tile sampling: null for exact schedules, else the fraction of tiles per layer (estimates;
    # the tables then carry sampled_tiles / total_tiles).
    sample: Optional[float] = None
    # Skip this job if its output directory already holds a finished run (sweep reruns).
    skip_finished: bool = True


@dataclasses.dataclass
class SearchConf:
    objective: str = "tops_per_w"
    steps: int = 60
    restarts: int = 4
    seed: int = 0
    area_budget_mm2: Optional[float] = None


@dataclasses.dataclass
class ExperimentConf:
    name: str = "study"
    metric: str = "tops_per_w"
    plots: bool = True
    # Extra free-form tags copied into every row (e.g. a sweep label).
    tags: Any = dataclasses.field(default_factory=dict)
    search: SearchConf = dataclasses.field(default_factory=SearchConf)


@dataclasses.dataclass
class Config:
    core: CoreConf = dataclasses.field(default_factory=CoreConf)
    design: DesignConf = dataclasses.field(default_factory=DesignConf)
    workload: WorkloadConf = dataclasses.field(default_factory=WorkloadConf)
    tech: TechConf = dataclasses.field(default_factory=TechConf)
    runtime: RuntimeConf = dataclasses.field(default_factory=RuntimeConf)
    experiment: ExperimentConf = dataclasses.field(default_factory=ExperimentConf)


def register() -> None:
    cs = ConfigStore.instance()
    cs.store(name="griffin_schema", node=Config)
