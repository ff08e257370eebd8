"""Config -> library objects: the CLI's only value check is the library's own.

Every block of the composed config becomes the library object it describes (``core`` ->
``Core``, ``design`` -> ``experiments.DesignSet``, ``workload`` -> ``Workload`` s, ``runtime``
-> ``SimOptions``, ``experiment.<name>`` -> that experiment's options dataclass, all of them ->
``experiments.Spec``). Whatever the library rejects is re-raised as a ``ConfigError`` that names
the config key: the library's messages name their class and field (``Core.lanes``), which maps
one-to-one onto a key (``core.lanes``).
"""

from __future__ import annotations

import dataclasses
import re

from omegaconf import OmegaConf

from griffin_jax.cli import _schema
from griffin_jax.cli._schema import ConfigError

# Library class -> config block (the field names are the keys).
_BLOCKS = {
    "Core": "core",
    "DesignSet": "design",
    "SimOptions": "runtime",
    "Spec.categories": "workload.categories",
}
PLATFORMS = (None, "cpu", "gpu", "cuda", "rocm", "tpu")
# Host CPU devices JAX may be asked for: each is a thread pool of its own, and XLA aborts the
# process (no Python error) when the threads cannot be made.
MAX_CPU_DEVICES = 256


def keyed(err: Exception, block: str, fields=()) -> ConfigError:
    """``err`` as a ``ConfigError`` that starts with the config key it is about: a library
    class's field (``Core.lanes``, ``PaperOptions.validate``) becomes its key; otherwise the
    first of ``fields`` the message names, under ``block``."""
    msg = str(err)
    for cls, key in _BLOCKS.items():
        msg = re.sub(rf"\b{re.escape(cls)}\b", key, msg)
    msg = re.sub(r"\b(\w+)Options\b", lambda m: f"experiment.{_snake(m.group(1))}", msg)
    m = re.match(r"^((?:core|design|runtime|workload|experiment)(?:\.\w+)+):?\s*(.*)$", msg, re.S)
    if m:
        return ConfigError(f"{m.group(1)}: {m.group(2)}")
    m = re.match(r"^(\w+\[\d+\])[ :]\s*(.*)$", msg, re.S)  # e.g. "windows[0] for exploit A: ..."
    if m:
        return ConfigError(f"{block}.{m.group(1)}: {m.group(2)}")
    named = next((f for f in fields if re.search(rf"\b{re.escape(f)}\b", msg)), None)
    return ConfigError(f"{block}.{named}: {msg}" if named else f"{block}: {msg}")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def core(cfg):
    from griffin_jax.design import Core

    c = cfg.core
    try:
        return Core(c.rows, c.cols, c.lanes, act_kb=c.act_kb, wgt_kb=c.wgt_kb, out_kb=c.out_kb)
    except ValueError as err:
        raise keyed(err, "core") from None


def designs(cfg):
    from griffin_jax.experiments import DesignSet

    d = cfg.design
    try:
        return DesignSet(
            exploits=tuple(d.exploits),
            box_time=tuple(d.box_time),
            box_lane=tuple(d.box_lane),
            box_group=tuple(d.box_group),
            boxes=tuple(tuple(b) for b in d.boxes),
            windows=tuple(tuple(tuple(o) for o in w) for w in d.windows),
            shapes=tuple(d.shapes),
            presets=tuple(d.presets),
            sync=d.sync,
        )
    except ValueError as err:
        raise keyed(err, "design") from None


_WORKLOAD_FIELDS = (
    "variant",
    "n_images",
    "networks",
    "batch",
    "seed",
    "a_density",
    "w_density",
    "M",
    "N",
    "K",
    "kind",
)


