"""Shared test helpers: random designs and masks for exact reference-vs-fast comparisons,
summary tables for the study plots, the search tests' small mix and the CLI's composed config."""

from __future__ import annotations

import contextlib
import functools
import os
import tempfile
import types
import zlib

import jax
import numpy as np
import pytest

import griffin_jax as gj

# Implicit rank promotion hides shape bugs (a [n] array silently broadcast against [n, 1]); the
# library must never rely on it, so the tests run with it forbidden.
jax.config.update("jax_numpy_rank_promotion", "raise")

# The CLI keeps a persistent compilation cache in the user's cache folder by default; the tests
# (and the CLI processes they start) use one of their own, shared for the session.
if "GRIFFIN_JAX_TEST_CACHE" not in os.environ:  # once, however often this module is imported
    os.environ["GRIFFIN_JAX_TEST_CACHE"] = tempfile.mkdtemp(prefix="griffin-jax-test-cache-")
    os.environ["XDG_CACHE_HOME"] = os.environ["GRIFFIN_JAX_TEST_CACHE"]
# In-process tests use that cache too (the folder ``runtime.compilation_cache=default`` names):
# the parallel workers then compile a program the other has compiled only once.
gj.sim.enable_compilation_cache(
    os.path.join(os.environ["GRIFFIN_JAX_TEST_CACHE"], "griffin_jax", "xla")
)

# CI runs slow checks in their small form; GRIFFIN_SLOW=1 runs them at full size.
FULL = os.environ.get("GRIFFIN_SLOW", "0") == "1"

EDGE_LANES = (1, 2, 3, 16, 31, 32, 33, 63, 64)
# The small form's lanes (CI): one lane, one past the first 32-lane word, 64 lanes.
SMALL_EDGE_LANES = (1, 33, 64)


