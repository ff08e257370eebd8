"""Technology configs: cited values, validation, derived cells, node scaling."""

import copy
import dataclasses

import pytest
import yaml

from griffin_jax import cost
from griffin_jax.cost._tech import FIELDS, TECH_DIR


def _raw(name="horowitz45"):
    with open(TECH_DIR / f"{name}.yaml") as fh:
        return yaml.safe_load(fh)


def test_shipped_configs_load_with_sources():
    assert {"horowitz45", "scaled16"} <= set(cost.available_techs())
    for name in cost.available_techs():
        t = cost.load_tech(name)
        assert set(t.sources) == set(FIELDS)
        assert all(isinstance(s, str) and s.strip() for s in t.sources.values())


def test_horowitz_values_are_the_cited_ones():
    t = cost.load_tech("horowitz45")
    assert (t.mult8_energy, t.mult8_area) == (0.2, 282)
    assert (t.add8_energy, t.add8_area, t.add32_energy, t.add32_area) == (0.03, 36, 0.1, 137)
    assert t.clock_ghz == 1.0 and t.operand_bits == 8 and t.accumulator_bits == 32
    assert "Horowitz" in t.sources["mult8_energy"] or "[H14]" in t.sources["mult8_energy"]
    assert t.sources["leakage_power_density"].startswith("ASSUMPTION")


def test_derived_cells():
    t = cost.load_tech("horowitz45")
    density = 0.03 / 36
    assert t.dff_energy == pytest.approx(4.522 * density)
    assert t.mux2_energy == pytest.approx(1.862 * density)
    assert t.priority_cell_area == pytest.approx(2 * 0.798)
    # linear adder rule through the two cited points
    assert t.adder_energy(8) == pytest.approx(0.03) and t.adder_energy(32) == pytest.approx(0.1)
    assert t.adder_area(20) == pytest.approx(36 + 12 * (137 - 36) / 24)


# The per-bit SRAM model's entries (docs/model.md 4.1: the CACTI table prices every buffer).
REMOVED_ENTRIES = {
    "sram_read_energy_64b": {"value": {8: 10.0}, "unit": "pJ", "source": "[H14]"},
    "sram_bank_kb": {"value": 8, "unit": "KB", "source": "ASSUMPTION: 8 KB banks"},
    "sram_write_over_read": {"value": 1.0, "unit": "ratio", "source": "ASSUMPTION: w = r"},
}


@pytest.mark.parametrize("field", sorted(REMOVED_ENTRIES))
def test_removed_sram_entries_are_refused_by_name(field):
    assert field not in FIELDS and not hasattr(cost.load_tech("horowitz45"), field)
    # the per-bit prices went with them: the SRAM is priced from the CACTI table only
    assert {f.name for f in dataclasses.fields(cost.Prices) if "sram" in f.name} == {
        "sram_key",
        "sram",
    }
    cfg = {**_raw(), field: REMOVED_ENTRIES[field]}
    with pytest.raises(ValueError, match=f"'{field}'.*removed.*CACTI"):
        cost.tech_from_dict(cfg)
    derived = _raw("scaled16")
    derived["overrides"][field] = REMOVED_ENTRIES[field]
    with pytest.raises(ValueError, match=f"overrides holds '{field}'"):
        cost.tech_from_dict(derived)


def test_removed_sram_scaling_is_refused_and_its_argument_deprecated():
    cfg = _raw("scaled16")
    cfg["scaling"]["sram_energy"] = {"value": 0.142, "unit": "ratio", "source": "[SB17]"}
    with pytest.raises(ValueError, match="scaling holds 'sram_energy'.*removed"):
        cost.tech_from_dict(cfg)
    base = cost.load_tech("horowitz45")
    kw = dict(name="x", area=(0.5, "a"), energy=(0.25, "e"), leak=(2.0, "l"))
    with pytest.warns(DeprecationWarning, match="sram"):
        old = cost.scale_tech(base, sram=(0.1, "s"), **kw)
    assert old == cost.scale_tech(base, **kw)


def test_second_node_is_documented_scaling():
    base, t16 = cost.load_tech("horowitz45"), cost.load_tech("scaled16")
    raw = _raw("scaled16")["scaling"]
    fa, fe = raw["area"]["value"], raw["energy"]["value"]
    fl = raw["leakage_power_density"]["value"]
    assert set(raw) == {"area", "energy", "leakage_power_density"}
    assert t16.node_nm == 16 and t16.clock_ghz == base.clock_ghz
    for field, (_, kind) in FIELDS.items():
        factor = {"area": fa, "energy": fe, "leak": fl, None: 1.0}[kind]
        if field in ("node_nm",):
            continue
        assert getattr(t16, field) == pytest.approx(getattr(base, field) * factor), field
        if kind is not None:
            assert "x" in t16.sources[field] and base.sources[field] in t16.sources[field]
    # derived cells follow: energies scale with the energy factor, areas with the area factor
    assert t16.mux2_energy == pytest.approx(base.mux2_energy * fe)
    assert t16.dff_area == pytest.approx(base.dff_area * fa)


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_missing_field_is_named(field):
    cfg = _raw()
    del cfg[field]
    with pytest.raises(ValueError, match=field):
        cost.tech_from_dict(cfg)


@pytest.mark.parametrize("key", ["source", "value", "unit"])
def test_missing_source_value_or_unit_is_named(key):
    cfg = _raw()
    del cfg["mult8_energy"][key]
    with pytest.raises(ValueError, match=f"mult8_energy.*{key}"):
        cost.tech_from_dict(cfg)


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda c: c["mult8_energy"].update(source="  "), "source"),
        (lambda c: c["mult8_area"].update(unit="mm^2"), "mult8_area"),
        (lambda c: c["add8_energy"].update(value=-1), "add8_energy"),
        (lambda c: c["add8_energy"].update(value="big"), "add8_energy"),
        (lambda c: c["operand_bits"].update(value=8.5), "operand_bits"),
        (lambda c: c.update(extra_thing={"value": 1, "unit": "x", "source": "y"}), "extra_thing"),
        (lambda c: c.pop("name"), "name"),
    ],
)
def test_bad_entries_raise(mutate, match):
    cfg = copy.deepcopy(_raw())
    mutate(cfg)
    with pytest.raises(ValueError, match=match):
        cost.tech_from_dict(cfg)


def test_derived_config_validation(tmp_path):
    cfg = _raw("scaled16")
    del cfg["scaling"]["energy"]["source"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg))
    with pytest.raises(ValueError, match="energy"):
        cost.load_tech(path)
    cfg = _raw("scaled16")
    cfg["overrides"]["clock_ghz"]["value"] = 2.0
    path.write_text(yaml.safe_dump(cfg))
    t = cost.load_tech(path)  # derived_from resolves to the shipped base
    assert t.clock_ghz == 2.0 and t.mult8_energy == pytest.approx(0.2 * 0.142)


def test_unknown_tech_name():
    with pytest.raises(ValueError, match="not found"):
        cost.load_tech("horowitz7")
    with pytest.raises(ValueError, match="tech"):
        cost.load_tech(45)
