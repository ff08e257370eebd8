"""What the sensitivity study moves: the uncertain inputs, their ranges, and the model's prices,
buffers, technology and core at a moved input (docs/model.md 8)."""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Mapping

from griffin_jax.cost._memory import BUFFERS
from griffin_jax.cost._prices import prices
from griffin_jax.cost._tech import Tech
from griffin_jax.design._core import Core

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


def check_factors(factors) -> tuple:
    """``(low, high)`` as floats; ``ValueError`` unless ``0 < low < 1 < high``."""
    try:
        lo, hi = (float(x) for x in factors)
    except (TypeError, ValueError):
        raise ValueError(f"factors must be two numbers (low, high), got {factors!r}") from None
    if not (0 < lo < 1 < hi and math.isfinite(hi)):
        raise ValueError(f"factors must satisfy 0 < low < 1 < high, got {factors!r}")
    return lo, hi


# -- the continuous inputs: prices and buffers at scale factors --------------------------------
def scaled_prices(tech: Tech, lanes: int, s: Mapping):
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


def scaled_inventory(inv, s: Mapping):
    """``inv`` (an ``Inventory``) with the accumulator width and buffer capacities of ``s``."""
    changes = {}
    if "accumulator_bits" in s:
        changes["acc_bits"] = inv.acc_bits * s["accumulator_bits"]
    for b in BUFFERS:
        if f"{b}_kb" in s:
            buf = getattr(inv, f"{b}_sram")
            # a buffer's capacity is linear in the core's dense capacity (cost._memory.buffer)
            changes[f"{b}_sram"] = dataclasses.replace(buf, kb=buf.kb * s[f"{b}_kb"])
    return dataclasses.replace(inv, **changes) if changes else inv


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
