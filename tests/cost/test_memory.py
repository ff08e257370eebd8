"""SRAM buffers: banking rules (docs/model.md 4.1) and re-banking for the sensitivity study."""

import dataclasses

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax import cost
from griffin_jax.cost._memory import BANK_RULES, buffer, rebank
from griffin_jax.design._presets import preset
from tests.conftest import sram_by_hand


def test_metadata_widens_the_port_instead_of_adding_a_bank():
    # one column row of 128 activations: 1024 value bits, +1 mask bit each
    new = buffer(128, 8, 1, 128)
    assert (new.banks, new.port_bits) == (2, 576)
    old = buffer(128, 8, 1, 128, bank_rule="ports")
    assert (old.banks, old.port_bits) == (3, 384)  # the previous rule: a third bank
    assert new.kb == old.kb == 128 * 9 / 8
    for meta in range(6):
        assert buffer(128, 8, meta, 128).banks == buffer(128, 8, 0, 128).banks == 2
    assert buffer(32, 8, 0, 4).port_bits == 64  # no port narrower than 64 bits


def test_rebank_moves_the_value_bits_per_bank():
    buf = buffer(128, 8, 1, 128)
    assert rebank(buf, 512) == buf
    half = rebank(buf, 256)
    assert (half.banks, half.port_bits, half.kb) == (4, 288, buf.kb)
    with pytest.raises(ValueError, match="bank_rule"):
        buffer(128, 8, 1, 128, bank_rule="wide")
    assert BANK_RULES == ("values", "ports")


@pytest.mark.parametrize("rule", BANK_RULES)
def test_a_design_is_banked_by_its_technology_rule(rule):
    core = gj.Core(2, 8, 16)  # 8 columns of 16 lanes: a 1024-bit activation row
    tech = dataclasses.replace(cost.load_tech("horowitz45"), bank_rule=rule)
    acc = preset("tensordash_like", core)  # a mask bit beside every activation and weight
    a = np.random.default_rng(0).random((8, 32)) < 0.5
    w = np.random.default_rng(1).random((32, 2)) < 0.5
    (rep,) = cost.layer_costs([acc], "AW", a, w, tech)
    want = sram_by_hand(tech, core, act_meta=1, wgt_meta=1, rule=rule)
    for name in ("act", "wgt", "out"):
        assert rep.area[f"sram_{name}"] == pytest.approx(want[name]["area"]), name
    assert rep.pricing.inventory.act_sram.banks == (2 if rule == "values" else 3)


@pytest.mark.parametrize("tech", ["horowitz45", "scaled16"])
def test_every_geometry_of_the_geometry_study_prices_its_buffers(tech):
    """The paper's geometry study builds every power-of-two core of 1024 multipliers with the
    default buffers; the narrowest and widest ones need small banks (a 1 x 1024 x 1 core drains
    1024 outputs a cycle from 32 KB: 16 banks of 2 KB), which the SRAM table must hold."""
    from griffin_jax.study import geometries

    t = cost.load_tech(tech)
    for core in geometries(1024, 64):
        for name in ("dense", "tensordash_like"):
            try:
                acc = preset(name, core)
            except ValueError:
                continue  # a mechanism the geometry cannot hold (say, T's lanes on one lane)
            areas = cost.area_components(cost.inventory(acc), cost.prices(t, core.lanes))
            assert all(np.isfinite(v) and v >= 0 for v in areas.values()), (core, name)