def workloads(cfg) -> tuple:
    """The configured networks as ``Workload`` s (each field checked by the library, whatever
    the kind: a value one experiment would reject is rejected by all)."""
    from griffin_jax.workloads import (
        NETWORK_REGISTRY,
        GemmLayer,
        Workload,
        bernoulli_mask,
        check_density,
        digits_variants,
        load,
    )

    wl = cfg.workload
    try:
        for k in ("a_density", "w_density"):
            check_density(k, wl[k])
        for k in ("M", "N", "K", "batch"):
            if isinstance(wl[k], bool) or not isinstance(wl[k], int) or wl[k] < 1:
                raise ValueError(f"{k} must be an int >= 1, got {wl[k]!r}")
        if wl.variant not in digits_variants():
            raise ValueError(f"variant must be one of {digits_variants()}, got {wl.variant!r}")
        for name in wl.networks:  # named networks exist, whatever the kind
            if name not in NETWORK_REGISTRY:
                raise ValueError(f"networks: {NETWORK_REGISTRY.unknown(name)}")
        if wl.kind == "digits":
            return (load("digits", variant=wl.variant, n_images=wl.n_images),)
        if wl.kind == "network":
            if not wl.networks:
                raise ValueError("networks must name at least one network")
            out = []
            for name in wl.networks:
                if name == "digits":
                    out.append(load("digits", variant=wl.variant, n_images=wl.n_images))
                else:
                    out.append(load(name, seed=wl.seed, batch=wl.batch))
            # the digits options are checked even when only networks are named
            load("digits", variant=wl.variant, n_images=wl.n_images)
            return tuple(out)
        if wl.kind == "synthetic":
            load("digits", variant=wl.variant, n_images=wl.n_images)
            a = bernoulli_mask((wl.M, wl.K), wl.a_density, wl.seed)
            w = bernoulli_mask((wl.K, wl.N), wl.w_density, wl.seed + 1)
            name = f"synthetic_{wl.M}x{wl.K}x{wl.N}"
            return (Workload(name, [GemmLayer("gemm", a, w, 1, name)]),)
        raise ValueError(f"kind must be one of ('digits', 'network', 'synthetic'), got {wl.kind!r}")
    except ValueError as err:
        raise keyed(err, "workload", _WORKLOAD_FIELDS) from None


def provenance(cfg) -> tuple:
    """How the configured workloads were made (recorded with a stored derivation)."""
    wl = cfg.workload
    if wl.kind == "synthetic":
        keys = ("M", "N", "K", "a_density", "w_density", "seed")
        return ({"kind": "synthetic", **{k: wl[k] for k in keys}},)
    names = ["digits"] if wl.kind == "digits" else list(wl.networks)
    return tuple(
        {"name": "digits", "variant": wl.variant, "n_images": wl.n_images}
        if n == "digits"
        else {"name": n, "seed": wl.seed, "batch": wl.batch}
        for n in names
    )


def sim(cfg):
    from griffin_jax.sim import SimOptions

    r = cfg.runtime
    # platform and devices are the process's, not the library's: checked here
    if r.platform not in PLATFORMS:
        raise ConfigError(f"runtime.platform: must be one of {PLATFORMS}, got {r.platform!r}")
    n = r.cpu_devices
    if n is not None and (
        isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_CPU_DEVICES
    ):
        raise ConfigError(
            f"runtime.cpu_devices: must be an int in [1, {MAX_CPU_DEVICES}] or null, got {n!r}"
        )
    try:
        return SimOptions(chunk=r.chunk, sample=r.sample, memory_gb=r.memory_gb)
    except ValueError as err:
        raise keyed(err, "runtime") from None


def options(cfg, name: str):
    """Experiment ``name``'s options dataclass from ``experiment.<name>`` (``None`` when it
    takes none)."""
    from griffin_jax.experiments import EXPERIMENT_REGISTRY

    opts = EXPERIMENT_REGISTRY.entry(name).options
    if opts is None:
        return None
    block = OmegaConf.to_container(cfg.experiment[name], resolve=True)
    hints = {f.name: f for f in dataclasses.fields(opts)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in block.items() if k in hints}
    try:
        return opts(**values)
    except ValueError as err:
        raise keyed(err, f"experiment.{name}") from None


def settings(cfg) -> dict:
    """Every registered experiment's options (an experiment may run another: the paper study
    validates with ``experiment.validate.*``)."""
    from griffin_jax.experiments import EXPERIMENT_REGISTRY

    return {n: options(cfg, n) for n in EXPERIMENT_REGISTRY.names()}


