"""The derivation's own sensitivity: Griffin re-derived at the ends of the price inputs."""

import pytest

from griffin_jax import cost
from griffin_jax.study import derivation_sensitivity, derive_griffin, rederive
from griffin_jax.study._sensitivity._inputs import scaled_prices
from griffin_jax.study._sensitivity._rederive import price_inputs
from tests.study.test_derive import CORE, _synthetic


@pytest.fixture(scope="module")
def small():
    return derive_griffin(_synthetic(), CORE, time=(1, 2), lane=(0, 1), group=(0, 1))


def test_every_price_input_is_moved_to_both_ends(small):
    rows = derivation_sensitivity(small, "horowitz45")
    names = price_inputs()
    assert {"ff_clock_energy", "clock_network_ratio", "cell_switching_energy", "sram_cells"} <= set(
        names
    )
    assert [r["input"] for r in rows] == [
        n for n in names for _ in range(1 if n == "sram_cells" else 2)
    ]
    for r in rows:
        assert r["wiring_changed"] == (r["wired"] != small.wired.label())
        assert r["balanced_changed"] == (r["balanced"] != small.balanced.label())
        if not r["wiring_changed"]:
            assert r["modes"] != "not evaluated"


def test_a_row_is_the_rederivation_at_that_price(small):
    tech = cost.load_tech("horowitz45")
    (row,) = [
        r
        for r in derivation_sensitivity(small, tech, ["cell_switching_energy"], (0.25, 4.0))
        if r["end"] == "high"
    ]
    want = rederive(
        small,
        lambda r: cost.reprice(
            r, scaled_prices(tech, r.pricing.inventory.lanes, {"cell_switching_energy": 4.0})
        ),
    )
    assert row["wired"] == want.wired.label() and row["value"] == 4.0
    with pytest.raises(ValueError, match="moves only"):
        derivation_sensitivity(small, tech, ["lanes"])
