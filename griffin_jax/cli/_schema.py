"""Structured config schemas: a typo or a wrong type in any key is an error that names it."""

from __future__ import annotations

import dataclasses
from typing import List, Optional

from hydra.core.config_store import ConfigStore


@dataclasses.dataclass
class CoreConf:
    rows: int = 8
    cols: int = 8
    lanes: int = 16


@dataclasses.dataclass
class WorkloadConf:
    # synthetic: one Bernoulli GEMM of M x K by K x N.
    kind: str = "synthetic"
    M: int = 256
    N: int = 64
    K: int = 576
    a_density: float = 0.5
    w_density: float = 0.4
    seed: int = 0


@dataclasses.dataclass
class DesignSpaceConf:
    exploits: List[str] = dataclasses.field(default_factory=lambda: ["none", "A", "W", "AW"])
    box_time: List[int] = dataclasses.field(default_factory=lambda: [1, 2])
    box_lane: List[int] = dataclasses.field(default_factory=lambda: [0, 1])
    box_group: List[int] = dataclasses.field(default_factory=lambda: [0])
    # Extra windows as lists of [dt, dl, dg] offsets, priority order.
    windows: List[List[List[int]]] = dataclasses.field(default_factory=list)
    sync: str = "core"


@dataclasses.dataclass
class RuntimeConf:
    chunk: int = 512
    # Persistent XLA compilation cache directory (null: off).
    compilation_cache: Optional[str] = None
    platform: Optional[str] = None  # "cpu", "gpu" or null for JAX's default


@dataclasses.dataclass
class ExperimentConf:
    name: str = "quick"


@dataclasses.dataclass
class Config:
    core: CoreConf = dataclasses.field(default_factory=CoreConf)
    workload: WorkloadConf = dataclasses.field(default_factory=WorkloadConf)
    design: DesignSpaceConf = dataclasses.field(default_factory=DesignSpaceConf)
    runtime: RuntimeConf = dataclasses.field(default_factory=RuntimeConf)
    experiment: ExperimentConf = dataclasses.field(default_factory=ExperimentConf)


def register() -> None:
    ConfigStore.instance().store(name="griffin_schema", node=Config)