def spec(cfg, meta=None, command: str = ""):
    """The ``experiments.Spec`` of a composed config (every value checked by the library);
    ``ConfigError`` names the first bad key."""
    from griffin_jax.cost import load_tech
    from griffin_jax.experiments import EXPERIMENT_REGISTRY, Spec

    name = cfg.experiment.name
    if name not in EXPERIMENT_REGISTRY:
        raise ConfigError(f"experiment.name: {EXPERIMENT_REGISTRY.unknown(name)}")
    try:
        load_tech(cfg.tech.name)
    except (ValueError, OSError) as err:
        raise ConfigError(f"tech.name: {err}") from None
    except RecursionError:
        raise ConfigError(f"tech.name: {cfg.tech.name}: its derived_from chain loops") from None
    settings(cfg)
    try:
        return Spec(
            core=core(cfg),
            designs=designs(cfg),
            workloads=workloads(cfg),
            categories=tuple(cfg.workload.categories),
            tech=cfg.tech.name,
            sim=sim(cfg),
            plots=bool(cfg.experiment.plots),
            meta=dict(meta or {}),
            provenance=provenance(cfg),
            command=command,
        )
    except ValueError as err:
        if isinstance(err, ConfigError):
            raise
        raise keyed(err, "workload") from None


def check(cfg, command: str = ""):
    """Every key, type and value of a composed config, by building what it describes (the
    designs too: an explicit window that does not fit the core); returns ``(spec, options,
    settings)``. ``ConfigError`` names the first bad key."""
    from griffin_jax.experiments import EXPERIMENT_REGISTRY

    _schema.import_plugins(OmegaConf.select(cfg, "runtime.imports", default=None) or ())
    _schema.check_keys(cfg)
    _schema.check_types(cfg)
    tags(cfg)
    built = spec(cfg, command=command)
    every = settings(cfg)
    name = cfg.experiment.name
    how = EXPERIMENT_REGISTRY.entry(name).meta.get("designs", "entries")
    try:
        getattr(built.designs, how)(built.core)
    except ValueError as err:
        raise keyed(err, "design") from None
    buffers(built)
    return built, every[name], every


def tags(cfg) -> dict:
    """``experiment.tags``: a mapping of column name -> plain value (copied into every row)."""
    raw = OmegaConf.to_container(cfg.experiment, resolve=True).get("tags")
    if not isinstance(raw, dict):
        raise ConfigError(
            f"experiment.tags: must be a mapping of name: value (e.g. "
            f"'experiment.tags={{sweep: a}}'), got {type(raw).__name__}"
        )
    for k, v in raw.items():
        if not isinstance(k, str) or not k.isidentifier():
            raise ConfigError(f"experiment.tags: a tag name must be an identifier, got {k!r}")
        if not (v is None or isinstance(v, (str, int, float, bool))):
            raise ConfigError(
                f"experiment.tags.{k}: must be a plain value (text or number), got "
                f"{type(v).__name__}"
            )
    return raw


def buffers(built) -> None:
    """Every design's SRAM buffers on the configured core fit the technology's CACTI table (a
    bank outside it would fail deep in the run, when the design is priced): ``ConfigError``
    naming the ``core.*_kb`` key."""
    from griffin_jax.cost import inventory, load_tech
    from griffin_jax.design import preset

    tech = load_tech(built.tech)
    table = tech.sram
    if table is None:
        return
    accels = [preset("dense", built.core)]
    try:
        accels += [e.accel for e in built.designs.entries(built.core)]
    except ValueError:
        pass  # the experiment takes its designs another way (checked above)
    lo, hi = table.capacity_kb[0], table.capacity_kb[-1]
    for acc in accels:
        inv = inventory(acc, tech.operand_bits, tech.accumulator_bits)
        for k in ("act", "wgt", "out"):
            bank = float(getattr(inv, f"{k}_sram").bank_kb)
            if not lo <= bank <= hi:
                kb = getattr(built.core, f"{k}_kb")
                raise ConfigError(
                    f"core.{k}_kb: {kb:g} KB gives {acc.name} SRAM banks of {bank:g} KB, "
                    f"outside the CACTI table of tech {tech.name!r} ({lo:g}..{hi:g} KB per bank)"
                )
