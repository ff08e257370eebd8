"""Combine design, schedule, events and technology into a ``CostReport`` (docs/model.md section 4).

``evaluate`` runs many accelerators on one network of one model category: every layer is
scheduled once for all operating designs (one ``gemm_activity_batch`` call per layer), each
accelerator is priced, and layers are summed with their multiplicities.

The schedule does not depend on the technology, and energy is linear in the counted events
(``Counts``), so a report keeps its network's counts summed with multiplicities and the built
parts (``Pricing``): ``energy_of`` / ``reprice`` price them again at other prices without
simulating anything (the sensitivity study), and give ``evaluate``'s numbers at its own.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import types
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from griffin_jax._checks import nonempty_of
from griffin_jax.cost._area import (
    COMPONENTS,
    CORE_COMPONENTS,
    Inventory,
    WindowTerms,
    area_components,
    inventory,
    window_terms,
)
from griffin_jax.cost._energy import (
    CORE_ENERGY_COMPONENTS,
    ENERGY_COMPONENTS,
    Counts,
    Schedule,
    energy_components,
    layer_counts,
)
from griffin_jax.cost._events import layer_events
from griffin_jax.cost._prices import Prices, prices
from griffin_jax.cost._tech import Tech, load_tech
from griffin_jax.design._core import Design
from griffin_jax.design._griffin import Accelerator, check_category
from griffin_jax.sim._gemm import check_masks, gemm_activity_batch
from griffin_jax.sim._options import SimOptions, sim_options
from griffin_jax.workloads._workload import GemmLayer, Workload, fit_masks, iter_layers


@dataclasses.dataclass(frozen=True)
class Pricing:
    """What pricing a report again needs besides its counts: the accelerator, the parts it
    builds (``Inventory``), the mode's exploit and ``WindowTerms``, its 2:4 flag, and whether
    the mode reaches past the wiring through resource reuse (docs/model.md 5.3)."""

    accel: Accelerator
    inventory: Inventory
    exploit: str
    terms: WindowTerms
    structured: str | None = None
    reuse: bool = False


@dataclasses.dataclass(frozen=True)
class CostReport:
    """Cost of one accelerator on one layer or network.

    ``area``: mm^2 per component; ``energy``: pJ per component (``ENERGY_COMPONENTS``);
    ``cycles``: cycles run; ``dense_cycles``: cycles of a dense core of the same geometry;
    ``ops``: dense-equivalent operations ``2 M N K`` (summed over layers x multiplicity);
    ``clock_ghz``: the stated clock. ``counts``: the counted events (``Counts``) summed over
    layers x multiplicity, one entry per value of ``structured_ok`` present (the one field a
    formula branches on); ``pricing``: the rest of what ``energy_of`` needs (``None`` for a
    report built by hand, which cannot be priced again); ``mode``: the mode it ran
    (``mode_label``: its exploit, ``+reuse`` when it reached past the wiring).
    """

    name: str
    category: str
    area: Mapping[str, float]
    energy: Mapping[str, float]
    cycles: int
    dense_cycles: int
    ops: int
    clock_ghz: float
    counts: tuple = dataclasses.field(default=(), compare=False)
    pricing: Pricing | None = dataclasses.field(default=None, compare=False)
    mode: str = ""

    @property
    def area_mm2(self) -> float:
        """Total area: core and SRAM buffers (docs/model.md 4.3)."""
        return math.fsum(self.area.values())

    @property
    def area_core_mm2(self) -> float:
        """Core-only area: compute, muxes, bypass, staging, schedulers, trees; no SRAM."""
        return math.fsum(self.area[k] for k in CORE_COMPONENTS)

    @property
    def energy_pj(self) -> float:
        """Total energy: the sum of its components (SRAM access and leakage included)."""
        return math.fsum(self.energy.values())

    @property
    def energy_core_pj(self) -> float:
        """Core-only energy: no SRAM access, metadata or SRAM leakage."""
        return math.fsum(self.energy[k] for k in CORE_ENERGY_COMPONENTS)

    @property
    def speedup(self) -> float:
        """Over a dense core of the same geometry."""
        return self.dense_cycles / self.cycles

    @property
    def time_ns(self) -> float:
        return self.cycles / self.clock_ghz

    @property
    def tops_per_w(self) -> float:
        """Total power efficiency: dense-equivalent ops per pJ (= TOPS/W)."""
        return self.ops / self.energy_pj

    @property
    def tops_per_w_core(self) -> float:
        """Core-only power efficiency (SRAM energy left out)."""
        return self.ops / self.energy_core_pj

    @property
    def tops_per_mm2(self) -> float:
        """Total area efficiency at ``clock_ghz``: dense-equivalent TOPS per mm^2."""
        return self.ops / self.time_ns * 1e-3 / self.area_mm2

    @property
    def tops_per_mm2_core(self) -> float:
        """Core-only area efficiency (SRAM area left out)."""
        return self.ops / self.time_ns * 1e-3 / self.area_core_mm2

    @property
    def power_mw(self) -> float:
        return self.energy_pj / self.time_ns

    @property
    def utilisation(self) -> float:
        """Share of the multiplier-cycles that executed a product: executed products /
        (cycles x the core's multipliers). NaN for a report without counts."""
        if self.pricing is None or not self.counts:
            return math.nan
        executed = sum(c.executed for c in self.counts)
        return executed / (self.cycles * self.pricing.accel.core.multipliers)

    def area_breakdown(self, scope: str = "total") -> dict:
        """mm^2 per component: ``scope="total"`` every component, ``"core"`` the core-only
        ones (no SRAM, docs/model.md 4.3)."""
        keys = COMPONENTS if _scope(scope) == "total" else CORE_COMPONENTS
        return {k: float(self.area[k]) for k in keys}

    def energy_breakdown(self, scope: str = "total") -> dict:
        """pJ per component: ``scope="total"`` every component, ``"core"`` the core-only ones
        (no SRAM access, metadata or SRAM leakage)."""
        keys = ENERGY_COMPONENTS if _scope(scope) == "total" else CORE_ENERGY_COMPONENTS
        return {k: float(self.energy[k]) for k in keys}

    def as_row(self, components: bool = False) -> dict:
        """A flat dict for tables: every efficiency both core-only and total; with
        ``components``, also one column per component, ``area_<name>_mm2`` and
        ``energy_<name>_pj``."""
        row = {
            "design": self.name,
            "category": self.category,
            "cycles": self.cycles,
            "speedup": self.speedup,
            "area_mm2": self.area_mm2,
            "area_core_mm2": self.area_core_mm2,
            "energy_pj": self.energy_pj,
            "energy_core_pj": self.energy_core_pj,
            "tops_per_w": self.tops_per_w,
            "tops_per_w_core": self.tops_per_w_core,
            "tops_per_mm2": self.tops_per_mm2,
            "tops_per_mm2_core": self.tops_per_mm2_core,
        }
        if components:
            row.update({"dense_cycles": self.dense_cycles, "utilisation": self.utilisation})
            row.update({f"area_{k}_mm2": float(v) for k, v in self.area.items()})
            row.update({f"energy_{k}_pj": float(v) for k, v in self.energy.items()})
        return row


def _finite(report: CostReport, cause: str) -> CostReport:
    """``report`` when its area, energy and efficiencies are finite and positive; otherwise
    ``ValueError`` naming the figure and ``cause`` (the input it came from), so no NaN or inf
    ever becomes a table row."""
    figures = [(f"area_{k}_mm2", v) for k, v in report.area.items()]
    figures += [(f"energy_{k}_pj", v) for k, v in report.energy.items()]
    bad = next(((n, v) for n, v in figures if not math.isfinite(float(v)) or v < 0), None)
    if bad is None:
        derived = [("area_mm2", report.area_mm2), ("energy_pj", report.energy_pj)]
        derived += [("cycles", report.cycles), ("clock_ghz", report.clock_ghz)]
        bad = next(((n, v) for n, v in derived if not math.isfinite(float(v)) or v <= 0), None)
    if bad is None:
        derived = [("tops_per_w", report.tops_per_w), ("tops_per_mm2", report.tops_per_mm2)]
        bad = next(((n, v) for n, v in derived if not math.isfinite(float(v))), None)
    if bad is not None:
        raise ValueError(
            f"{report.name} on {report.category}: {bad[0]} is {float(bad[1]):g}, not a finite "
            f"positive number; {cause}"
        )
    return report


def _tech_cause(tech) -> str:
    from griffin_jax.cost._bounds import violations

    bad = violations(tech)
    if bad:
        return f"caused by tech {tech.name!r}: {bad[0]}"
    return f"from tech {tech.name!r} (every constant in range) and this layer's counts"


def _scope(scope) -> str:
    if scope not in ("total", "core"):
        raise ValueError(f"scope must be 'total' or 'core', got {scope!r}")
    return scope


def _proxy(d: Mapping) -> Mapping:
    return types.MappingProxyType(dict(d))


def category_masks(a_mask, w_mask, category: str):
    """The masks a model of ``category`` would show (``workloads.fit_masks``): the operands the
    category keeps dense are made all-nonzero (``dense``: both; ``W``: activations; ``A``:
    weights; ``AW``: unchanged)."""
    check_category(category)
    a, w = check_masks(a_mask, w_mask)
    return fit_masks(a, w, category)


def mode_label(accel: Accelerator, mode: Design) -> str:
    """The exploit ``mode`` runs (``"none"`` for dense), ``+reuse`` when it takes work through
    ``accel``'s reused muxes (docs/model.md 5.3)."""
    return mode.exploit + ("+reuse" if uses_reuse(accel, mode) else "")


@dataclasses.dataclass(frozen=True)
class LayerRecord:
    """A layer without its masks (what ``evaluate``'s ``on_layer`` gets when a mode is chosen
    per network): ``name``, ``network``, ``multiplicity``, ``category``, ``shape``
    ``(M, K, N)``."""

    name: str
    network: str
    multiplicity: int
    category: str | None
    shape: tuple


def _runs_every_step(accel: Accelerator, mode: Design) -> bool:
    return mode.exploit == "none" or accel.structured is not None


def _schedule(accel, mode, events, act, index) -> Schedule:
    if _runs_every_step(accel, mode):
        return Schedule(cycles=events.analytic_cycles)
    return Schedule.from_activity(act, index)


def _check_accels(accels) -> tuple:
    return tuple(
        nonempty_of(
            "accels",
            accels,
            Accelerator,
            "an Accelerator",
            "accels must be a non-empty sequence of Accelerator",
        )
    )


def layer_costs(
    accels: Sequence[Accelerator],
    category: str,
    a_mask,
    w_mask,
    tech="horowitz45",
    *,
    sim: SimOptions | None = None,
) -> list:
    """Cost of each accelerator on ONE GEMM (a_mask bool ``[M, K]``, w_mask bool ``[K, N]``),
    running the mode it uses for ``category`` (of its ``mode_choices``, the one of least
    energy). Returns one ``CostReport`` per accelerator."""
    accels = _check_accels(accels)
    check_category(category)
    flat, owner = _expand(accels, category)
    if len(flat) > len(accels):
        reports = layer_costs(flat, category, a_mask, w_mask, tech, sim=sim)
        return [reports[j] for j in _choose([r.energy_pj for r in reports], owner, len(accels))]
    tech = load_tech(tech)
    a, w = check_masks(a_mask, w_mask)
    modes = [acc.mode(category) for acc in accels]
    # Each distinct operating design is scheduled once (designs hash by value; order kept).
    index = {
        m: i
        for i, m in enumerate(
            dict.fromkeys(m for acc, m in zip(accels, modes) if not _runs_every_step(acc, m))
        )
    }
    # With ``sim.sample`` the schedule-dependent counts are tile-sampled estimates
    # (``Activity.sampled_tiles``).
    act = gemm_activity_batch(list(index), a, w, **sim_options(sim).kwargs()) if index else None
    reports, events = [], {}
    for acc, mode in zip(accels, modes):
        key = (mode, acc.structured, acc.fetch)
        if key not in events:
            events[key] = layer_events(
                mode, a, w, bits=tech.operand_bits, structured=acc.structured, fetch=acc.fetch
            )
        ev = events[key]
        idx = index.get(mode)
        sched = _schedule(acc, mode, ev, act, idx)
        pricing, p, area = _priced_parts(acc, mode, tech)
        counts = _plain_counts(layer_counts(acc, mode, ev, sched))
        energy = energy_components(
            pricing.inventory,
            mode.exploit,
            pricing.terms,
            counts,
            p,
            math.fsum(area[k] for k in CORE_COMPONENTS),
            structured=acc.structured,
            reuse=pricing.reuse,
        )
        dense_cycles = ev.tiles * -(-ev.K // ev.lanes)
        reports.append(
            CostReport(
                name=acc.name,
                category=category,
                area=_proxy(area),
                energy=_proxy(energy),
                cycles=sched.cycles,
                dense_cycles=dense_cycles,
                ops=ev.ops,
                clock_ghz=tech.clock_ghz,
                counts=(counts,),
                pricing=pricing,
                mode=mode_label(acc, mode),
            )
        )
        _finite(reports[-1], _tech_cause(tech))
    return reports


def uses_reuse(accel: Accelerator, mode: Design) -> bool:
    """Whether ``accel`` running ``mode`` takes work through its reused weight-side muxes: a
    reusing Griffin's W mode with an offset outside the wired ``dg == 0`` ones."""
    if not accel.reuse or mode.exploit != "W":
        return False
    wired = {o for o in accel.hardware.window.as_tuples() if o[2] == 0}
    return not set(mode.window.as_tuples()) <= wired


def _pricing(accel: Accelerator, mode: Design, tech) -> Pricing:
    return Pricing(
        accel=accel,
        inventory=inventory(accel, tech.operand_bits, tech.accumulator_bits, tech.bank_rule),
        exploit=mode.exploit,
        terms=window_terms(mode.window),
        structured=accel.structured,
        reuse=uses_reuse(accel, mode),
    )


# What pricing a mode needs besides its counts depends on the accelerator, the mode and the
# technology, not on the layer: a network's layers share it (a study prices tens of thousands of
# reports; each SRAM lookup is a table interpolation). Keyed by the technology's identity, which
# the entry keeps alive so that the id cannot be reused while the entry stands.
_PRICED: collections.OrderedDict = collections.OrderedDict()
_PRICED_SIZE = 4096


def _priced_parts(accel: Accelerator, mode: Design, tech) -> tuple:
    """``(Pricing, Prices, area mm^2 per component)`` of ``accel`` running ``mode`` on ``tech``
    (a ``Tech``), from a small cache."""
    key = (accel, mode, id(tech))
    hit = _PRICED.get(key)
    if hit is not None and hit[0] is tech:
        _PRICED.move_to_end(key)
        return hit[1]
    pricing = _pricing(accel, mode, tech)
    p = prices(tech, pricing.inventory.lanes)
    parts = (pricing, p, _area_mm2(pricing.inventory, p))
    _PRICED[key] = (tech, parts)
    while len(_PRICED) > _PRICED_SIZE:
        _PRICED.popitem(last=False)
    return parts


def _area_mm2(inv: Inventory, p: Prices) -> dict:
    um2 = area_components(inv, p)
    return {k: um2[k] * 1e-6 for k in COMPONENTS}


def _plain(x):
    # numpy scalars become Python numbers: sums stay exact ints, and a JAX tracer multiplying
    # them never sees an int64 it would truncate.
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    return float(x)


def _plain_counts(c: Counts) -> Counts:
    return Counts(**{f.name: _plain(getattr(c, f.name)) for f in dataclasses.fields(Counts)})


def sum_counts(counts, multiplicities) -> tuple:
    """``Counts`` summed with multiplicities, one sum per value of ``structured_ok`` (energy is
    linear in every other field). Returns a tuple of ``Counts``, ``False`` group first."""
    groups = {}
    for c, m in zip(counts, multiplicities):
        prev = groups.get(c.structured_ok)
        scaled = {
            f.name: m * getattr(c, f.name)
            for f in dataclasses.fields(Counts)
            if f.name != "structured_ok"
        }
        if prev is not None:
            scaled = {k: v + getattr(prev, k) for k, v in scaled.items()}
        groups[c.structured_ok] = Counts(**scaled, structured_ok=c.structured_ok)
    return tuple(groups[k] for k in sorted(groups))


def energy_of(report: CostReport, p: Prices, inv: Inventory | None = None) -> dict:
    """Energy per component (pJ, keys ``ENERGY_COMPONENTS``) of ``report``'s counted events at
    prices ``p`` (for ``report.pricing.inventory.lanes`` lanes), on the parts ``inv`` (default
    the report's own). Plain arithmetic: ``p`` and ``inv`` may hold JAX scalars, so this is
    differentiable in every price. Equals ``report.energy`` at the report's own prices."""
    pr = _priced(report)
    inv = pr.inventory if inv is None else inv
    um2 = area_components(inv, p)
    core_mm2 = sum(um2[k] * 1e-6 for k in CORE_COMPONENTS)
    out = dict.fromkeys(ENERGY_COMPONENTS, 0.0)
    for c in report.counts:
        e = energy_components(
            inv, pr.exploit, pr.terms, c, p, core_mm2, structured=pr.structured, reuse=pr.reuse
        )
        out = {k: out[k] + e[k] for k in ENERGY_COMPONENTS}
    return out


def _priced(report: CostReport) -> Pricing:
    if not isinstance(report, CostReport):
        raise ValueError(f"report must be a CostReport, got {type(report).__name__}")
    if report.pricing is None or not report.counts:
        raise ValueError(
            f"report {report.name!r} holds no counts/pricing (only evaluate's reports can be "
            "priced again)"
        )
    return report.pricing


def reprice(report: CostReport, tech_or_prices) -> CostReport:
    """``report`` priced at another technology (a ``Tech``, a config name, or ``Prices``),
    without simulating: area and energy recomputed from the stored parts and counts, the clock
    from the new prices. A ``Tech`` may change ``accumulator_bits`` (the parts are rebuilt) but
    not ``operand_bits`` (the counted bits follow it: evaluate again)."""
    pr = _priced(report)
    inv = pr.inventory
    if isinstance(tech_or_prices, Prices):
        p = tech_or_prices
    else:
        tech = load_tech(tech_or_prices)
        if not isinstance(tech, Tech):
            raise ValueError(f"tech_or_prices must be a Tech, a name or Prices, got {tech!r}")
        if tech.operand_bits != inv.bits:
            raise ValueError(
                f"tech.operand_bits {tech.operand_bits} != the report's {inv.bits}: the counted "
                "operand bits change with it, so evaluate again"
            )
        inv = inventory(pr.accel, tech.operand_bits, tech.accumulator_bits, tech.bank_rule)
        pr = dataclasses.replace(pr, inventory=inv)
        p = prices(tech, inv.lanes)
    if p.lanes != inv.lanes or p.operand_bits != inv.bits:
        raise ValueError(
            f"prices are for {p.lanes} lanes / {p.operand_bits} bits, the report's parts for "
            f"{inv.lanes} / {inv.bits}"
        )
    report = dataclasses.replace(report, pricing=pr)
    cause = "caused by the prices given" if isinstance(tech_or_prices, Prices) else None
    return _finite(
        dataclasses.replace(
            report,
            area=_proxy({k: float(v) for k, v in _area_mm2(inv, p).items()}),
            energy=_proxy({k: float(v) for k, v in energy_of(report, p).items()}),
            clock_ghz=float(p.clock_ghz),
        ),
        cause or _tech_cause(tech),
    )


def combine(reports: Sequence[CostReport], multiplicities: Sequence[int]) -> CostReport:
    """One accelerator's layer reports summed with their multiplicities (a network)."""
    reports = list(reports)
    if not reports or len(reports) != len(multiplicities):
        raise ValueError("combine needs one multiplicity per report, at least one report")
    first = reports[0]
    for r in reports:
        if r.name != first.name or dict(r.area) != dict(first.area):
            raise ValueError("combine: reports must come from one accelerator")
        if r.mode != first.mode:
            raise ValueError("combine: reports must come from one mode of the accelerator")
    energy = {
        k: math.fsum(m * r.energy[k] for r, m in zip(reports, multiplicities))
        for k in ENERGY_COMPONENTS
    }
    priced = all(r.pricing is not None and r.counts for r in reports)
    report = CostReport(
        name=first.name,
        category=first.category,
        area=first.area,
        energy=_proxy(energy),
        # Python ints: a large multiplicity never wraps an int64 count silently
        cycles=sum(int(m) * int(r.cycles) for r, m in zip(reports, multiplicities)),
        dense_cycles=sum(int(m) * int(r.dense_cycles) for r, m in zip(reports, multiplicities)),
        ops=sum(int(m) * int(r.ops) for r, m in zip(reports, multiplicities)),
        clock_ghz=first.clock_ghz,
        counts=_combined_counts(reports, multiplicities) if priced else (),
        pricing=first.pricing if priced else None,
        mode=first.mode,
    )
    return _finite(report, f"caused by the layers' multiplicities (largest {max(multiplicities)})")


def _combined_counts(reports, multiplicities) -> tuple:
    counts, mults = [], []
    for r, m in zip(reports, multiplicities):
        counts += list(r.counts)
        mults += [m] * len(r.counts)
    return sum_counts(counts, mults)


def _expand(accels, category: str) -> tuple:
    """Every (accelerator, mode) to run: ``accel.running(category, mode)`` for each of its
    ``mode_choices``; and for each, the index of the accelerator it belongs to."""
    flat, owner = [], []
    for i, acc in enumerate(accels):
        for mode in acc.mode_choices(category):
            flat.append(acc.running(category, mode))
            owner.append(i)
    return flat, owner


def _choose(energies, owner, n: int) -> list:
    """Per accelerator, the index into the expanded list of its mode of least energy
    (``energies[j]`` of expanded entry ``j``; a tie keeps the earlier mode, ``mode(category)``
    first). Ops are equal across an accelerator's modes, so this is the highest TOPS/W."""
    best = [None] * n
    for j, i in enumerate(owner):
        if best[i] is None or energies[j] < energies[best[i]]:
            best[i] = j
    return best


def evaluate(
    accels: Sequence[Accelerator],
    category: str,
    layers,
    tech="horowitz45",
    *,
    fit: bool = True,
    sim: SimOptions | None = None,
    on_layer: Callable[[GemmLayer, list], None] | None = None,
    densify: bool | None = None,
) -> list:
    """Cost of each accelerator on a network of ``category``: every layer priced
    (``layer_costs``), then summed with its multiplicity (``combine``).

    Args:
      accels: accelerators. Each runs ``accel.mode(category)``; one with further
        ``mode_choices`` (Griffin) runs each of them on every layer and reports the one of least
        energy on the whole network (docs/model.md 5.3: the mode is set per model).
      category: one of ``CATEGORIES`` ("dense", "W", "A", "AW").
      layers: a ``Workload`` or an iterable of ``GemmLayer`` (or ``(layer_name, a_mask [M, K],
        w_mask [K, N], multiplicity)`` tuples); consumed lazily, one layer's masks at a time.
      tech: a ``Tech`` or a config name (``available_techs()``).
      fit: make every layer's masks fit ``category`` first (``workloads.fit_masks``: the
        operands the category keeps dense become all-true), as everywhere in the package;
        ``False`` keeps the masks as given (e.g. Griffin's W mode on masks with sparse
        activations).
      sim: ``SimOptions`` of the scheduler run (chunking, devices, tile sampling).
      on_layer: called as ``on_layer(layer, reports)`` after each layer (one ``CostReport``
        per accelerator, for ONE instance of the layer). When an accelerator has mode choices
        the chosen mode is known only at the end: every call then comes after the last layer,
        in order, with a ``LayerRecord`` (the layer without its masks) in place of the layer.
      densify: deprecated name of ``fit``.
    Returns: one network ``CostReport`` per accelerator, in order.
    """
    accels = _check_accels(accels)
    check_category(category)
    tech = load_tech(tech)
    sim = sim_options(sim)
    if densify is not None:
        warnings.warn(
            "evaluate(densify=...) is deprecated: masks fit the category by default; pass "
            "fit=False to keep them as given",
            DeprecationWarning,
            stacklevel=2,
        )
        fit = bool(densify)
    if isinstance(layers, Workload):
        source = layers.for_category(category, fit)
    else:
        source = (layer.for_category(category) if fit else layer for layer in iter_layers(layers))
    flat, owner = _expand(accels, category)
    chosen = len(flat) > len(accels)
    per_layer, mults, records = [], [], []
    for layer in source:
        reports = layer_costs(flat, category, layer.a_mask, layer.w_mask, tech, sim=sim)
        per_layer.append(reports)
        mults.append(layer.multiplicity)
        if on_layer is not None and not chosen:
            on_layer(layer, reports)
        elif on_layer is not None:
            records.append(
                LayerRecord(
                    layer.name, layer.network, layer.multiplicity, layer.category, layer.shape
                )
            )
    if not per_layer:
        raise ValueError("layers must hold at least one layer")
    nets = [combine([layer[j] for layer in per_layer], mults) for j in range(len(flat))]
    pick = _choose([r.energy_pj for r in nets], owner, len(accels))
    for record, reports in zip(records, per_layer):
        on_layer(record, [reports[j] for j in pick])
    return [nets[j] for j in pick]


def evaluate_layer(
    accel: Accelerator, category: str, a_mask, w_mask, tech="horowitz45"
) -> CostReport:
    """Cost of one accelerator on one GEMM (see ``layer_costs``)."""
    return layer_costs([accel], category, a_mask, w_mask, tech)[0]
