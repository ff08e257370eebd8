"""How the claims move with the uncertain inputs of the model (docs/model.md section 8).

Every claim row of ``claims_report`` has a ratio: claim (a) the best dual-sparse design's score
over the best single-sparse design's (``1 - loss``), claim (b) Griffin's score over its
comparator's, under each reading. Its **direction** is whether the ratio is above 1. Each
uncertain input (``SENSITIVITY_INPUTS``) is moved to a low and a high value and the claims are
measured there, comparators chosen again (the best design of a kind may change); a claim whose
direction at low, high or any sampled point between differs from the nominal one is
**fragile**.

Continuous inputs (technology constants labelled ASSUMPTION, buffer capacities, the
accumulator width, the small-cell switching rule) are scale factors ``s`` on one figure. The
schedule does not depend on them, so the claims report's cost reports are priced again
(the cost formulas on the stored ``Counts``, as ``cost.energy_of`` does, one pass per group
of reports priced alike) and nothing is simulated. At a buffer bank on a CACTI grid capacity
the gradient is the symmetric one (``elasticities``). Their **elasticity**
``d log(ratio) / d log(s)`` at ``s = 1`` is a JAX gradient through the cost model (forward mode,
64-bit), with the nominal comparators held fixed; ``elasticity_fd`` is the central finite
difference in ``log s`` of the same function, as a check.

Discrete inputs (the SRAM cell type of the CACTI table, the operand precision, the core
geometry) have a low and a high alternative and an elasticity of NaN. The SRAM table is priced
again (tech ``horowitz45_hp``); precision and geometry re-run ``claims_report`` (the events'
bit widths, resp. the schedules, change).
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable, Mapping, Sequence

import jax
import jax.numpy as jnp
import numpy as np

from griffin_jax.cost._area import CORE_COMPONENTS, area_components
from griffin_jax.cost._energy import Counts, energy_components
from griffin_jax.cost._memory import BUFFERS
from griffin_jax.cost._prices import prices
from griffin_jax.cost._tech import Tech, load_tech
from griffin_jax.design._core import Core
from griffin_jax.study._claims import (
    ClaimsReport,
    _check_workloads,
    candidate_designs,
    claim_rows,
    claims_report,
)

SENSITIVITY_COLUMNS = (
    "input",
    "nominal",
    "low",
    "high",
    "claim",
    "reading",
    "category",
    "ratio_nominal",
    "ratio_low",
    "ratio_high",
    "elasticity",
    "elasticity_fd",
    "fragile",
)


# docs/model.md 8: every uncertain constant moves x0.5..x2 by default.
DEFAULT_FACTORS = (0.5, 2.0)


@dataclasses.dataclass(frozen=True)
class SensitivityInput:
    """One uncertain input. ``kind``: ``"tech"`` (a ``Tech`` field scaled), ``"switching"``
    (the small cells' energies scaled), ``"buffer"`` (a buffer capacity scaled),
    ``"accumulator"`` (the accumulator width scaled), ``"sram"``, ``"precision"`` or
    ``"geometry"`` (discrete); ``how``: what moving it does; ``source``: why it is uncertain.
    ``low`` / ``high``: the discrete alternatives (``None`` for a continuous input, which
    takes the study's factor range)."""

    name: str
    kind: str
    how: str
    source: str
    low: object = None
    high: object = None

    @property
    def continuous(self) -> bool:
        return self.kind in ("tech", "switching", "buffer", "accumulator")

    @property
    def range(self) -> tuple:
        """``(low, high)``: the default factors of a continuous input, else its alternatives."""
        return DEFAULT_FACTORS if self.continuous else (self.low, self.high)


def _inputs() -> dict:
    tech_doc = "griffin_jax/cost/tech/horowitz45.yaml"
    items = [
        SensitivityInput(
            "clock_ghz",
            "tech",
            "Tech.clock_ghz x s: leakage energy (core and SRAM) scales as 1/s",
            f"ASSUMPTION in {tech_doc}",
        ),
        SensitivityInput(
            "leakage_power_density",
            "tech",
            "Tech.leakage_power_density x s: core leakage energy x s",
            f"ASSUMPTION in {tech_doc}",
        ),
        SensitivityInput(
            "priority_cell_nand2",
            "tech",
            "Tech.priority_cell_nand2 x s: scheduler priority cells' area and energy x s",
            f"ASSUMPTION in {tech_doc}",
        ),
        SensitivityInput(
            "cell_switching_energy",
            "switching",
            "flip-flop, 2:1 mux and priority-cell energies x s (the area-proportional "
            "switching rule of cost/_tech.py)",
            "ASSUMPTION: the area-proportional switching rule (docs/model.md 4)",
        ),
        SensitivityInput(
            "accumulator_bits",
            "accumulator",
            "accumulator width x s (adder by the width rule, register bits), continuous",
            f"ASSUMPTION in {tech_doc} (INT32)",
        ),
        *(
            SensitivityInput(
                f"{b}_kb",
                "buffer",
                f"Core.{b}_kb x s: the {b} buffer's capacity (CACTI area, energy per access "
                "and leakage at the new bank size)",
                "ASSUMPTION: buffer capacities of the core (docs/model.md 4.1)",
            )
            for b in BUFFERS
        ),
        SensitivityInput(
            "sram_cells",
            "sram",
            "the CACTI table's data-cell type: horowitz45 (itrs-lstp) -> horowitz45_hp "
            "(itrs-hp); same table for both ends",
            "ASSUMPTION in the stored CACTI settings (docs/cacti.md)",
            low="itrs-hp",
            high="itrs-hp",
        ),
        SensitivityInput(
            "operand_bits",
            "precision",
            "operand precision 8 -> 4 / 16 bits: multiplier energy and area x (b/8)^2, adders "
            "by the width rule (tree inputs 2b bits), accumulator 4b bits, SRAM per bit and "
            "capacities in KB unchanged; every layer evaluated again",
            f"ASSUMPTION in {tech_doc} (INT8)",
            low=4,
            high=16,
        ),
        SensitivityInput(
            "lanes",
            "geometry",
            "lanes x0.5 / x2 at equal peak multipliers (the smaller of rows and cols doubled, "
            "resp. the larger halved); every design built and simulated again on that core",
            "ASSUMPTION: the core geometry (docs/model.md 5.1)",
            low=0.5,
            high=2.0,
        ),
    ]
    return {i.name: i for i in items}


SENSITIVITY_INPUTS = types.MappingProxyType(_inputs())
# Fields whose source says ASSUMPTION but which no formula reads any more (the CACTI table
# prices the buffers): not moved, and the report says so.
UNUSED_ASSUMPTIONS = types.MappingProxyType(
    {
        "sram_bank_kb": "the [H14] per-bit SRAM model's bank size; the CACTI table prices the "
        "buffers at their own bank sizes",
        "sram_write_over_read": "the [H14] per-bit SRAM model's write/read ratio; CACTI gives "
        "write energies",
    }
)
TECH_ALTERNATIVES = {"sram_cells": "horowitz45_hp"}


def check_inputs(inputs) -> tuple:
    """Input names, in ``SENSITIVITY_INPUTS`` order; ``ValueError`` names an unknown one."""
    if inputs is None:
        return tuple(SENSITIVITY_INPUTS)
    if isinstance(inputs, str):
        inputs = [inputs]
    names = list(inputs)
    for n in names:
        if n not in SENSITIVITY_INPUTS:
            raise ValueError(
                f"inputs: unknown sensitivity input {n!r} (known: {sorted(SENSITIVITY_INPUTS)})"
            )
    if not names:
        raise ValueError("inputs must name at least one sensitivity input")
    return tuple(n for n in SENSITIVITY_INPUTS if n in names)


def _check_factors(factors) -> tuple:
    try:
        lo, hi = (float(x) for x in factors)
    except (TypeError, ValueError):
        raise ValueError(f"factors must be two numbers (low, high), got {factors!r}") from None
    if not (0 < lo < 1 < hi and math.isfinite(hi)):
        raise ValueError(f"factors must satisfy 0 < low < 1 < high, got {factors!r}")
    return lo, hi


# -- pricing a claims report at scaled inputs -------------------------------------------------
def _exp(t):
    return jnp.exp(t) if isinstance(t, jax.Array) else math.exp(t)


def _scaled_prices(tech: Tech, lanes: int, s: Mapping):
    """``Prices`` of ``tech`` with the continuous inputs scaled by ``s`` (name -> factor)."""
    changes = {
        n: getattr(tech, n) * s[n]
        for n in s
        if n in SENSITIVITY_INPUTS and SENSITIVITY_INPUTS[n].kind == "tech"
    }
    if "accumulator_bits" in s:
        changes["accumulator_bits"] = tech.accumulator_bits * s["accumulator_bits"]
    p = prices(dataclasses.replace(tech, **changes), lanes)
    if "cell_switching_energy" in s:
        f = s["cell_switching_energy"]
        p = dataclasses.replace(
            p,
            dff_energy=p.dff_energy * f,
            mux2_energy=p.mux2_energy * f,
            priority_cell_energy=p.priority_cell_energy * f,
        )
    return p


def _scaled_inventory(inv, s: Mapping):
    changes = {}
    if "accumulator_bits" in s:
        changes["acc_bits"] = inv.acc_bits * s["accumulator_bits"]
    for b in BUFFERS:
        if f"{b}_kb" in s:
            buf = getattr(inv, f"{b}_sram")
            # a buffer's capacity is linear in the core's dense capacity (cost._memory.buffer)
            changes[f"{b}_sram"] = dataclasses.replace(buf, kb=buf.kb * s[f"{b}_kb"])
    return dataclasses.replace(inv, **changes) if changes else inv


def _groups(claims: ClaimsReport, keys=None) -> list:
    """The reports grouped by what prices them (``Pricing``: equal parts, mode and window), with
    each group's counts stacked over its reports, so one pass of the cost formulas prices a
    whole group (energy is linear in the counts, ``cost.sum_counts``). Returns
    ``[(pricing, [(design, category), ...], ops array, [(structured_ok, stacked Counts)])]``."""
    by = {}
    for (_, cat), reps in claims.reports:
        for r in reps:
            if keys is None or (r.name, cat) in keys:
                by.setdefault(r.pricing, []).append(((r.name, cat), r))
    out = []
    for pricing, items in by.items():
        flags = sorted({c.structured_ok for _, r in items for c in r.counts})
        stacked = []
        for flag in flags:
            per = [next((c for c in r.counts if c.structured_ok == flag), None) for _, r in items]
            fields = {
                f.name: np.array(
                    [0.0 if c is None else float(getattr(c, f.name)) for c in per], np.float64
                )
                for f in dataclasses.fields(Counts)
                if f.name != "structured_ok"
            }
            stacked.append((flag, Counts(**fields, structured_ok=flag)))
        ops = np.array([float(r.ops) for _, r in items], np.float64)
        out.append((pricing, [k for k, _ in items], ops, stacked))
    return out


def _log_scores(claims: ClaimsReport, tech: Tech, theta: Mapping, keys=None, groups=None) -> dict:
    """``log score[(design, category)]`` (mean over the category's networks of log TOPS/W) at
    inputs scaled by ``exp(theta[name])``; only ``keys`` when given. JAX or float ``theta``."""
    s = {n: _exp(t) for n, t in theta.items()}
    traced = any(isinstance(x, jax.Array) for x in s.values())
    xp = jnp if traced else np
    cache, logs = {}, {}
    for pricing, names, ops, stacked in groups or _groups(claims, keys):
        inv = _scaled_inventory(pricing.inventory, s)
        if inv.lanes not in cache:
            cache[inv.lanes] = _scaled_prices(tech, inv.lanes, s)
        p = cache[inv.lanes]
        um2 = area_components(inv, p)
        core_mm2 = sum(um2[k] * 1e-6 for k in CORE_COMPONENTS)
        energy = 0.0
        for _, counts in stacked:
            e = energy_components(
                inv,
                pricing.exploit,
                pricing.terms,
                counts,
                p,
                core_mm2,
                structured=pricing.structured,
            )
            energy = energy + sum(e.values())
        log_eff = xp.log(ops) - xp.log(energy)
        for i, key in enumerate(names):
            logs.setdefault(key, []).append(log_eff[i])
    return {k: sum(v) / len(v) for k, v in logs.items()}


def _claim_ratios(rows) -> list:
    """The ratio of each claim row: ``1 - loss`` for (a), ``ours`` for (b)."""
    return [1.0 - r["ours"] if r["reading"] == "" else r["ours"] for r in rows]


def _ratios_at(claims: ClaimsReport, tech: Tech, theta: Mapping, cats, groups=None) -> list:
    """Every claim's ratio at scaled inputs, comparators chosen again at that point."""
    logs = _log_scores(claims, tech, theta, groups=groups)
    score = {k: math.exp(v) for k, v in logs.items()}
    return _claim_ratios(claim_rows(claims.designs, score, cats, claims.tolerance))


def _fixed_log_ratios(claims, tech, names, keys, pairs):
    """``theta`` vector -> log ratio of every claim with the nominal comparators ``pairs``."""

    groups = _groups(claims, keys)

    def f(theta):
        ls = _log_scores(claims, tech, dict(zip(names, theta)), keys, groups)
        return [ls[d] - ls[b] if d else math.nan for d, b in pairs]

    return f


def _pairs(rows) -> list:
    """``((design, category), (baseline, category))`` per claim row (``(None, None)``: n/a)."""
    out = []
    for r in rows:
        if not r["baseline"] or not (isinstance(r["ours"], float) and math.isfinite(r["ours"])):
            out.append((None, None))
        else:
            out.append(((r["design"], r["category"]), (r["baseline"], r["category"])))
    return out


# How far left of the nominal point the left-hand gradient of a buffer input is taken (log s):
# far below the finite-difference step, far above float64 resolution of a log capacity.
_LEFT = 1e-9


def elasticities(claims: ClaimsReport, tech, names, *, h: float = 1e-3) -> tuple:
    """``(gradient, finite difference)`` elasticities ``d log ratio / d log s`` of every claim
    row (lists over rows of dicts name -> value) at the nominal point, comparators fixed.

    The SRAM figures are power laws between CACTI grid points (``cost._sram``), so where a
    buffer's bank sits exactly on a grid capacity the two one-sided derivatives differ; for the
    buffer inputs the gradient is the mean of the gradients at the point (the right-hand
    slope there) and just left of it, the symmetric derivative a central difference converges
    to (equal to the plain gradient everywhere else)."""
    tech = load_tech(tech)
    pairs = _pairs(claims.claims)
    keys = {k for pair in pairs for k in pair if k is not None}
    f = _fixed_log_ratios(claims, tech, names, keys, pairs)
    live = [i for i, (d, _) in enumerate(pairs) if d is not None]
    buffers = [j for j, n in enumerate(names) if SENSITIVITY_INPUTS[n].kind == "buffer"]
    with jax.enable_x64(True):

        def g(theta):
            vals = f(list(theta))
            return jnp.stack([jnp.asarray(vals[i], jnp.float64) for i in live])

        jac = None
        if live:
            zero = jnp.zeros(len(names), jnp.float64)
            jac = np.array(jax.jacfwd(g)(zero))
            if buffers:
                left = np.asarray(jax.jacfwd(g)(zero.at[jnp.array(buffers)].set(-_LEFT)))
                jac[:, buffers] = 0.5 * (jac[:, buffers] + left[:, buffers])
    grad = [dict.fromkeys(names, math.nan) for _ in pairs]
    fd = [dict.fromkeys(names, math.nan) for _ in pairs]
    for j, name in enumerate(names):
        up = f([h if n == name else 0.0 for n in names])
        down = f([-h if n == name else 0.0 for n in names])
        for row_i, i in enumerate(live):
            grad[i][name] = float(jac[row_i, j])
            fd[i][name] = (up[i] - down[i]) / (2 * h)
    return grad, fd


# -- the discrete inputs ----------------------------------------------------------------------
def precision_tech(tech: Tech, bits: int) -> Tech:
    """``tech`` at ``bits``-bit operands (docs/model.md 8): multiplier energy and area x
    ``(bits / 8)^2``, accumulator ``4 bits`` wide, everything else unchanged (the adder width
    rule prices the wider or narrower tree adders). ASSUMPTION: array multipliers grow with the
    square of the width, adders linearly; an SRAM bit costs the same whatever the value width."""
    if not isinstance(bits, int) or isinstance(bits, bool) or bits < 2:
        raise ValueError(f"operand_bits must be an int >= 2, got {bits!r}")
    f = (bits / tech.operand_bits) ** 2
    return dataclasses.replace(
        tech,
        name=f"{tech.name}@int{bits}",
        operand_bits=bits,
        accumulator_bits=4 * bits,
        mult8_energy=tech.mult8_energy * f,
        mult8_area=tech.mult8_area * f,
    )


def lanes_core(core: Core, factor: float) -> Core:
    """``core`` with ``lanes x factor`` (0.5 or 2) at the same multiplier count: halving the
    lanes doubles the smaller of rows and cols (rows on a tie), doubling them halves the larger
    (cols on a tie)."""
    if factor == 0.5:
        if core.lanes % 2:
            raise ValueError(f"lanes: {core.lanes} lanes cannot be halved")
        grow = "rows" if core.rows <= core.cols else "cols"
        return dataclasses.replace(core, lanes=core.lanes // 2, **{grow: getattr(core, grow) * 2})
    if factor == 2.0:
        shrink = "cols" if core.cols >= core.rows else "rows"
        if getattr(core, shrink) % 2:
            raise ValueError(f"lanes: {core.rows}x{core.cols} cannot be halved to double lanes")
        return dataclasses.replace(
            core, lanes=core.lanes * 2, **{shrink: getattr(core, shrink) // 2}
        )
    raise ValueError(f"lanes: factor must be 0.5 or 2.0, got {factor!r}")


def _discrete_ratios(name, claims, tech, workloads, designs_for, sim, cats, notes) -> tuple:
    """``(low, high)`` lists of claim ratios of a discrete input, comparators chosen again; a
    geometry that cannot hold every design gives NaN ratios and a line in ``notes``."""
    inp = SENSITIVITY_INPUTS[name]
    if inp.kind == "sram":
        alt = load_tech(TECH_ALTERNATIVES[name])
        r = _ratios_at(claims, alt, {}, cats)
        return r, r
    if workloads is None:
        raise ValueError(
            f"inputs: {name!r} re-runs the claims (new schedules or bit widths) and needs workloads"
        )
    out = []
    for value in (inp.low, inp.high):
        if inp.kind == "precision":
            rep = claims_report(
                workloads,
                claims.designs,
                precision_tech(tech, value),
                sim=sim,
                tolerance=claims.tolerance,
            )
        else:
            core = lanes_core(claims.designs["dense"][0].core, value)
            try:
                designs = designs_for(core)
            except ValueError as err:
                notes.append(
                    f"{name} x{value:g}: core {core.rows}x{core.cols}x{core.lanes} cannot "
                    f"hold every design ({err}); its ratios are NaN"
                )
                out.append([math.nan] * len(claims.claims))
                continue
            rep = claims_report(workloads, designs, tech, sim=sim, tolerance=claims.tolerance)
        if len(rep.claims) != len(claims.claims):
            raise ValueError(f"inputs: {name!r} at {value!r} gives other claim rows")
        out.append(_claim_ratios(rep.claims))
    return tuple(out)


# -- the report -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class SensitivityReport:
    """``rows``: one dict per (input, claim row), columns ``SENSITIVITY_COLUMNS``; ``claims``:
    the nominal claims report; ``factors``: the factor range of the continuous inputs;
    ``samples``: points sampled between low and high for the fragile flag; ``notes``: what could
    not be measured (e.g. a geometry that cannot hold every design)."""

    rows: tuple
    claims: ClaimsReport = dataclasses.field(compare=False, repr=False)
    factors: tuple = (0.5, 2.0)
    samples: int = 0
    notes: tuple = ()

    def fragile(self) -> list:
        """The fragile rows."""
        return [r for r in self.rows if r["fragile"]]

    def markdown(self) -> str:
        """A short summary: what was moved, then which claims are fragile under which input."""
        lo, hi = self.factors
        names = list(dict.fromkeys(r["input"] for r in self.rows))
        lines = [
            f"Geometry `{self.claims.geometry}`, technology `{self.claims.tech}`. Continuous "
            f"inputs move x{lo:g}..x{hi:g} (and {self.samples} points between); discrete "
            "inputs take their low/high alternative (elasticity NaN). A claim is fragile when "
            "its ratio crosses 1 (its direction changes) anywhere in an input's range; "
            "comparators are chosen again at every point.",
            "",
            "| input | how it is moved | source |",
            "|---|---|---|",
        ]
        for n in names:
            i = SENSITIVITY_INPUTS[n]
            lines.append(f"| {n} | {i.how} | {i.source} |")
        unused = ", ".join(f"`{k}` ({v})" for k, v in UNUSED_ASSUMPTIONS.items())
        lines += ["", f"Not moved (no formula reads them): {unused}.", ""]
        lines += [f"Note: {n}." for n in self.notes] + ([""] if self.notes else [])
        frag = self.fragile()
        if not frag:
            lines.append("No claim changes direction inside these ranges.")
        else:
            ties = [r for r in frag if abs(math.log(r["ratio_nominal"])) < 0.01]
            tie_note = (
                f" {len(ties)} of the {len(frag)} fragile rows are near-ties (nominal ratio "
                "within 1% of 1), whose direction any small change flips."
                if ties
                else ""
            )
            lines += [
                "Fragile claims (the nominal ratio, and the ratios at the input's low and high "
                f"end; the flip may also lie at a sampled point between).{tie_note}",
                "",
                "| claim | reading | category | input | ratio nominal | low | high |",
                "|---|---|---|---|---|---|---|",
            ]
            for r in frag:
                lines.append(
                    f"| {r['claim']} | {r['reading'] or '-'} | {r['category']} | {r['input']} "
                    f"| {r['ratio_nominal']:.3f} | {r['ratio_low']:.3f} | "
                    f"{r['ratio_high']:.3f} |"
                )
        off = [
            r
            for r in self.rows
            if abs(r["elasticity"]) > 0.01
            and not abs(r["elasticity_fd"] - r["elasticity"]) <= 0.05 * abs(r["elasticity"])
        ]
        if off:
            pairs = sorted({(r["input"], r["category"]) for r in off})
            lines += [
                "",
                f"Gradient and finite difference differ by more than 5% in {len(off)} rows "
                f"({', '.join(f'{i} on {c}' for i, c in pairs)}): a derivative that is not "
                "smooth there (docs/model.md 8).",
            ]
        lines += ["", "Largest elasticities |d log ratio / d log input| per claim:", ""]
        by_claim = {}
        for r in self.rows:
            if math.isfinite(r["elasticity"]):
                key = (r["claim"], r["reading"], r["category"])
                by_claim.setdefault(key, []).append(r)
        for (claim, reading, cat), rs in by_claim.items():
            top = sorted(rs, key=lambda r: -abs(r["elasticity"]))[:3]
            tops = ", ".join(f"{r['input']} {r['elasticity']:+.3f}" for r in top)
            lines.append(f"- {claim} {reading or ''} {cat}: {tops}")
        return "\n".join(lines)


def _claim_label(row) -> str:
    # R3 has one row per prior preset: the comparator keeps the rows apart.
    return f"{row['claim']}: {row['comparator']}" if row["reading"] == "R3" else row["claim"]


def _direction(ratio) -> bool | None:
    return None if not math.isfinite(ratio) else ratio > 1.0


def sensitivity(
    report_or_inputs,
    inputs=None,
    *,
    workloads=None,
    tech=None,
    designs_for: Callable[[Core], Mapping] | None = None,
    factors: Sequence[float] = DEFAULT_FACTORS,
    samples: int = 3,
    h: float = 1e-3,
    sim: dict | None = None,
) -> SensitivityReport:
    """Sensitivity of the claims to the uncertain inputs (module doc, docs/model.md 8).

    Args:
      report_or_inputs: a ``ClaimsReport`` (from ``claims_report``: it keeps its cost
        reports), or the workloads to run ``claims_report`` on (``candidate_designs()``).
      inputs: names from ``SENSITIVITY_INPUTS`` (default: all); ``ValueError`` names an
        unknown one.
      workloads: what the report was run on; needed by ``operand_bits`` and ``lanes``, which
        re-run the claims (default: ``report_or_inputs`` when it is workloads).
      tech: the report's technology (default: loaded by the report's name).
      designs_for: ``core -> designs by kind`` for the geometry input (default
        ``candidate_designs``).
      factors: ``(low, high)`` factors of the continuous inputs, ``0 < low < 1 < high``.
      samples: log-spaced points strictly between low and high also checked for a flip.
      h: step in ``log s`` of the finite-difference elasticity.
      sim: scheduler options of any re-run.
    Returns: ``SensitivityReport``; ``rows`` has one row per (input, claim row) with the columns
      ``SENSITIVITY_COLUMNS``; ``nominal`` / ``low`` / ``high``: the input's values.
    """
    names = check_inputs(inputs)
    lo, hi = _check_factors(factors)
    if not isinstance(samples, int) or samples < 0:
        raise ValueError(f"samples must be an int >= 0, got {samples!r}")
    if isinstance(report_or_inputs, ClaimsReport):
        claims = report_or_inputs
    else:
        workloads = _check_workloads(report_or_inputs)
        claims = claims_report(workloads, tech=tech or "horowitz45", sim=sim)
    if not claims.reports or claims.designs is None:
        raise ValueError("report_or_inputs: the ClaimsReport holds no cost reports to price")
    if workloads is not None:
        workloads = _check_workloads(workloads)
    tech = load_tech(tech if tech is not None else claims.tech)
    designs_for = designs_for or candidate_designs
    cats = list(dict.fromkeys(cat for (_, cat), _ in claims.reports))
    nominal = _claim_ratios(claims.claims)
    cont = [n for n in names if SENSITIVITY_INPUTS[n].continuous]
    grad, fd = elasticities(claims, tech, cont, h=h) if cont else ([], [])
    between = [
        math.log(lo) + (math.log(hi) - math.log(lo)) * (k + 1) / (samples + 1)
        for k in range(samples)
    ]
    groups = _groups(claims)
    rows, notes = [], []
    for name in names:
        inp = SENSITIVITY_INPUTS[name]
        if inp.continuous:
            low = _ratios_at(claims, tech, {name: math.log(lo)}, cats, groups)
            high = _ratios_at(claims, tech, {name: math.log(hi)}, cats, groups)
            inside = [_ratios_at(claims, tech, {name: t}, cats, groups) for t in between]
            nom_value = _nominal_value(name, tech, claims)
            values = (nom_value, nom_value * lo, nom_value * hi)
        else:
            low, high = _discrete_ratios(
                name, claims, tech, workloads, designs_for, sim, cats, notes
            )
            inside = []
            values = _discrete_values(name, tech, claims)
        for i, crow in enumerate(claims.claims):
            d0 = _direction(nominal[i])
            seen = [low[i], high[i], *(x[i] for x in inside)]
            fragile = d0 is not None and any(
                _direction(x) is not None and _direction(x) != d0 for x in seen
            )
            cont_i = inp.continuous and grad
            rows.append(
                {
                    "input": name,
                    "nominal": values[0],
                    "low": values[1],
                    "high": values[2],
                    "claim": _claim_label(crow),
                    "reading": crow["reading"],
                    "category": crow["category"],
                    "ratio_nominal": nominal[i],
                    "ratio_low": low[i],
                    "ratio_high": high[i],
                    "elasticity": grad[i][name] if cont_i else math.nan,
                    "elasticity_fd": fd[i][name] if cont_i else math.nan,
                    "fragile": bool(fragile),
                }
            )
    return SensitivityReport(
        rows=tuple(rows), claims=claims, factors=(lo, hi), samples=samples, notes=tuple(notes)
    )


def _nominal_value(name, tech: Tech, claims: ClaimsReport):
    inp = SENSITIVITY_INPUTS[name]
    if inp.kind == "tech":
        return getattr(tech, name)
    if inp.kind == "accumulator":
        return tech.accumulator_bits
    if inp.kind == "buffer":
        return getattr(claims.designs["dense"][0].core, name)
    return 1.0  # a factor on the figures it scales


def _discrete_values(name, tech: Tech, claims: ClaimsReport) -> tuple:
    inp = SENSITIVITY_INPUTS[name]
    if inp.kind == "sram":
        return ("itrs-lstp", inp.low, inp.high)
    if inp.kind == "precision":
        return (tech.operand_bits, inp.low, inp.high)
    core = claims.designs["dense"][0].core

    def label(c):
        return f"{c.rows}x{c.cols}x{c.lanes}"

    return (label(core), label(lanes_core(core, inp.low)), label(lanes_core(core, inp.high)))
