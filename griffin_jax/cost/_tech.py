"""Technology constants: load and validate the YAML configs, derive per-cell figures, scale nodes.

A config (``griffin_jax/cost/tech/*.yaml``) holds every physical constant as
``{value, unit, source}``; a source starting with ``ASSUMPTION`` is a labelled modelling choice.
A second node is a config with ``derived_from`` + ``scaling`` factors (each with its source) and
optional ``overrides``: switching node is switching config name.

Figures the configs do not hold are derived here by two stated rules:

* **adder width rule**: an ``w``-bit adder's energy and area are linear in ``w`` through the two
  cited points (8-bit and 32-bit adders). Adder trees grow one bit per level.
* **area-proportional switching rule**: a small logic cell (flip-flop bit, 2:1 mux bit, scheduler
  priority cell) spends, per operation, its area times the energy density of the cited 8-bit adder
  (``add8_energy / add8_area``). This is an assumption; it keeps every cell in one consistent
  technology without inventing per-cell energies.
"""

from __future__ import annotations

import dataclasses
import math
import pathlib
import types
import warnings
from collections.abc import Mapping

import yaml

from griffin_jax.cost._sram import SramTable, sram_table_from_dict

TECH_DIR = pathlib.Path(__file__).parent / "tech"

# field -> (unit, how it scales with the node: area | energy | leak | None)
FIELDS = {
    "node_nm": ("nm", None),
    "clock_ghz": ("GHz", None),
    "operand_bits": ("bit", None),
    "accumulator_bits": ("bit", None),
    "mult8_energy": ("pJ", "energy"),
    "mult8_area": ("um^2", "area"),
    "add8_energy": ("pJ", "energy"),
    "add8_area": ("um^2", "area"),
    "add32_energy": ("pJ", "energy"),
    "add32_area": ("um^2", "area"),
    "dff_area": ("um^2", "area"),
    "mux2_area": ("um^2", "area"),
    "nand2_area": ("um^2", "area"),
    "priority_cell_nand2": ("NAND2", None),
    "leakage_power_density": ("mW/mm^2", "leak"),
}
INT_FIELDS = ("operand_bits", "accumulator_bits")
SCALINGS = {
    "area": "area",
    "energy": "energy",
    "leak": "leakage_power_density",
}
# Entries of the per-bit SRAM model that the CACTI table (the config's ``sram`` block) replaced;
# no formula read them, so a config holding one is refused rather than silently ignored.
REMOVED = {
    "sram_read_energy_64b": "the CACTI table prices every buffer (Horowitz's 8 KB / 32 KB / "
    "1 MB reads are a cross-check in the tests, docs/cacti.md)",
    "sram_bank_kb": "the CACTI table prices every buffer at its own bank size",
    "sram_write_over_read": "the CACTI table gives write energies",
    "sram_energy": "a derived node's SRAM figures are its own CACTI table",
}


@dataclasses.dataclass(frozen=True)
class Tech:
    """One technology node. Units: pJ, um^2, GHz, mW/mm^2, bits (see ``FIELDS``).

    ``sources`` maps every field to its citation. ``sram`` is the optional CACTI table of the
    config's ``sram`` block (``griffin_jax.cost._sram``), which prices the SRAM buffers;
    ``None`` when the config has none.
    """

    name: str
    node_nm: float
    clock_ghz: float
    operand_bits: int
    accumulator_bits: int
    mult8_energy: float
    mult8_area: float
    add8_energy: float
    add8_area: float
    add32_energy: float
    add32_area: float
    dff_area: float
    mux2_area: float
    nand2_area: float
    priority_cell_nand2: float
    leakage_power_density: float
    sources: Mapping[str, str]
    sram: SramTable | None = None

    # -- derived figures (rules in the module docstring) ----------------------------------------
    @property
    def switching_energy_per_um2(self) -> float:
        """pJ per um^2 per operation: the cited 8-bit adder's energy density."""
        return self.add8_energy / self.add8_area

    def adder_energy(self, width: int) -> float:
        """pJ per add of a ``width``-bit adder (linear through the 8- and 32-bit points)."""
        return _linear(width, self.add8_energy, self.add32_energy)

    def adder_area(self, width: int) -> float:
        """um^2 of a ``width``-bit adder (linear through the 8- and 32-bit points)."""
        return _linear(width, self.add8_area, self.add32_area)

    @property
    def dff_energy(self) -> float:
        """pJ per flip-flop bit per clocked write."""
        return self.dff_area * self.switching_energy_per_um2

    @property
    def mux2_energy(self) -> float:
        """pJ per 1-bit 2:1 mux cell per switching event."""
        return self.mux2_area * self.switching_energy_per_um2

    @property
    def priority_cell_area(self) -> float:
        return self.priority_cell_nand2 * self.nand2_area

    @property
    def priority_cell_energy(self) -> float:
        return self.priority_cell_area * self.switching_energy_per_um2