def exploit_syncs(case: int) -> tuple:
    """The (exploit, sync) pairs, in order, that parametrized case ``case`` schedules: all six
    when ``FULL``; in the small form every exploit under one sync or the other, alternating with
    the parity of ``case`` (even: A core, W group, AW core; odd: the other three), so that
    consecutive cases cover all six pairs at half the compiles (each pair is one compiled
    program per GEMM shape)."""
    pairs = [(e, s) for e in ("A", "W", "AW") for s in ("core", "group")]
    if FULL:
        return tuple(pairs)
    return tuple(p for i, p in enumerate(pairs) if (i // 2 + i + case) % 2 == 0)


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
        random_offsets=random_offsets,
        random_mask=random_mask,
        EDGE_LANES=EDGE_LANES,
        SMALL_EDGE_LANES=SMALL_EDGE_LANES,
        exploit_syncs=exploit_syncs,
        FULL=FULL,
    )


def sram_by_hand(tech, core, act_meta=0, wgt_meta=0, bits=8, rule="values", wgt_per_cycle=None):
    """SRAM buffer figures written straight from docs/model.md 4.1 with the scalar CACTI-table
    reference: per buffer ``area`` (mm^2), ``leak`` (mW), ``read`` / ``write`` (pJ per bit).
    Banking, ``rule="values"``: the fewest banks that deliver at most 512 operand bits per access
    each (metadata widens the port) for one operand row per cycle to every consumer (C x L
    activations, R x L weights or ``wgt_per_cycle``, max(R, C) outputs), ports >= 64 bits;
    ``rule="ports"`` (the previous rule): the fewest banks of <= 512-bit ports, metadata
    included."""
    import math

    from griffin_jax.cost._sram import sram_cost_reference

    out = {}
    for name, kb, meta, per_cycle in (
        ("act", core.act_kb, act_meta, core.cols * core.lanes),
        ("wgt", core.wgt_kb, wgt_meta, wgt_per_cycle or core.rows * core.lanes),
        ("out", core.out_kb, 0, max(core.rows, core.cols)),
    ):
        width = bits + meta
        need = per_cycle * width
        if rule == "values":
            banks = max(1, math.ceil(per_cycle * bits / 512))
            port = max(need / banks, 64)
        else:
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


def compose_config(overrides):
    """The CLI's config composed in-process from the packaged configs (the registry-derived
    options stored first), as ``griffin-jax <overrides>`` would see it."""
    from hydra import compose, initialize_config_module

    from griffin_jax.cli import _schema

    _schema.register()
    with initialize_config_module(config_module="griffin_jax.conf", version_base="1.3"):
        return compose(config_name="config", overrides=overrides)


# Every counter of an ``Activity`` that must agree between two paths of the scheduler.
ACTIVITY_FIELDS = (
    "cycles",
    "dense_cycles",
    "taken",
    "busy_group_cycles",
    "tree_group_cycles",
    "group_cycles",
    "row_cycles",
    "col_cycles",
    "work",
    "tiles",
)


# The scheduling counters alone (what two schedules of the same design must agree on).
SCHEDULE_FIELDS = tuple(f for f in ACTIVITY_FIELDS if f not in ("dense_cycles", "work", "tiles"))


def assert_same_activity(x, y, fields=ACTIVITY_FIELDS):
    """Two ``Activity`` results equal in every counter of ``fields`` (the field named if not)."""
    for field in fields:
        assert np.array_equal(getattr(x, field), getattr(y, field)), field


def run_cli(args, cwd, *, env_extra=(), pythonpath=(), popen=False):
    """``python -m griffin_jax <args>`` in a subprocess on the CPU, as a user runs it (without
    ``HYDRA_FULL_ERROR``: the tests check what a user sees by default). ``pythonpath``: folders
    put first on ``PYTHONPATH`` (plugins); ``popen``: return the running ``Popen`` (pipes)."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    env["JAX_PLATFORMS"] = "cpu"
    env.update(dict(env_extra))
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), env.get("PYTHONPATH", "")])
    cmd = [sys.executable, "-m", "griffin_jax", *args]
    kw = {"cwd": cwd, "env": env, "text": True}
    with _sigint_not_ignored():
        if popen:
            return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
        return subprocess.run(cmd, capture_output=True, timeout=600, **kw)


@contextlib.contextmanager
def _sigint_not_ignored():
    """A parallel test worker ignores SIGINT, and a child inherits an ignored signal (a user's
    shell does not ignore it). A handler is not inherited across exec, so while the child
    starts this process handles SIGINT (as Python does by default) instead of ignoring it.
    (A ``preexec_fn`` would do it in the child, but forces a fork of this multithreaded
    process, which JAX warns against.)"""
    import signal

    try:
        old = signal.getsignal(signal.SIGINT)
        if old is signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.default_int_handler)
    except ValueError:  # not the main thread: leave it
        old = None
    try:
        yield
    finally:
        if old is signal.SIG_IGN:
            signal.signal(signal.SIGINT, old)


# -- study plots: a hand-made summary table and readability checks ----------------------------
PLOT_CATS = ("dense", "W", "A", "AW")
PLOT_NETS = {"net1": 2.0, "net2": 5.0}  # dense TOPS/W per network


def plot_row(design, kind, exploit, cat, net, area, eff, speedup, box=(-1, -1, -1)):
    """One summary row as ``run_study`` writes it (metrics only where the plots read them)."""
    return {
        "design": design,
        "kind": kind,
        "exploit": exploit,
        "category": cat,
        "network": net,
        "window": "none" if box[0] < 0 else f"box{box}",
        "cycles": 100,
        "dense_cycles": round(100 * speedup),
        "speedup": speedup,
        "energy_pj": 1e3 / eff,
        "area_mm2": area,
        "tops_per_w": eff,
        "tops_per_mm2": speedup / area,
        "box_time": box[0],
        "box_lane": box[1],
        "box_group": box[2],
    }


def plot_grid_speedup(t, l, g, net):
    return 1 + 0.3 * t + 0.2 * l + 0.1 * g + (0.05 if net == "net2" else 0.0)


def plot_table():
    """Dense, two presets, Griffin and a small AW / W box grid on every category and network."""
    rows = []
    for net, base in PLOT_NETS.items():
        for ci, cat in enumerate(PLOT_CATS):
            rows.append(plot_row("dense", "preset", "none", cat, net, 1.0, base, 1.0))
            rows.append(
                plot_row(
                    "tensordash_like", "preset", "AW", cat, net, 1.3, base * (1.1 + 0.1 * ci), 1.4
                )
            )
            rows.append(
                plot_row(
                    "bit_tactical_like",
                    "preset",
                    "W",
                    cat,
                    net,
                    1.2,
                    base * (1.2 - 0.05 * ci),
                    1.3,
                )
            )
            rows.append(
                plot_row(
                    "griffin",
                    "griffin",
                    "none" if cat == "dense" else cat,
                    cat,
                    net,
                    1.4,
                    base * (1.25 + 0.2 * ci),
                    1.5,
                )
            )
            rows.append(plot_row("dense_grid", "space", "none", cat, net, 1.0, base, 1.0))
            for ex in ("W", "AW"):
                for t in (1, 2):
                    for lane in (0, 1, 2):
                        for g in (0, 1) if ex == "AW" else (0,):
                            area = 1 + 0.1 * t + 0.05 * lane + 0.2 * g + (0.02 if ex == "AW" else 0)
                            eff = base * (1 + 0.07 * t * (lane + 1) - 0.03 * g * ci)
                            rows.append(
                                plot_row(
                                    f"{ex}:box({t},{lane},{g})",
                                    "space",
                                    ex,
                                    cat,
                                    net,
                                    area,
                                    eff,
                                    plot_grid_speedup(t, lane, g, net),
                                    (t, lane, g),
                                )
                            )
    return rows


def crowded_plot_table():
    """Eight prior designs within a hair of one another: labels must still come apart."""
    rows = [r for r in plot_table() if r["network"] == "net1"]
    for k in range(8):
        for cat in PLOT_CATS:
            rows.append(
                plot_row(
                    f"crowded_design_{k}",
                    "preset",
                    "AW",
                    cat,
                    "net1",
                    1.25 + 0.001 * k,
                    2.6 + 0.001 * k,
                    1.2,
                )
            )
    return rows


def check_png(path):
    with open(path, "rb") as f:
        head = f.read(8)
    assert head == b"\x89PNG\r\n\x1a\n"


def text_boxes(fig, ax):
    """The axes' frame and ``(text, window extent)`` of its non-empty texts, as drawn."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return ax.get_window_extent(renderer), [
        (t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text()
    ]


def assert_apart_and_inside(frame, boxes):
    for name, box in boxes:
        assert (
            box.x0 >= frame.x0 - 0.5
            and box.x1 <= frame.x1 + 0.5
            and box.y0 >= frame.y0 - 0.5
            and box.y1 <= frame.y1 + 0.5
        ), name
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1 :]:
            assert not ba.overlaps(bb), f"labels {a!r} and {b!r} overlap"


@pytest.fixture(scope="session")
def tiny_study():
    """``run_study`` rows (results, summary) of a dense core, one AW grid design, one prior
    preset and Griffin on a 4x4x8 core, two small layers, every category: real cost columns."""
    from griffin_jax import cost
    from griffin_jax.design._presets import custom, preset
    from griffin_jax.study import Entry, run_study
    from griffin_jax.workloads import GemmLayer, Workload

    core = gj.Core(4, 4, 8)
    rng = np.random.default_rng(7)
    masks = [(rng.random((8, 20)) < 0.5, rng.random((20, 6)) < 0.4) for _ in range(2)]

    def layers(category):
        for i, (a, w) in enumerate(masks):
            yield GemmLayer(f"l{i}", *cost.category_masks(a, w, category), i + 1, "n", category)

    entries = [
        Entry(custom("dense", core, "none"), "preset"),
        Entry(custom("AW:box(1,1,0)", core, "AW", gj.Window.box(1, 1)), "space", (1, 1, 0)),
        Entry(preset("tensordash_like", core), "preset"),
        Entry(preset("griffin", core), "griffin"),
    ]
    return run_study(entries, [Workload("n", layers)])


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
