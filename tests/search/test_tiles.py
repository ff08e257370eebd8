"""The mix as the relaxation reads it: workload validation, per-exploit tile blocks."""

import numpy as np
import pytest

from griffin_jax.search import check_workloads, relax
from griffin_jax.search._tiles import EVENT_FIELDS, exploit_data, pending_tiles
from tests.conftest import SEARCH_CORE, search_mix_of, search_space


def test_bad_workloads_raise_naming_the_field():
    layers = search_mix_of(7)[0][1]
    for bad, field in (
        ([], "workloads"),
        ([("x", layers, "B", 1.0)], "category"),
        ([("x", layers, "AW", 0.0)], "weight"),
        ([("x", [("l", layers[0][1], layers[0][2], 0)], "AW", 1.0)], "multiplicity"),
        ([("x", layers, "AW")], r"workloads\[0\]"),
    ):
        with pytest.raises(ValueError, match=field):
            relax(bad, search_space())
        with pytest.raises(ValueError, match=field):
            check_workloads(bad)


@pytest.mark.parametrize("exploit", ["A", "W", "AW"])
def test_tiles_hold_every_pending_item(exploit):
    (_, layers, _, _), _ = search_mix_of(7)
    _, a, w, _ = layers[0]
    pend, mult, _ = pending_tiles(exploit, SEARCH_CORE, a, w)
    mt, nt = -(-a.shape[0] // SEARCH_CORE.cols), -(-w.shape[1] // SEARCH_CORE.rows)
    # A: each pixel tile once, standing for every channel tile; W: each channel tile once,
    # standing for every pixel tile; AW: every (pixel, channel) tile pair, a (k, pair) item each
    items, times = {
        "A": (a.sum(), nt),
        "W": (w.sum(), mt),
        "AW": ((a.astype(int) @ w.astype(int)).sum(), 1),
    }[exploit]
    assert pend.sum() == items and mult == times
    data = exploit_data(exploit, SEARCH_CORE, [(a, w, 2.0)], 8, max_tiles=2)
    assert data.events.shape == (1, len(EVENT_FIELDS)) and np.asarray(data.weights).tolist() == [
        2.0
    ]
    assert sum(b.pending.shape[0] for b in data.blocks) <= 2
