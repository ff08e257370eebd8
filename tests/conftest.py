"""Shared test helpers: random designs and masks for exact reference-vs-fast comparisons; the
search tests' small mix."""

from __future__ import annotations

import functools
import os
import types
import zlib

import jax
import numpy as np
import pytest

import griffin_jax as gj

# Implicit rank promotion hides shape bugs (a [n] array silently broadcast against [n, 1]); the
# library must never rely on it, so the tests run with it forbidden.
jax.config.update("jax_numpy_rank_promotion", "raise")

# CI runs slow checks in their small form; GRIFFIN_SLOW=1 runs them at full size.
FULL = os.environ.get("GRIFFIN_SLOW", "0") == "1"

EDGE_LANES = (1, 2, 3, 16, 31, 32, 33, 63, 64)


def random_offsets(rng, lanes, *, max_n=6, max_dt=3, max_dg=0, shape="any"):
    """A valid random window: box, L-shaped or an arbitrary priority list."""
    if shape == "box":
        return gj.Window.box(
            int(rng.integers(1, max_dt + 1)),
            int(rng.integers(0, min(1, lanes - 1) + 1)),
            int(rng.integers(0, min(1, max_dg) + 1)),
        ).as_tuples()
    if shape == "L":  # Bit-Tactical: lookahead h then lookaside d at dt = 1
        h = int(rng.integers(1, max_dt + 1))
        d = int(rng.integers(0, min(5, lanes - 1) + 1))
        return [(t, 0, 0) for t in range(1, h + 1)] + [
            (1, s * i, 0) for i in range(1, d + 1) for s in (-1, 1) if (1, s * i, 0) != (1, 0, 0)
        ][: 2 * d]
    seen = []
    for _ in range(int(rng.integers(0, max_n + 1))):
        off = (
            int(rng.integers(1, max_dt + 1)),
            int(rng.integers(-(lanes - 1), lanes)),
            int(rng.integers(-max_dg, max_dg + 1)),
        )
        if off not in seen:
            seen.append(off)
    return seen


def random_mask(rng, shape):
    """Masks at a random density, including exactly empty and exactly full ones."""
    kind = rng.random()
    if kind < 0.1:
        return np.zeros(shape, bool)
    if kind < 0.2:
        return np.ones(shape, bool)
    return rng.random(shape) < rng.uniform(0.05, 0.95)


@pytest.fixture
def rng(request):
    # One stream per test, stable across runs and independent of test order.
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def gen():
    """The helpers above, for test modules (importlib mode keeps conftest out of sys.path)."""
    return types.SimpleNamespace(
        random_offsets=random_offsets, random_mask=random_mask, EDGE_LANES=EDGE_LANES, FULL=FULL
    )


def sram_by_hand(tech, core, act_meta=0, wgt_meta=0, bits=8):
    """SRAM buffer figures written straight from docs/model.md 4.1 with the scalar CACTI-table
    reference: per buffer ``area`` (mm^2), ``leak`` (mW), ``read`` / ``write`` (pJ per bit).
    Banking: the fewest banks of <= 512-bit ports that deliver one operand row per cycle to
    every consumer (C x L activations, R x L weights, max(R, C) outputs), ports >= 64 bits."""
    import math

    from griffin_jax.cost._sram import sram_cost_reference

    out = {}
    for name, kb, meta, per_cycle in (
        ("act", core.act_kb, act_meta, core.cols * core.lanes),
        ("wgt", core.wgt_kb, wgt_meta, core.rows * core.lanes),
        ("out", core.out_kb, 0, max(core.rows, core.cols)),
    ):
        width = bits + meta
        need = per_cycle * width
        banks = max(1, math.ceil(need / 512))
        port = min(max(need / banks, 64), 512)
        c = sram_cost_reference(tech, kb * width / bits / banks, port)
        out[name] = {
            "area": banks * c.area_mm2,
            "leak": banks * c.leakage_mw,
            "read": c.read_energy_pj / port,
            "write": c.write_energy_pj / port,
        }
    return out


# Issue 13 item 1's "at least" list of published figures: (preset, metric).
REQUIRED_VALIDATION = (
    ("cnvlutin_like", "speedup"),
    ("cnvlutin_like", "area_overhead"),
    ("tensordash_like", "speedup"),
    ("tensordash_like", "energy_efficiency_gain"),
    ("tensordash_like", "area_overhead"),
    ("sparten_like", "speedup"),
    ("stc_2to4", "speedup"),
    ("stc_2to4", "perf_per_watt_gain"),
    ("cambricon_x_like", "speedup"),
)


# The search tests' core and space: the same as tests/search/test_relax.py's (and GEMMs of the
# same shape), so compiled exact kernels are shared in one run.
SEARCH_CORE = gj.Core(4, 4, 8)


def search_space():
    from griffin_jax.search import Space  # imported here: most tests never load the search

    return Space(
        core=SEARCH_CORE, exploits=("none", "A", "W", "AW"), time=(1, 3), lane=(0, 1), group=(0, 1)
    )


def search_mix_of(seed: int) -> list:
    """A two-workload mix (an AW and an A workload, one small GEMM each) drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    a1, w1 = rng.random((16, 24)) < 0.5, rng.random((24, 8)) < 0.4
    a2, w2 = rng.random((16, 24)) < 0.3, np.ones((24, 8), bool)
    return [("dual", [("l1", a1, w1, 2)], "AW", 1.0), ("act", [("l2", a2, w2, 1)], "A", 2.0)]


@functools.cache
def search_tiny():
    """The search tests' mix, its exhaustive exact table (shared, so searches are charged for
    their evaluations without recomputing them) and its relaxation."""
    from griffin_jax.search import ExactEvaluator, relax

    mix, space = search_mix_of(3), search_space()
    ev = ExactEvaluator(mix, space)
    ev(space.points())
    return mix, ev, relax(mix, space)


def search_budget() -> float:
    """An area budget (1.5 x the dense core) for ``perf_under_area`` on ``search_tiny``."""
    from griffin_jax.search import DesignPoint

    _, ev, _ = search_tiny()
    return 1.5 * ev.area(DesignPoint("none"))