def _linear(width: int, at8: float, at32: float) -> float:
    return at8 + (width - 8) * (at32 - at8) / 24.0


# -- loading and validation ---------------------------------------------------------------------
def _entry(cfg_name: str, field: str, raw) -> tuple:
    unit, _ = FIELDS[field]
    where = f"tech config {cfg_name!r} field {field!r}"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where} must be a mapping with value, unit and source, got {raw!r}")
    for key in ("value", "unit", "source"):
        if key not in raw:
            raise ValueError(f"{where} is missing its {key!r}")
    if raw["unit"] != unit:
        raise ValueError(f"{where} must be in {unit!r}, got unit {raw['unit']!r}")
    src = raw["source"]
    if not isinstance(src, str) or not src.strip():
        raise ValueError(f"{where} needs a non-empty source (citation or 'ASSUMPTION: ...')")
    value = _positive(where, raw["value"])
    if field in INT_FIELDS:
        if value != int(value):
            raise ValueError(f"{where} must be an integer, got {value!r}")
        value = int(value)
    return value, src


def _positive(where: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where} value must be a number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"{where} value must be finite and > 0, got {value!r}")
    return float(value)


def _refuse_removed(where: str, keys) -> None:
    for key in keys:
        if key in REMOVED:
            raise ValueError(
                f"{where} holds {key!r}, which was removed with the per-bit SRAM model: "
                f"{REMOVED[key]}; delete it (docs/model.md 4.1)"
            )


def tech_from_dict(cfg: Mapping, *, base_dir: pathlib.Path | None = None) -> Tech:
    """Build a ``Tech`` from a parsed config (see module doc); raises ``ValueError`` naming the
    field."""
    if not isinstance(cfg, Mapping):
        raise ValueError(f"tech config must be a mapping, got {type(cfg).__name__}")
    name = cfg.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError("tech config is missing its 'name'")
    if "derived_from" in cfg:
        return _derived(name, cfg, base_dir or TECH_DIR)
    _refuse_removed(f"tech config {name!r}", cfg)
    unknown = sorted(set(cfg) - set(FIELDS) - {"name", "sram"})
    if unknown:
        raise ValueError(f"tech config {name!r} has unknown fields {unknown}")
    values, sources = {}, {}
    for field in FIELDS:
        if field not in cfg:
            raise ValueError(f"tech config {name!r} is missing field {field!r}")
        values[field], sources[field] = _entry(name, field, cfg[field])
    return Tech(
        name=name, sources=types.MappingProxyType(sources), sram=_sram_block(name, cfg), **values
    )


def _sram_block(name: str, cfg: Mapping) -> SramTable | None:
    return sram_table_from_dict(name, cfg["sram"]) if "sram" in cfg else None


