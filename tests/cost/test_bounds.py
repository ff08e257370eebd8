"""Technology constants stay in physically meaningful ranges, and a cost that is not finite is
an error naming its cause, never a result (``cost/_bounds``, ``cost/_evaluate``)."""

import dataclasses
import pathlib

import numpy as np
import pytest
import yaml

import griffin_jax as gj
from griffin_jax.cost import layer_costs, load_tech
from griffin_jax.cost._bounds import FIELD_BOUNDS, UNIT_BOUNDS, bounds_of, check_tech, violations
from griffin_jax.cost._tech import FIELDS, TECH_DIR, available_techs
from griffin_jax.design import preset

CORE = gj.Core(4, 4, 8)


def _tech_file(tmp_path, field, value) -> pathlib.Path:
    """horowitz45 with one constant's value replaced (the rest as shipped)."""
    cfg = yaml.safe_load((TECH_DIR / "horowitz45.yaml").read_text())
    cfg["name"] = "hostile"
    cfg[field]["value"] = value
    path = tmp_path / f"bad_{field}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


def test_every_shipped_tech_is_inside_its_bounds():
    for name in available_techs():
        assert violations(load_tech(name)) == [], name


def test_every_unit_of_a_tech_field_has_its_own_range():
    # a new field in a known unit is bounded without touching _bounds; an unknown unit still is
    for field, (unit, _) in FIELDS.items():
        assert field in FIELD_BOUNDS or unit.split()[0] in UNIT_BOUNDS, (field, unit)
    assert bounds_of("anything", "furlongs")[1] < float("inf")


@pytest.mark.parametrize(
    "field, value",
    [
        ("mult8_energy", 1.0e300),  # finite and > 0: accepted before, overflows downstream
        ("add8_area", 1.0e-300),  # its energy density (energy / area) is inf
        ("clock_ghz", 1.0e12),
        ("leakage_power_density", 1.0e200),
        ("operand_bits", 100000),
    ],
)
def test_a_constant_outside_its_range_is_refused_naming_it(tmp_path, field, value):
    with pytest.raises(ValueError, match=rf"tech config 'hostile' field {field} = .*outside"):
        load_tech(_tech_file(tmp_path, field, value))


def test_check_tech_names_the_first_field_and_counts_the_rest():
    base = load_tech("horowitz45")
    bad = dataclasses.replace(base, mult8_energy=1e300, add8_area=1e-300)
    with pytest.raises(ValueError, match=r"mult8_energy = 1e\+300 pJ.*\(and 1 more\)"):
        check_tech(bad)
    assert check_tech(base) is base


def test_a_result_that_is_not_finite_is_an_error_naming_the_constant(rng):
    # A Tech object is taken as given (traced ones included), so the cost model itself refuses
    # a figure that is not finite and names the constant that caused it.
    tech = dataclasses.replace(load_tech("horowitz45"), add8_area=1e-320)
    accel = preset("dense", CORE)
    a, w = rng.random((8, 16)) < 0.5, rng.random((16, 4)) < 0.5
    with pytest.raises(ValueError, match=r"not a finite positive number; caused by .*add8_area"):
        layer_costs([accel], "dense", a, w, tech)
    (ok,) = layer_costs([accel], "dense", a, w, load_tech("horowitz45"))
    assert np.isfinite([ok.area_mm2, ok.energy_pj, ok.tops_per_w]).all()
