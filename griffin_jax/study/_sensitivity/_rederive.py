"""The derivation's own sensitivity (docs/model.md 5.3, 8): Griffin re-derived at the ends of
every input range that only changes prices.

The derivation's schedules do not depend on prices, so ``study.rederive`` applies its rules to
its own reports priced at the moved input (``cost.reprice``) and nothing is simulated: the
continuous technology and switching inputs at each end of their factor range, and the SRAM cell
type at its alternative table. Inputs that change the parts (buffer capacities, accumulator
width, banking) or the schedules (precision, geometry) are left out: re-deriving at them means
evaluating every candidate again.
"""

from __future__ import annotations

from collections.abc import Sequence

from griffin_jax.cost._evaluate import reprice
from griffin_jax.cost._tech import load_tech
from griffin_jax.study._sensitivity._inputs import (
    DEFAULT_FACTORS,
    SENSITIVITY_INPUTS,
    TECH_ALTERNATIVES,
    check_factors,
    scaled_prices,
)

# The inputs a re-derivation can move by pricing alone.
PRICE_KINDS = ("tech", "switching", "sram")
REDERIVE_COLUMNS = (
    "input",
    "end",
    "value",
    "wired",
    "wiring_changed",
    "balanced",
    "balanced_changed",
    "modes",
    "modes_changed",
    "griffin_aw_tops_per_w",
)


def price_inputs() -> tuple:
    """Names of the sensitivity inputs a re-derivation moves (``PRICE_KINDS``), in order."""
    return tuple(n for n, i in SENSITIVITY_INPUTS.items() if i.kind in PRICE_KINDS)


def _pricer(name: str, value, tech):
    """A function pricing one ``CostReport`` at input ``name`` moved to ``value``."""
    if SENSITIVITY_INPUTS[name].kind == "sram":
        alt = load_tech(TECH_ALTERNATIVES[name])
        return lambda r: reprice(r, alt)
    cache = {}

    def price(report):
        lanes = report.pricing.inventory.lanes
        if lanes not in cache:
            cache[lanes] = scaled_prices(tech, lanes, {name: value})
        return reprice(report, cache[lanes])

    return price


def _modes_label(modes) -> str:
    return "; ".join(f"{c}: {d.exploit} {d.window.label()}" for c, d in modes) or "not evaluated"


def derivation_sensitivity(derivation, tech, names: Sequence | None = None, factors=None) -> list:
    """One row (``REDERIVE_COLUMNS``) per input of ``names`` (default ``price_inputs()``) and
    end of its range (continuous: ``factors``, default x0.5 and x2; SRAM cells: its
    alternative table): the wiring, balanced wiring and modes the derivation's rules pick on
    ``derivation``'s reports priced there (``study.rederive``), and whether each changed."""
    from griffin_jax.study._derive import rederive

    tech = load_tech(tech)
    names = price_inputs() if names is None else tuple(names)
    bad = [n for n in names if n not in price_inputs()]
    if bad:
        raise ValueError(f"derivation_sensitivity moves only {price_inputs()}, got {bad}")
    lo, hi = check_factors(DEFAULT_FACTORS if factors is None else factors)
    rows = []
    for name in names:
        spec = SENSITIVITY_INPUTS[name]
        ends = [("alternative", TECH_ALTERNATIVES[name])] if spec.kind == "sram" else []
        ends = ends or [("low", lo), ("high", hi)]
        for end, value in ends:
            d = rederive(derivation, _pricer(name, value, tech))
            aw = next((r for r in d.mode_rows if r["chosen"] and r["category"] == "AW"), None)
            rows.append(
                {
                    "input": name,
                    "end": end,
                    "value": value,
                    "wired": d.wired.label(),
                    "wiring_changed": d.wired != derivation.wired,
                    "balanced": d.balanced.label(),
                    "balanced_changed": d.balanced != derivation.balanced,
                    "modes": _modes_label(d.modes),
                    "modes_changed": d.modes != derivation.modes,
                    "griffin_aw_tops_per_w": float("nan") if aw is None else aw["tops_per_w"],
                }
            )
    return rows


__all__ = ["PRICE_KINDS", "REDERIVE_COLUMNS", "derivation_sensitivity", "price_inputs"]
