"""The config schema, derived from the library: a typo or a wrong type in any key is an error
that names it.

The static groups (``core``, ``design``, ``workload``, ``tech``, ``runtime``) are typed here; the
``experiment`` block is built from the experiment registry (one sub-block per experiment with
options: the fields of its options dataclass), and the ``experiment`` and ``workload=paper``
config group options are generated from the experiment and network registries, so a new
experiment or paper network needs no YAML file. Values are not re-checked here: the CLI builds
the library objects (``_build``) and names the key of whatever they reject.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import typing
from typing import Any

from hydra.core.config_store import ConfigStore


def _list(*items):
    return dataclasses.field(default_factory=lambda: list(items))


@dataclasses.dataclass
class CoreConf:
    rows: int = 8
    cols: int = 8
    lanes: int = 16
    # SRAM buffer capacities in KB of dense 8-bit values (griffin_jax.Core; docs/model.md 4.1).
    act_kb: float = 128.0
    wgt_kb: float = 128.0
    out_kb: float = 32.0


def _default_presets() -> list:
    from griffin_jax.design import preset_names

    return list(preset_names(default=True))


@dataclasses.dataclass
class DesignConf:
    """The box grid (exploit x time x lane x group) plus named presets and custom windows
    (``experiments.DesignSet``)."""

    exploits: list[str] = _list("A", "W", "AW")
    box_time: list[int] = _list(1, 2, 3, 4)
    box_lane: list[int] = _list(0, 1, 2)
    box_group: list[int] = _list(0, 1, 2)
    # Extra windows, each a list of [dt, dl, dg] offsets in priority order.
    windows: list[list[list[int]]] = dataclasses.field(default_factory=list)
    # Extra windows by shape name (design.SHAPE_REGISTRY), e.g. t_shape or "l_shape(2, 5)".
    shapes: list[str] = dataclasses.field(default_factory=list)
    sync: str = "core"
    # Named presets (design.PRESET_REGISTRY); default: every one registered with default=True.
    presets: list[str] = dataclasses.field(default_factory=_default_presets)
    # Extra boxes, each [time, lane, group], for every exploit (beside the grid's product).
    boxes: list[list[int]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class WorkloadConf:
    # digits: the shipped real masks (variant, n_images); network: registered networks
    # (workloads.network_names(); layer tables get generated masks: batch, seed); synthetic:
    # one Bernoulli GEMM (M, N, K, densities, seed).
    kind: str = "digits"
    variant: str = "p75"
    n_images: int | None = 16
    networks: list[str] = _list("resnet50")
    batch: int = 1
    seed: int = 0
    M: int = 256
    N: int = 64
    K: int = 576
    a_density: float = 0.5
    w_density: float = 0.4
    categories: list[str] = _list("dense", "W", "A", "AW")


@dataclasses.dataclass
class TechConf:
    name: str = "horowitz45"


@dataclasses.dataclass
class RuntimeConf:
    # Tiles (CPU) or design-tile pairs (GPU) per compiled call; null: by device (512 / 65536).
    chunk: int | None = None
    # Persistent XLA compilation cache: "default" is a folder in the user's cache directory
    # ($XDG_CACHE_HOME or ~/.cache)/griffin_jax/xla; a path; null turns it off. A second
    # process that finds the programs there skips compiling them.
    compilation_cache: str | None = "default"
    platform: str | None = None  # "cpu", "gpu" or null for JAX's default
    # Host CPU devices JAX creates (null: JAX's default, one). Designs and tiles shard over
    # every device, so 2 on a 2-core machine runs two shards side by side.
    cpu_devices: int | None = None
    progress: bool = True
    # Tile sampling: null for exact schedules, else the fraction of tiles per layer (estimates;
    # the tables then carry sampled_tiles / total_tiles).
    sample: float | None = None
    # The scheduler's memory budget in GB (sim.SimOptions.memory_gb, the same default): tile
    # chunks sized so no phase holds every tile's activity at once (the data in flight within
    # about half of it) and the compiled programs kept within it; null: no budget.
    memory_gb: float | None = 1.0
    # Skip this job if its output directory already holds a finished run (sweep reruns).
    skip_finished: bool = True
    # A single run into a folder that holds a finished run refuses unless this is true (then
    # the old run's status and outputs are removed first).
    overwrite: bool = False
    # Config errors print one line; true: the full traceback (as does HYDRA_FULL_ERROR=1).
    debug: bool = False
    # Python modules imported before the config is composed, so that what they register
    # (presets, networks, window shapes, experiments) can be named in it.
    imports: list[str] = dataclasses.field(default_factory=list)


def _conf_type(hint):
    """An options dataclass field's type as OmegaConf takes it (tuples become lists)."""
    origin = typing.get_origin(hint)
    if origin is tuple:
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return list[args[0]] if args else list
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [_conf_type(a) for a in typing.get_args(hint)]
        return typing.Optional[args[0]] if type(None) in args else hint  # noqa: UP045
    return hint