def _derived(name: str, cfg: Mapping, base_dir: pathlib.Path) -> Tech:
    _refuse_removed(f"tech config {name!r}", cfg)
    _refuse_removed(f"tech config {name!r} overrides", cfg.get("overrides") or {})
    unknown = sorted(set(cfg) - {"name", "derived_from", "scaling", "overrides", "sram"})
    if unknown:
        raise ValueError(f"tech config {name!r} has unknown fields {unknown}")
    base = load_tech(cfg["derived_from"], base_dir=base_dir)
    scaling = cfg.get("scaling")
    if not isinstance(scaling, Mapping):
        raise ValueError(f"tech config {name!r} is missing its 'scaling' mapping")
    _refuse_removed(f"tech config {name!r} scaling", scaling)
    factors = {}
    for key in SCALINGS.values():
        where = f"tech config {name!r} scaling {key!r}"
        raw = scaling.get(key)
        if raw is None:
            raise ValueError(f"{where} is missing")
        if not isinstance(raw, Mapping) or any(k not in raw for k in ("value", "unit", "source")):
            raise ValueError(f"{where} must have value, unit and source")
        if raw["unit"] != "ratio":
            raise ValueError(f"{where} must be in 'ratio', got {raw['unit']!r}")
        if not isinstance(raw["source"], str) or not raw["source"].strip():
            raise ValueError(f"{where} needs a non-empty source")
        factors[key] = (_positive(where, raw["value"]), raw["source"])
    extra = sorted(set(scaling) - set(SCALINGS.values()))
    if extra:
        raise ValueError(f"tech config {name!r} has unknown scaling entries {extra}")
    overrides = {}
    for field, raw in (cfg.get("overrides") or {}).items():
        if field not in FIELDS:
            raise ValueError(f"tech config {name!r} overrides unknown field {field!r}")
        overrides[field] = _entry(name, field, raw)
    tech = scale_tech(
        base, name=name, overrides=overrides, **{k: factors[v] for k, v in SCALINGS.items()}
    )
    # The base's SRAM table belongs to the base's node: a derived node has its own or none.
    return dataclasses.replace(tech, sram=_sram_block(name, cfg))


def scale_tech(base: Tech, *, name: str, area, energy, leak, overrides=None, sram=None) -> Tech:
    """A new node: ``area``/``energy``/``leak`` are ``(factor, source)`` pairs.

    ``overrides``: field -> ``(value, source)`` applied after scaling. The new node has no SRAM
    table (a node's CACTI table is its own). ``sram`` is deprecated: it scaled the per-bit SRAM
    energies that the CACTI table replaced, and has no effect.
    """
    if sram is not None:
        warnings.warn(
            "scale_tech(sram=...) is deprecated and has no effect: no Tech field is an SRAM "
            "energy any more (the config's CACTI 'sram' table prices the buffers)",
            DeprecationWarning,
            stacklevel=2,
        )
    factors = {"area": area, "energy": energy, "leak": leak}
    values, sources = {}, {}
    for field, (_, kind) in FIELDS.items():
        value, src = getattr(base, field), base.sources[field]
        if kind is not None:
            f, why = factors[kind]
            value = value * f
            src = f"{src}; x {f} ({why})"
        values[field], sources[field] = value, src
    for field, (value, src) in (overrides or {}).items():
        values[field], sources[field] = value, src
    return Tech(name=name, sources=types.MappingProxyType(sources), **values)


def available_techs() -> tuple[str, ...]:
    """Names of the configs shipped with the package."""
    return tuple(sorted(p.stem for p in TECH_DIR.glob("*.yaml")))


def load_tech(name_or_path="horowitz45", *, base_dir: pathlib.Path | None = None) -> Tech:
    """Load a technology config by shipped name (``available_techs()``) or by YAML path."""
    if isinstance(name_or_path, Tech):
        return name_or_path
    if not isinstance(name_or_path, (str, pathlib.Path)):
        raise ValueError(f"tech must be a config name or path, got {name_or_path!r}")
    path = pathlib.Path(name_or_path)
    if path.suffix not in (".yaml", ".yml"):
        path = (base_dir or TECH_DIR) / f"{name_or_path}.yaml"
        if not path.is_file():  # a user config may derive from a shipped one
            path = TECH_DIR / f"{name_or_path}.yaml"
    if not path.is_file():
        raise ValueError(
            f"tech config {str(name_or_path)!r} not found (shipped: {available_techs()})"
        )
    with open(path) as fh:
        cfg = yaml.safe_load(fh)
    return tech_from_dict(cfg, base_dir=path.parent)
