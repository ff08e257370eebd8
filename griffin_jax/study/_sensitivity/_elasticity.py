"""A claims report priced again at scaled inputs: log scores, claim ratios, and the elasticities
``d log ratio / d log s`` as a JAX gradient and as a central finite difference
(docs/model.md 8)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import jax
import jax.numpy as jnp
import numpy as np

from griffin_jax.cost._area import CORE_COMPONENTS, area_components
from griffin_jax.cost._energy import Counts, energy_components
from griffin_jax.cost._tech import Tech, load_tech
from griffin_jax.study._claims import ClaimsReport, claim_rows
from griffin_jax.study._sensitivity._inputs import (
    SENSITIVITY_INPUTS,
    scaled_inventory,
    scaled_prices,
)


def _exp(t):
    return jnp.exp(t) if isinstance(t, jax.Array) else math.exp(t)


def pricing_groups(claims: ClaimsReport, keys=None) -> list:
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


def log_scores(claims: ClaimsReport, tech: Tech, theta: Mapping, keys=None, groups=None) -> dict:
    """``log score[(design, category)]`` (mean over the category's networks of log TOPS/W) at
    inputs scaled by ``exp(theta[name])``; only ``keys`` when given. JAX or float ``theta``."""
    s = {n: _exp(t) for n, t in theta.items()}
    traced = any(isinstance(x, jax.Array) for x in s.values())
    xp = jnp if traced else np
    cache, logs = {}, {}
    for pricing, names, ops, stacked in groups or pricing_groups(claims, keys):
        inv = scaled_inventory(pricing.inventory, s)
        if inv.lanes not in cache:
            cache[inv.lanes] = scaled_prices(tech, inv.lanes, s)
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
                reuse=pricing.reuse,
            )
            energy = energy + sum(e.values())
        log_eff = xp.log(ops) - xp.log(energy)
        for i, key in enumerate(names):
            logs.setdefault(key, []).append(log_eff[i])
    return {k: sum(v) / len(v) for k, v in logs.items()}


def claim_ratios(rows) -> list:
    """The ratio of each claim row: ``1 - loss`` for (a), ``ours`` for (b)."""
    return [1.0 - r["ours"] if r["reading"] == "" else r["ours"] for r in rows]


def ratios_at(claims: ClaimsReport, tech: Tech, theta: Mapping, cats, groups=None) -> list:
    """Every claim's ratio at scaled inputs, comparators chosen again at that point."""
    logs = log_scores(claims, tech, theta, groups=groups)
    score = {k: math.exp(v) for k, v in logs.items()}
    return claim_ratios(claim_rows(claims.designs, score, cats, claims.tolerance))


def _fixed_log_ratios(claims, tech, names, keys, pairs):
    """``theta`` vector -> log ratio of every claim with the nominal comparators ``pairs``."""

    groups = pricing_groups(claims, keys)

    def f(theta):
        ls = log_scores(claims, tech, dict(zip(names, theta)), keys, groups)
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