def _options_conf(name: str, options: type) -> type:
    """A mutable mirror of an experiment's options dataclass (the CLI's
    ``experiment.<name>.*``), with the same fields and defaults."""
    hints = typing.get_type_hints(options)
    fields = []
    for f in dataclasses.fields(options):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        typ = _conf_type(hints[f.name])
        if isinstance(default, (tuple, list)):
            fields.append(
                (f.name, typ, dataclasses.field(default_factory=lambda d=default: list(d)))
            )
        else:
            fields.append((f.name, typ, dataclasses.field(default=default)))
    return _named(dataclasses.make_dataclass(f"{name.title()}Conf", fields))


def _registry_state() -> tuple:
    from griffin_jax.experiments import EXPERIMENT_REGISTRY

    return tuple((e.name, e.meta.get("options")) for e in EXPERIMENT_REGISTRY.entries())


@functools.lru_cache(maxsize=4)
def _config_class(state: tuple) -> type:
    blocks = [(name, opts) for name, opts in state if opts is not None]
    exp_fields = [
        ("name", str, dataclasses.field(default="study")),
        ("plots", bool, dataclasses.field(default=True)),
        # Extra free-form tags copied into every row (e.g. a sweep label).
        ("tags", Any, dataclasses.field(default_factory=dict)),
    ] + [
        (name, conf := _options_conf(name, opts), dataclasses.field(default_factory=conf))
        for name, opts in blocks
    ]
    experiment = _named(dataclasses.make_dataclass("ExperimentConf", exp_fields))
    return _named(
        dataclasses.make_dataclass(
            "Config",
            [
                ("core", CoreConf, dataclasses.field(default_factory=CoreConf)),
                ("design", DesignConf, dataclasses.field(default_factory=DesignConf)),
                ("workload", WorkloadConf, dataclasses.field(default_factory=WorkloadConf)),
                ("tech", TechConf, dataclasses.field(default_factory=TechConf)),
                ("runtime", RuntimeConf, dataclasses.field(default_factory=RuntimeConf)),
                ("experiment", experiment, dataclasses.field(default_factory=experiment)),
            ],
        )
    )


def _named(cls: type) -> type:
    # built classes live in this module by name (``__getattr__`` below finds them), so a
    # pickled config (a launcher's job) refers to them by a name that resolves
    cls.__module__ = __name__
    cls.__qualname__ = cls.__name__
    return cls


def config_class() -> type:
    """The ``Config`` dataclass for the experiments registered now."""
    return _config_class(_registry_state())


def __getattr__(name):
    # the schema as the registries stand when it is read
    config = config_class()
    if name == "Config":
        return config
    experiment = typing.get_type_hints(config)["experiment"]
    if name == "ExperimentConf":
        return experiment
    for f in dataclasses.fields(experiment):
        if isinstance(f.type, type) and f.type.__name__ == name:
            return f.type
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _experiment_node(entry) -> dict:
    node: dict = {"experiment": {"name": entry.name, "plots": bool(entry.meta.get("plots", True))}}
    defaults = []
    for group, value in entry.meta.get("config", {}).items():
        if isinstance(value, str):
            defaults.append({f"override /{group}": value})
        else:
            node[group] = dict(value)
    if defaults:
        node["defaults"] = [*defaults, "_self_"]
    return node


def register() -> None:
    """Store the schema and the registry-derived config group options in Hydra's ConfigStore
    (again after a registration: it replaces what it stored before)."""
    from griffin_jax.experiments import EXPERIMENT_REGISTRY
    from griffin_jax.workloads import network_names

    cs = ConfigStore.instance()
    cs.store(name="griffin_schema", node=config_class())
    for entry in EXPERIMENT_REGISTRY.entries():
        cs.store(
            group="experiment", name=entry.name, node=_experiment_node(entry), package="_global_"
        )
    cs.store(
        group="workload",
        name="paper",
        node={"kind": "network", "networks": list(network_names(paper=True))},
    )


def import_plugins(modules) -> None:
    """Import ``runtime.imports`` modules (their registrations then count); ``ConfigError``
    naming the module when one cannot be imported."""
    import importlib

    for name in modules:
        try:
            importlib.import_module(str(name))
        except Exception as err:  # any failure of a user's module is a config error
            raise ConfigError(
                f"runtime.imports: cannot import {name!r}: {type(err).__name__}: {err}"
            ) from None


