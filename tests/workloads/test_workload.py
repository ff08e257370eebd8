"""The shared workload vocabulary: GemmLayer, Workload and their one validator."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.workloads import (
    CATEGORIES,
    GemmLayer,
    Workload,
    as_layer,
    as_layers,
    as_workload,
    as_workloads,
    check_category,
)


def _masks(rng, M=6, K=10, N=4):
    return rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.5


def test_one_copy_of_the_categories():
    assert CATEGORIES is gj.design.CATEGORIES is gj.CATEGORIES
    assert check_category("AW") == "AW"
    with pytest.raises(ValueError, match="category"):
        check_category("sparse")


def test_layer_from_tuple_and_fields(rng):
    a, w = _masks(rng)
    layer = as_layer(("fc", a, w, np.int64(3)), network="net", category="W")
    assert (layer.name, layer.multiplicity, layer.network, layer.category) == ("fc", 3, "net", "W")
    assert type(layer.multiplicity) is int and layer.shape == (6, 10, 4)
    assert as_layer(layer) is layer


@pytest.mark.parametrize(
    "bad, field",
    [
        (dict(multiplicity=0), "multiplicity"),
        (dict(multiplicity=True), "multiplicity"),
        (dict(category="x"), "category"),
        (dict(a_mask=np.ones((6, 10), int)), "a_mask"),
        (dict(w_mask=np.ones((9, 4), bool)), "w_mask"),
        (dict(a_mask=np.ones((0, 10), bool)), "a_mask"),
    ],
)
def test_bad_layers_raise_naming_the_field(rng, bad, field):
    a, w = _masks(rng)
    args = dict(name="fc", a_mask=a, w_mask=w, multiplicity=1, **{})
    args.update(bad)
    with pytest.raises(ValueError, match=field):
        GemmLayer(**args)


def test_as_layers_names_the_position(rng):
    a, w = _masks(rng)
    with pytest.raises(ValueError, match=r"layers\[1\]"):
        as_layers([("x", a, w, 1), ("y", a, w)])
    with pytest.raises(ValueError, match="at least one"):
        as_layers([])


def test_workload_forms_agree(rng):
    a, w = _masks(rng)
    layers = [("l0", a, w, 1), ("l1", a, w, 2)]
    mix = as_workload(("n", layers, "AW", 2))
    claims = as_workload(("n", "AW", layers))
    direct = Workload("n", layers, "AW", 2.0)
    for wl in (mix, claims, direct):
        assert [(x.name, x.multiplicity, x.network, x.category) for x in wl] == [
            ("l0", 1, "n", "AW"),
            ("l1", 2, "n", "AW"),
        ]
    assert (mix.weight, claims.weight) == (2.0, 1.0)
    assert as_layers(direct) is direct.layers


@pytest.mark.parametrize(
    "item, field",
    [
        (("n", [], "AW", 1.0), "at least one"),
        (("n", None, "AW", 1.0), "layers"),
        (("n", "layers", "A", 1.0), "layers"),
        (("n", [], "ZZ", 1.0), "category"),
        (("n", "AW"), "workloads"),
    ],
)
def test_bad_workloads(item, field):
    with pytest.raises(ValueError, match=field):
        as_workloads([item])


def test_bad_weight(rng):
    a, w = _masks(rng)
    for weight in (0, -1.0, float("inf"), True):
        with pytest.raises(ValueError, match="weight"):
            Workload("n", [("l", a, w, 1)], "A", weight)
