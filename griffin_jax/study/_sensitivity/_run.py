"""The sensitivity driver: every input moved to its low, high and sampled points, the claims
measured there and the rows of the report (docs/model.md 8)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from griffin_jax.cost._tech import Tech, load_tech
from griffin_jax.design._core import Core
from griffin_jax.sim._options import SimOptions
from griffin_jax.study._claims import (
    ClaimsReport,
    _check_workloads,
    candidate_designs,
    claims_report,
)
from griffin_jax.study._sensitivity._elasticity import (
    claim_ratios,
    elasticities,
    pricing_groups,
    ratios_at,
)
from griffin_jax.study._sensitivity._inputs import (
    DEFAULT_FACTORS,
    SENSITIVITY_INPUTS,
    TECH_ALTERNATIVES,
    check_factors,
    check_inputs,
    lanes_core,
    precision_tech,
)
from griffin_jax.study._sensitivity._report import SensitivityReport


def _discrete_ratios(name, claims, tech, workloads, designs_for, sim, cats, notes) -> tuple:
    """``(low, high)`` lists of claim ratios of a discrete input, comparators chosen again; a
    geometry that cannot hold every design gives NaN ratios and a line in ``notes``."""
    inp = SENSITIVITY_INPUTS[name]
    if inp.kind == "sram":
        alt = load_tech(TECH_ALTERNATIVES[name])
        r = ratios_at(claims, alt, {}, cats)
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
        out.append(claim_ratios(rep.claims))
    return tuple(out)


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
    sim: SimOptions | None = None,
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
    lo, hi = check_factors(factors)
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
    nominal = claim_ratios(claims.claims)
    cont = [n for n in names if SENSITIVITY_INPUTS[n].continuous]
    grad, fd = elasticities(claims, tech, cont, h=h) if cont else ([], [])
    between = [
        math.log(lo) + (math.log(hi) - math.log(lo)) * (k + 1) / (samples + 1)
        for k in range(samples)
    ]
    groups = pricing_groups(claims)
    rows, notes = [], []
    for name in names:
        inp = SENSITIVITY_INPUTS[name]
        if inp.continuous:
            low = ratios_at(claims, tech, {name: math.log(lo)}, cats, groups)
            high = ratios_at(claims, tech, {name: math.log(hi)}, cats, groups)
            inside = [ratios_at(claims, tech, {name: t}, cats, groups) for t in between]
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
