"""Shared fixtures of the sensitivity tests: a small core, its candidate designs, one layer per
category, the claims report on them and its sensitivity (computed once per session)."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.design._presets import custom, preset
from griffin_jax.study import SENSITIVITY_INPUTS, claims_report, sensitivity

# The default buffers (128 / 128 / 32 KB): on this core most banks sit exactly on a CACTI grid
# capacity, a corner of the interpolation, so the symmetric gradient is exercised too.
CORE = gj.Core(rows=2, cols=2, lanes=8)
CONTINUOUS = [n for n, i in SENSITIVITY_INPUTS.items() if i.continuous]


def _designs(core=CORE):
    p = {
        n: preset(n, core)
        for n in (
            "dense",
            "cnvlutin_like",
            "bit_tactical_like",
            "tensordash_like",
            "sparten_like",
            # The v1 wiring: its neighbour-group offset makes a one-column core unusable,
            # which test_geometry_reruns_or_says_why_not relies on.
            "griffin_v1",
        )
    }
    return {
        "dense": [p["dense"]],
        "A": [p["cnvlutin_like"], custom("A_box11", core, "A", gj.Window.box(1, 1))],
        "W": [p["bit_tactical_like"]],
        "AW": [p["tensordash_like"], custom("AW_box11", core, "AW", gj.Window.box(1, 1))],
        "prior": [
            p["cnvlutin_like"],
            p["bit_tactical_like"],
            p["tensordash_like"],
            p["sparten_like"],
        ],
        "griffin": [p["griffin_v1"]],
    }


def _workloads():
    rng = np.random.default_rng(3)
    out = []
    for cat in ("dense", "W", "A", "AW"):
        for net in ("n1",):
            a = rng.random((6, 24)) < (0.45 if cat in ("A", "AW") else 2)
            w = rng.random((24, 5)) < (0.35 if cat in ("W", "AW") else 2)
            out.append((net, cat, [("l0", a, w, 2)]))
    return out


@pytest.fixture
def designs_for():
    """``core -> designs by kind`` (the candidates above on any core)."""
    return _designs


@pytest.fixture
def workloads():
    return _workloads()


@pytest.fixture(scope="session")
def report():
    return claims_report(_workloads(), _designs(), "horowitz45")


@pytest.fixture(scope="session")
def sens(report):
    return sensitivity(
        report, CONTINUOUS + ["sram_cells", "operand_bits"], workloads=_workloads(), samples=2
    )