def override_imports(overrides) -> list:
    """The modules a command line's ``runtime.imports=[...]`` override names."""
    for ov in overrides:
        key, _, _ = ov.partition("=")
        if key.lstrip("+") == "runtime.imports":
            values = _parsed(ov)
            if values is _SKIP or not values:
                return []
            value = values[0]
            return [value] if isinstance(value, str) else list(value or [])
    return []


def cache_dir(value) -> str | None:
    """``runtime.compilation_cache`` as a folder (``"default"``: the user cache directory)."""
    if value is None:
        return None
    if value == "default":
        root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return os.path.join(root, "griffin_jax", "xla")
    return os.path.expanduser(str(value))


# -- checks after composition -------------------------------------------------------------------
class ConfigError(ValueError):
    """A config key or value the schema or the library rejects; the message names the key."""


def _unknown(key: str, known) -> ConfigError:
    import difflib

    leaf = key.rsplit(".", 1)[-1]
    near = difflib.get_close_matches(leaf, list(known), n=1, cutoff=0.5)
    parent = key.rsplit(".", 1)[0] + "." if "." in key else ""
    hint = f"did you mean {parent}{near[0]}?" if near else f"known: {', '.join(sorted(known))}"
    return ConfigError(f"{key}: unknown key; {hint}")


def check_keys(cfg, schema=None, prefix: str = "") -> None:
    """Raise ``ConfigError`` naming the first key of ``cfg`` (a mapping, appended keys included)
    that ``schema`` (default ``Config``) does not declare, and the nearest declared one."""
    schema = config_class() if schema is None else schema
    fields = {f.name: f for f in dataclasses.fields(schema)}
    for key in cfg:
        if key not in fields:
            raise _unknown(prefix + str(key), fields)
        sub = fields[key].type
        sub = _resolve(schema, key) if isinstance(sub, str) else sub
        if dataclasses.is_dataclass(sub) and hasattr(cfg[key], "keys"):
            check_keys(cfg[key], sub, f"{prefix}{key}.")


def _resolve(schema, key):
    return typing.get_type_hints(schema)[key]


def check_override_keys(overrides) -> None:
    """The checks of ``check_keys`` and ``check_types`` on command-line overrides (``key=v``,
    ``+key=v``, ``++key=v``) before Hydra composes, so a typo names its nearest key and a value
    of the wrong type its key, each in one line."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    Config = config_class()
    schema = OmegaConf.structured(Config)
    for ov in overrides:
        if "=" not in ov or ov.startswith("~"):
            continue
        key, raw = ov.split("=", 1)
        key = key.lstrip("+")
        if "/" in key or key.startswith("hydra") or "." not in key:
            continue  # config groups and Hydra's own keys: Hydra checks them
        node: Any = Config
        parts = key.split(".")
        for i, part in enumerate(parts):
            if not dataclasses.is_dataclass(node):
                break  # inside a free-form field (experiment.tags)
            fields = {f.name for f in dataclasses.fields(node)}
            if part not in fields:
                raise _unknown(".".join(parts[: i + 1]), fields)
            node = _resolve(node, part)
        value = _parsed(ov)
        if value is _SKIP:
            continue
        for v in value:
            try:
                OmegaConf.update(schema, key, v, merge=False)
            except OmegaConfBaseException as err:
                raise ConfigError(f"{key}: {str(err).splitlines()[0]}") from None


_SKIP = object()


def _parsed(override: str):
    """The values an override sets (several for a sweep), or ``_SKIP`` when they are not plain
    values (interpolations, functions: Hydra resolves and checks those)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        ov = OverridesParser.create().parse_override(override)
        if ov.is_sweep_override():
            if ov.is_discrete_sweep():
                return list(ov.sweep_iterator())
            return _SKIP
        value = ov.value()
    except Exception:  # a syntax error: Hydra reports it in its own words
        return _SKIP
    if isinstance(value, str) and "${" in value:
        return _SKIP
    return [value]


def check_types(cfg) -> None:
    """Merge ``cfg`` into the schema: a value of the wrong type is a ``ConfigError``."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

    try:
        # as a plain container: a config composed in another process (a launcher's job) was
        # typed by that process's copy of the schema class
        OmegaConf.merge(OmegaConf.structured(config_class()), OmegaConf.to_container(cfg))
    except OmegaConfBaseException as err:
        key = getattr(err, "full_key", "") or "config"
        msg = str(err).splitlines()[0]
        raise ConfigError(f"{key}: {msg}") from None
