"""What the sensitivity study moves: every assumption covered, the precision rule, the cores
of the geometry input."""

import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.study import SENSITIVITY_INPUTS
from griffin_jax.study._sensitivity import _inputs as S


def test_every_assumption_of_the_tech_is_moved():
    tech = cost.load_tech("horowitz45")
    assumed = {f for f, src in tech.sources.items() if src.startswith("ASSUMPTION")}
    moved = set(SENSITIVITY_INPUTS)
    assert assumed <= moved, assumed - moved
    for inp in SENSITIVITY_INPUTS.values():
        assert inp.how and inp.source and len(inp.range) == 2
        assert not inp.continuous or inp.range == S.DEFAULT_FACTORS


def test_precision_rule_and_lanes_cores():
    tech = cost.load_tech("horowitz45")
    t4 = S.precision_tech(tech, 4)
    assert t4.operand_bits == 4 and t4.accumulator_bits == 16
    assert t4.mult8_energy == pytest.approx(tech.mult8_energy / 4)
    assert t4.mult8_area == pytest.approx(tech.mult8_area / 4)
    assert t4.add8_energy == tech.add8_energy
    core = gj.Core(8, 8, 16)
    lo, hi = S.lanes_core(core, 0.5), S.lanes_core(core, 2.0)
    assert (lo.rows, lo.cols, lo.lanes) == (16, 8, 8)
    assert (hi.rows, hi.cols, hi.lanes) == (8, 4, 32)
    assert lo.multipliers == hi.multipliers == core.multipliers
