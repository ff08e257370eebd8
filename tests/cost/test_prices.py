"""Prices: equal technologies give equal (and equally hashed) prices, whatever objects hold
them, so jitted functions taking them as static arguments compile once."""

import dataclasses

from griffin_jax import cost


def test_a_config_loaded_twice_gives_equal_prices():
    one, two = cost.load_tech("horowitz45"), cost.load_tech("horowitz45")
    assert one.sram is not two.sram  # every load reads a new table ...
    p, q = cost.prices(one, 16), cost.prices(two, 16)
    assert p == q and hash(p) == hash(q)  # ... with equal figures: equal keys


def test_another_sram_table_gives_other_prices():
    tech = cost.load_tech("horowitz45")
    values = dict(tech.sram.values)
    area = values["area_mm2"]
    values["area_mm2"] = ((area[0][0] * 2, *area[0][1:]), *area[1:])
    other = dataclasses.replace(tech, sram=dataclasses.replace(tech.sram, values=values))
    assert cost.prices(other, 16) != cost.prices(tech, 16)
    assert cost.prices(tech, 16) != cost.prices(tech, 8)
