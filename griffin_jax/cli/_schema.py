"""Structured config schemas: a typo or a wrong type in any key is an error that names it.

The YAML files of ``griffin_jax/conf`` fill these; Hydra checks every key against them.
"""

from __future__ import annotations

import dataclasses
import math
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


@dataclasses.dataclass
class DesignConf:
    """The box grid (exploit x time x lane x group) plus named presets and custom windows."""

    exploits: list[str] = _list("A", "W", "AW")
    box_time: list[int] = _list(1, 2, 3, 4)
    box_lane: list[int] = _list(0, 1, 2)
    box_group: list[int] = _list(0, 1, 2)
    # Extra windows, each a list of [dt, dl, dg] offsets in priority order.
    windows: list[list[list[int]]] = dataclasses.field(default_factory=list)
    sync: str = "core"
    presets: list[str] = _list(
        "dense",
        "cnvlutin_like",
        "cambricon_x_like",
        "bit_tactical_like",
        "tensordash_like",
        "sparten_like",
        "stc_2to4",
        "griffin",
    )
    # Extra boxes, each [time, lane, group], for every exploit (beside the grid's product).
    boxes: list[list[int]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class WorkloadConf:
    # digits: the shipped real masks (variant, n_images); network: layer tables with generated
    # masks (networks, batch, seed); synthetic: one Bernoulli GEMM (M, N, K, densities, seed).
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
    # Persistent XLA compilation cache directory (null: off). A second process that finds
    # the programs there skips compiling them.
    compilation_cache: str | None = None
    platform: str | None = None  # "cpu", "gpu" or null for JAX's default
    # Host CPU devices JAX creates (null: JAX's default, one). Designs and tiles shard over
    # every device, so 2 on a 2-core machine runs two shards side by side.
    cpu_devices: int | None = None
    progress: bool = True
    # Tile sampling: null for exact schedules, else the fraction of tiles per layer (estimates;
    # the tables then carry sampled_tiles / total_tiles).
    sample: float | None = None
    # Skip this job if its output directory already holds a finished run (sweep reruns).
    skip_finished: bool = True
    # A single run into a folder that holds a finished run refuses unless this is true (then
    # the old run's status and outputs are removed first).
    overwrite: bool = False
    # Config errors print one line; true: the full traceback (as does HYDRA_FULL_ERROR=1).
    debug: bool = False


@dataclasses.dataclass
class SearchConf:
    objective: str = "tops_per_w"
    steps: int = 60
    restarts: int = 4
    seed: int = 0
    area_budget_mm2: float | None = None


@dataclasses.dataclass
class GeometryConf:
    # Dense-geometry study: every power-of-two rows x cols x lanes = peak with lanes <= max_lanes.
    peak: int = 1024
    max_lanes: int = 64


# The sensitivity inputs priced again without simulating (study.SENSITIVITY_INPUTS): the paper
# experiment's default; experiment=sensitivity adds operand_bits and lanes, which re-run it.
REPRICED_INPUTS = (
    "clock_ghz",
    "leakage_power_density",
    "priority_cell_nand2",
    "cell_switching_energy",
    "accumulator_bits",
    "act_kb",
    "wgt_kb",
    "out_kb",
    "sram_cells",
)


@dataclasses.dataclass
class PaperConf:
    # The paper experiment's core geometries (docs/model.md 5.1): "configured" (core.*) and/or
    # "best" (the best dense geometry at the same multiplier count); each one runs the whole
    # study, so both take about twice as long as one.
    geometries: list[str] = _list("configured", "best")
    # report.md also validates the prior presets (experiment.validate.* settings) ...
    validate: bool = True
    # ... and moves these inputs (study.SENSITIVITY_INPUTS; range and samples from
    # experiment.sensitivity) on each geometry. The default is every input the sensitivity can
    # price again without simulating; operand_bits and lanes re-run the whole study
    # (experiment=sensitivity has them), and the geometry is already moved by `geometries`.
    sensitivity: list[str] = _list(*REPRICED_INPUTS)


@dataclasses.dataclass
class ValidateConf:
    # Validation against published figures: the first max_layers layers of each network (null:
    # all) with at most max_rows activation rows per layer (null: the full M); mask seed.
    max_layers: int | None = None
    max_rows: int | None = 64
    seed: int = 0


@dataclasses.dataclass
class SensitivityConf:
    # Sensitivity of the claims (docs/model.md 8): the inputs moved (study.SENSITIVITY_INPUTS
    # names), the factor range of the continuous ones, and points sampled between low and high.
    inputs: list[str] = _list(*REPRICED_INPUTS, "operand_bits", "lanes")
    range: list[float] = _list(0.5, 2.0)
    samples: int = 3


@dataclasses.dataclass
class GriffinConf:
    # Griffin's derivation (docs/model.md 5.2): the AW wirings are design.box_* (grid),
    # design.boxes and design.windows; search adds the gradient search's rounded best.
    search: bool = True
    search_steps: int = 30
    search_restarts: int = 3
    search_seed: int = 0
    # true: also copy the new derived.yaml over the package's griffin_jax/conf/griffin/.
    store: bool = False


@dataclasses.dataclass
class ExperimentConf:
    name: str = "study"
    plots: bool = True
    # Extra free-form tags copied into every row (e.g. a sweep label).
    tags: Any = dataclasses.field(default_factory=dict)
    search: SearchConf = dataclasses.field(default_factory=SearchConf)
    geometry: GeometryConf = dataclasses.field(default_factory=GeometryConf)
    paper: PaperConf = dataclasses.field(default_factory=PaperConf)
    validate: ValidateConf = dataclasses.field(default_factory=ValidateConf)
    sensitivity: SensitivityConf = dataclasses.field(default_factory=SensitivityConf)
    griffin: GriffinConf = dataclasses.field(default_factory=GriffinConf)


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


def check_keys(cfg, schema=Config, prefix: str = "") -> None:
    """Raise ``ConfigError`` naming the first key of ``cfg`` (a mapping, appended keys included)
    that ``schema`` does not declare, and the nearest declared one."""
    fields = {f.name: f for f in dataclasses.fields(schema)}
    for key in cfg:
        if key not in fields:
            raise _unknown(prefix + str(key), fields)
        sub = fields[key].type
        sub = _resolve(schema, key) if isinstance(sub, str) else sub
        if dataclasses.is_dataclass(sub) and hasattr(cfg[key], "keys"):
            check_keys(cfg[key], sub, f"{prefix}{key}.")


def _resolve(schema, key):
    import typing

    return typing.get_type_hints(schema)[key]


def check_override_keys(overrides) -> None:
    """The checks of ``check_keys`` and ``check_types`` on command-line overrides (``key=v``,
    ``+key=v``, ``++key=v``) before Hydra composes, so a typo names its nearest key and a value
    of the wrong type its key, each in one line."""
    from omegaconf import OmegaConf
    from omegaconf.errors import OmegaConfBaseException

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
        OmegaConf.merge(OmegaConf.structured(Config), cfg)
    except OmegaConfBaseException as err:
        key = getattr(err, "full_key", "") or "config"
        msg = str(err).splitlines()[0]
        raise ConfigError(f"{key}: {msg}") from None


def _require(ok: bool, key: str, value, allowed: str) -> None:
    if not ok:
        raise ConfigError(f"{key}: must be {allowed}, got {value!r}")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _ints(key, values, low):
    for v in values:
        _require(_is_int(v) and v >= low, key, list(values), f"a list of ints >= {low}")


def check_values(cfg, experiments=()) -> None:
    """Every value the library would reject, named by its key, before any work starts."""
    from griffin_jax.design import CATEGORIES, EXPLOITS, PRESETS, SYNCS

    c = cfg.core
    for k in ("rows", "cols", "lanes"):
        _require(_is_int(c[k]) and c[k] >= 1, f"core.{k}", c[k], "an int >= 1")
    for k in ("act_kb", "wgt_kb", "out_kb"):
        _require(
            isinstance(c[k], (int, float))
            and not isinstance(c[k], bool)
            and math.isfinite(c[k])
            and c[k] > 0,
            f"core.{k}",
            c[k],
            "a number of KB > 0",
        )
    d = cfg.design
    for e in d.exploits:
        _require(e in EXPLOITS, "design.exploits", list(d.exploits), f"a subset of {EXPLOITS}")
    _ints("design.box_time", d.box_time, 1)
    _ints("design.box_lane", d.box_lane, 0)
    _ints("design.box_group", d.box_group, 0)
    for b in d.boxes:
        _require(
            len(b) == 3 and all(_is_int(v) for v in b) and b[0] >= 1 and min(b) >= 0,
            "design.boxes",
            list(b),
            "[time >= 1, lane >= 0, group >= 0] triples",
        )
    for w in d.windows:
        _require(
            len(w) > 0 and all(len(o) == 3 for o in w),
            "design.windows",
            w,
            "lists of [dt, dl, dg] offsets",
        )
    _require(d.sync in SYNCS, "design.sync", d.sync, f"one of {SYNCS}")
    for p in d.presets:
        _require(p in PRESETS, "design.presets", p, f"one of {sorted(PRESETS)}")
    _check_workload(cfg.workload, CATEGORIES)
    try:
        from griffin_jax.cost import load_tech

        load_tech(cfg.tech.name)
    except (ValueError, OSError) as err:
        raise ConfigError(f"tech.name: {err}") from None
    r = cfg.runtime
    s = r.sample
    _require(
        s is None or (isinstance(s, (int, float)) and not isinstance(s, bool) and 0 < s <= 1),
        "runtime.sample",
        s,
        "null (exact) or a fraction in (0, 1]",
    )
    _require(
        r.chunk is None or (_is_int(r.chunk) and r.chunk >= 1),
        "runtime.chunk",
        r.chunk,
        "null or an int >= 1",
    )
    _require(
        r.cpu_devices is None or (_is_int(r.cpu_devices) and r.cpu_devices >= 1),
        "runtime.cpu_devices",
        r.cpu_devices,
        "a positive int or null",
    )
    _require(
        r.platform in (None, "cpu", "gpu", "cuda", "rocm", "tpu"),
        "runtime.platform",
        r.platform,
        "null, cpu, gpu, cuda, rocm or tpu",
    )
    x = cfg.experiment
    if experiments:
        _require(x.name in experiments, "experiment.name", x.name, f"one of {sorted(experiments)}")
    from griffin_jax.search import OBJECTIVES

    sc = x.search
    _require(
        sc.objective in OBJECTIVES,
        "experiment.search.objective",
        sc.objective,
        f"one of {sorted(OBJECTIVES)}",
    )
    for k in ("steps", "restarts"):
        _require(_is_int(sc[k]) and sc[k] >= 1, f"experiment.search.{k}", sc[k], "an int >= 1")
    b = sc.area_budget_mm2
    _require(b is None or b > 0, "experiment.search.area_budget_mm2", b, "null or > 0")
    from griffin_jax.design._core import MAX_LANES

    g = x.geometry
    _require(
        _is_int(g.peak) and g.peak >= 1 and g.peak & (g.peak - 1) == 0,
        "experiment.geometry.peak",
        g.peak,
        "a power of two >= 1",
    )
    _require(
        _is_int(g.max_lanes) and 1 <= g.max_lanes <= MAX_LANES,
        "experiment.geometry.max_lanes",
        g.max_lanes,
        f"an int in 1..{MAX_LANES}",
    )
    pg = list(x.paper.geometries)
    _require(
        bool(pg) and set(pg) <= {"configured", "best"} and len(set(pg)) == len(pg),
        "experiment.paper.geometries",
        pg,
        "a non-empty list of distinct 'configured' and 'best'",
    )
    _require(
        isinstance(x.paper.validate, bool), "experiment.paper.validate", x.paper.validate, "a bool"
    )
    from griffin_jax.study import SENSITIVITY_INPUTS

    for n in x.paper.sensitivity:
        _require(
            n in SENSITIVITY_INPUTS,
            "experiment.paper.sensitivity",
            n,
            f"one of {sorted(SENSITIVITY_INPUTS)} (or an empty list)",
        )
    v = x.validate
    for k in ("max_layers", "max_rows"):
        _require(
            v[k] is None or (_is_int(v[k]) and v[k] >= 1),
            f"experiment.validate.{k}",
            v[k],
            "null (all) or an int >= 1",
        )
    _require(_is_int(v.seed) and v.seed >= 0, "experiment.validate.seed", v.seed, "an int >= 0")
    _check_sensitivity(x.sensitivity)
    _check_griffin(x.griffin)


def _check_sensitivity(sv) -> None:
    from griffin_jax.study import SENSITIVITY_INPUTS

    names = list(sv.inputs)
    for n in names:
        _require(
            n in SENSITIVITY_INPUTS,
            "experiment.sensitivity.inputs",
            n,
            f"one of {sorted(SENSITIVITY_INPUTS)}",
        )
    _require(bool(names), "experiment.sensitivity.inputs", names, "a non-empty list")
    rg = list(sv.range)
    _require(
        len(rg) == 2 and 0 < rg[0] < 1 < rg[1],
        "experiment.sensitivity.range",
        rg,
        "[low, high] with 0 < low < 1 < high",
    )
    _require(
        _is_int(sv.samples) and sv.samples >= 0,
        "experiment.sensitivity.samples",
        sv.samples,
        "an int >= 0",
    )


def _check_griffin(gr) -> None:
    for k in ("search_steps", "search_restarts"):
        _require(_is_int(gr[k]) and gr[k] >= 1, f"experiment.griffin.{k}", gr[k], "an int >= 1")
    _require(
        _is_int(gr.search_seed) and gr.search_seed >= 0,
        "experiment.griffin.search_seed",
        gr.search_seed,
        "an int >= 0",
    )


def _check_workload(wl, categories) -> None:
    from griffin_jax.workloads import NETWORKS, digits_variants

    kinds = ("digits", "network", "synthetic")
    _require(wl.kind in kinds, "workload.kind", wl.kind, f"one of {kinds}")
    for cat in wl.categories:
        _require(
            cat in categories,
            "workload.categories",
            list(wl.categories),
            f"a subset of {tuple(categories)}",
        )
    _require(len(wl.categories) > 0, "workload.categories", [], "a non-empty list")
    # Every field, whatever the kind: a value one experiment would reject is rejected by all.
    _require(
        wl.variant in digits_variants(),
        "workload.variant",
        wl.variant,
        f"one of {digits_variants()}",
    )
    _require(
        wl.n_images is None or (_is_int(wl.n_images) and wl.n_images >= 1),
        "workload.n_images",
        wl.n_images,
        "null (all) or an int >= 1",
    )
    if wl.kind == "network":
        _require(len(wl.networks) > 0, "workload.networks", [], "a non-empty list")
    for n in wl.networks:
        _require(
            n in (*NETWORKS, "digits"), "workload.networks", n, f"one of {(*NETWORKS, 'digits')}"
        )
    _require(_is_int(wl.batch) and wl.batch >= 1, "workload.batch", wl.batch, "an int >= 1")
    for k in ("M", "N", "K"):
        _require(_is_int(wl[k]) and wl[k] >= 1, f"workload.{k}", wl[k], "an int >= 1")
    for k in ("a_density", "w_density"):
        _require(0 <= wl[k] <= 1, f"workload.{k}", wl[k], "a fraction in [0, 1]")


def check(cfg, experiments=()) -> None:
    """Keys, types and values of a composed config; ``ConfigError`` names the first bad key."""
    check_keys(cfg)
    check_types(cfg)
    check_values(cfg, experiments)
