"""What the sensitivity study moves: every assumption covered, the precision rule, the cores
of the geometry input."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.design import preset
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


@pytest.mark.parametrize("name", ["clock_network_ratio", "ff_clock_energy"])
def test_the_per_cycle_energy_moves_x05_to_x2(name):
    # the clock network's share (docs/model.md 4.4) is an ASSUMPTION: the study must move it
    assert SENSITIVITY_INPUTS[name].range == S.DEFAULT_FACTORS == (0.5, 2.0)
    tech = cost.load_tech("horowitz45")
    core = gj.Core(4, 4, 8)
    a, w = np.ones((8, 32), bool), np.ones((32, 8), bool)
    rep = cost.evaluate_layer(preset("dense", core), "dense", a, w, tech)
    base = cost.energy_of(rep, S.scaled_prices(tech, core.lanes, {}))
    assert base["clock"] == pytest.approx(rep.energy["clock"]) and base["clock"] > 0
    for f in S.DEFAULT_FACTORS:
        e = cost.energy_of(rep, S.scaled_prices(tech, core.lanes, {name: f}))
        assert e["clock"] == pytest.approx(f * base["clock"])
        for k in ("mult", "adder_trees", "sram", "leakage"):
            assert e[k] == base[k], k
        pins = e["registers"] - base["registers"]
        if name == "ff_clock_energy":  # the registers' clock pins move too
            assert pins == pytest.approx((f - 1) * base["clock"] / tech.clock_network_ratio)
        else:
            assert pins == 0
