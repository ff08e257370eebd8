"""simulate_layers takes the shared workload vocabulary (GemmLayer, Workload, tuples) alike."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.sim._network import network_cycles, simulate_layers
from griffin_jax.workloads import GemmLayer, Workload

CORE = gj.Core(4, 4, 8)


def test_layer_forms_agree(rng):
    designs = [gj.Design(CORE, "AW", gj.Window.box(1, 1)), gj.Design(CORE, "A", gj.Window.box(2))]
    layers = [
        GemmLayer(f"l{i}", rng.random((8, 20)) < 0.5, rng.random((20, 6)) < 0.4, i + 1)
        for i in range(2)
    ]
    tuples = [(x.name, x.a_mask, x.w_mask, x.multiplicity) for x in layers]
    runs = [
        simulate_layers(designs, src) for src in (layers, iter(tuples), Workload("n", layers, "AW"))
    ]
    for res in runs:
        assert [(r.name, r.multiplicity) for r in res] == [("l0", 1), ("l1", 2)]
    nets = [network_cycles(r) for r in runs]
    for n in nets[1:]:
        np.testing.assert_array_equal(n.cycles, nets[0].cycles)
    with pytest.raises(ValueError, match=r"layers\[0\].*multiplicity"):
        simulate_layers(designs, [("x", layers[0].a_mask, layers[0].w_mask, 0)])


def test_network_cycles_refuses_what_is_not_layer_results():
    for bad, match in (([1, 2], r"results\[0\]"), ([], "at least one"), (3, "results")):
        with pytest.raises(ValueError, match=match):
            gj.network_cycles(bad)


def test_network_totals_never_wrap_silently(rng):
    import dataclasses

    designs = [gj.Design(CORE, "AW", gj.Window.box(1, 1))]
    (res,) = simulate_layers(
        designs, [("l", rng.random((8, 20)) < 0.5, rng.random((20, 6)) < 0.4, 1)]
    )
    big = dataclasses.replace(res, multiplicity=2**62)  # x cycles > 2**63: int64 used to wrap
    with pytest.raises(ValueError, match="exceed int64"):
        network_cycles([big])
    for bad in (0, True, 1.5):
        with pytest.raises(ValueError, match=r"results\[0\].multiplicity"):
            network_cycles([dataclasses.replace(res, multiplicity=bad)])
    fits = network_cycles([dataclasses.replace(res, multiplicity=2**40)])
    assert int(fits.cycles[0]) == 2**40 * int(res.cycles[0])
