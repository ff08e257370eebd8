"""Compile buckets, chunk sizing and design layout (sim/_program.py): one compile serves a
bucket, chunking and strategy never change a result, int32 partial sums stay safe, and a huge
window depth is clamped to the GEMM's steps."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.sim import _gemm, _program
from tests.conftest import SCHEDULE_FIELDS, assert_same_activity

CORE = gj.Core(2, 2, 4)


def test_one_compile_serves_a_bucket(rng):
    a, w = rng.random((12, 40)) < 0.5, rng.random((40, 6)) < 0.5
    # Buckets: window capacity, depth cap (1..4) and group pad (largest |dg| = 1).
    first = [gj.Design(CORE, "AW", gj.Window.box(t, l, g)) for t, l, g in ((1, 0, 1), (2, 1, 0))]
    gj.simulate_gemm_batch(first, a, w)
    before = _gemm.TRACE_COUNT["gemm"]
    other = [
        gj.Design(CORE, "AW", gj.Window.from_offsets(o))
        for o in ([(3, 1, 1), (1, -2, -1)], [(4, 0, 0)])
    ]
    a2, w2 = rng.random((11, 37)) < 0.3, rng.random((37, 5)) < 0.7  # same tile/step buckets
    gj.simulate_gemm_batch(other, a2, w2)
    assert _gemm.TRACE_COUNT["gemm"] == before
    # A different exploit is a different program, and so is a group pad of 0 (no dg != 0).
    gj.simulate_gemm_batch([gj.Design(CORE, "A", gj.Window.box(1))] * 2, a, w)
    assert _gemm.TRACE_COUNT["gemm"] == before + 1
    gj.simulate_gemm_batch([gj.Design(CORE, "AW", gj.Window.box(2, 1))], a, w)
    assert _gemm.TRACE_COUNT["gemm"] == before + 2


def test_totals_are_int64_and_chunking_is_exact(rng):
    a, w = rng.random((30, 33)) < 0.5, rng.random((33, 9)) < 0.5
    designs = [
        gj.Design(CORE, "AW", gj.Window.box(2, 1)),
        gj.Design(CORE, "W"),
        gj.Design(CORE, "none"),
    ]
    whole = gj.gemm_activity_batch(designs, a, w)
    assert whole.cycles.dtype == np.int64 and whole.taken.dtype == np.int64
    for chunk in (1, 8):  # many chunks, a ragged last one
        part = gj.gemm_activity_batch(designs, a, w, chunk=chunk)
        assert (part.cycles == whole.cycles).all()
        assert (part.taken == whole.taken).all()
        assert (part.busy_group_cycles == whole.busy_group_cycles).all()


def test_chunk_cap_keeps_int32_partial_sums_safe():
    assert _program.chunk_for(64, 1024, 512) == 512
    big = _program.chunk_for(1000, 64 * 64 * 16, 512)
    assert big * 1000 * 64 * 64 * 16 < 2**31 <= 2 * big * 1000 * 64 * 64 * 16
    assert _program.chunk_for(10, 10, 100) == 64  # a power of two
    with pytest.raises(ValueError, match="overflow"):
        _program.chunk_for(2**20, 2**12, 4)


VMAP_GEOMETRIES = [(2, 3, 5, 9, 5, 23), (2, 2, 33, 5, 4, 70)]


@pytest.mark.slow
@pytest.mark.parametrize("geom", VMAP_GEOMETRIES)
def test_vmap_strategy_matches_map(geom, rng, gen):
    # "vmap" (designs side by side: the accelerator default) batches the window offsets, so the
    # kernel's slices become gathers and scatters; it runs here on CPU against "map". Small
    # form: half the (exploit, sync) pairs per geometry, the other half on the other one
    # (gen.exploit_syncs); full form: all six on both.
    R, C, L, M, N, K = geom
    core = gj.Core(R, C, L)
    designs = [gj.Design(core, "none")]
    for exploit, sync in gen.exploit_syncs(VMAP_GEOMETRIES.index(geom)):
        designs.append(
            gj.Design(core, exploit, gj.Window.box(2, 1, 0 if sync == "group" else 1), sync)
        )
        designs.append(gj.Design(core, exploit, gj.Window.box(3, 0, 0), sync))
    a, w = rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.5
    by_map = gj.gemm_activity_batch(designs, a, w, strategy="map")
    by_vmap = gj.gemm_activity_batch(designs, a, w, strategy="vmap")
    assert_same_activity(by_map, by_vmap, SCHEDULE_FIELDS)


def test_huge_window_depth_is_bounded(rng):
    # dt = 10**6 used to allocate a buffer of 2**20 rows per tile; depth is clamped to T.
    core = gj.Core(2, 2, 4)
    a, w = rng.random((5, 19)) < 0.5, rng.random((19, 3)) < 0.5
    win = gj.Window.from_offsets([(1, 1, 0), (10**6, 0, 0), (3, -1, 1), (10**6 + 1, 1, 1)])
    for exploit in ("A", "W", "AW"):
        d = gj.Design(core, exploit, win)
        act = gj.gemm_activity_batch([d], a, w)
        ref = gj.reference_gemm(d, a, w)
        assert act.cycles[0] == ref["cycles"]
        assert tuple(act.taken[0, :5]) == tuple(ref["taken"])
        assert tuple(act.tree_group_cycles[0, :5]) == tuple(ref["tree_group_cycles"])
    pending = rng.random((3, 6, 4)) < 0.3
    deep = gj.Window.from_offsets([(10**6, 0, 0), (1, 1, 0)])
    assert (
        gj.tile_cycles(pending, deep)
        == gj.reference_tile(pending[None], deep.as_tuples())["cycles"]
    )


@pytest.mark.parametrize("geom", [(2, 3, 4, 13, 9, 11), (3, 2, 2, 7, 1, 5)])
def test_memory_budget_sizes_chunks_and_keeps_results(geom, rng, monkeypatch):
    # A tiny budget forces one-unit chunks (and reads results back as it goes); every counter
    # must equal the unbudgeted run's, for the general and the single-lane lookahead kernels,
    # on edge sizes (ragged tiles, one step).
    R, C, L, M, K, N = geom
    core, one = gj.Core(R, C, L), gj.Core(R, C, 1)
    designs = [
        gj.Design(core, "AW", gj.Window.box(2, 1)),
        gj.Design(core, "W", gj.Window.box(1, 0, 1), "core"),
        gj.Design(core, "A", gj.Window.box(3), "group"),
        gj.Design(one, "AW", gj.Window.box(time=3), "group"),
    ]
    a, w = rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.4
    chunks = []
    real = _program.program
    monkeypatch.setattr(
        _program, "program", lambda key, *keep: chunks.append(key.chunk) or real(key, *keep)
    )
    whole = gj.gemm_activity_batch(designs, a, w, memory_gb=None)
    assert min(chunks) > 1
    chunks.clear()
    tight = gj.gemm_activity_batch(designs, a, w, memory_gb=1e-6)
    assert set(chunks) == {1}
    for field in ("cycles", "taken", "busy_group_cycles", "tree_group_cycles", "group_cycles"):
        assert np.array_equal(getattr(tight, field), getattr(whole, field)), field
    for field in ("row_cycles", "col_cycles", "work"):
        assert np.array_equal(getattr(tight, field), getattr(whole, field)), field
    with pytest.raises(ValueError, match="memory_gb"):
        gj.gemm_activity_batch(designs, a, w, memory_gb=0)


def test_compiled_programs_are_released_when_the_mappings_crowd():
    """Past MAP_SHARE of vm.max_map_count every compiled program is released (LLVM fails with
    "Cannot allocate memory" at the limit); the results after a release are the same."""
    from griffin_jax.sim import _program

    rng = np.random.default_rng(0)
    d = gj.Design(gj.Core(2, 2, 8), "AW", gj.Window.box(1, 1, 0))
    a, w = rng.random((6, 40)) < 0.5, rng.random((40, 5)) < 0.4
    before = gj.simulate_gemm(d, a, w)
    assert _program.program.cache_info().currsize > 0
    assert not _program.release_if_crowded(lambda: 50, lambda: 100)
    assert not _program.release_if_crowded(lambda: None, lambda: 100)
    assert not _program.release_if_crowded(lambda: 99, lambda: None)
    released = _program.RELEASES[0]
    assert _program.release_if_crowded(lambda: 51, lambda: 100)
    assert _program.RELEASES[0] == released + 1
    assert _program.program.cache_info().currsize == 0
    after = gj.simulate_gemm(d, a, w)
    assert after.cycles == before.cycles
    n, top = _program.mapping_count(), _program.mapping_limit()
    assert n is None or (n > 0 and (top is None or n < top))


def _key(exploit="AW", chunk=32):
    from griffin_jax.sim import _program

    win = _program._Bucket(steps_b=18, capacity=8, depth_cap=4, group_pad=0)
    return _program._ProgramKey(exploit, "core", 2, 2, 8, win, 1, chunk)


def test_program_cache_drops_the_least_recently_used(monkeypatch):
    """At most ``keep`` programs stay cached; a hit makes a program the most recent, so the
    one dropped is the one used longest ago, and asking for it again compiles it again."""
    from griffin_jax.sim import _program

    monkeypatch.setattr(_program, "_PROGRAMS", __import__("collections").OrderedDict())
    compiled = []
    monkeypatch.setattr(_program, "_compile", lambda key: compiled.append(key) or object())
    k1, k2, k3 = _key(chunk=32), _key(chunk=64), _key("A")
    first = _program.program(k1, 2)
    _program.program(k2, 2)
    assert _program.program(k1, 2) is first  # a hit: k1 is now the most recent
    _program.program(k3, 2)  # full: k2, used longest ago, is dropped
    assert list(_program._PROGRAMS) == [k1, k3]
    _program.program(k2, 2)
    assert compiled == [k1, k2, k3, k2]
    assert list(_program._PROGRAMS) == [k3, k2]
    _program.program(k1)  # no bound: nothing dropped
    assert len(_program._PROGRAMS) == 3


def test_program_capacity_follows_the_budget():
    from griffin_jax.sim import _program

    assert _program.program_capacity(None) is None
    assert _program.program_capacity(1.0) == int(2**30 / _program.PROGRAM_BYTES)
    assert _program.program_capacity(2.0) >= 2 * _program.program_capacity(1.0) - 1
    assert _program.program_capacity(1e-9) == _program.MIN_PROGRAMS


def test_a_network_costs_the_same_when_programs_are_dropped_between_layers(monkeypatch):
    """One program kept at a time (every layer compiles or loads its programs again): the cost
    reports of a whole network equal those without a budget."""
    from griffin_jax.sim import _program

    rng = np.random.default_rng(3)
    core = gj.Core(2, 2, 8)
    accels = [
        gj.custom("aw", core, "AW", gj.Window.box(2, 1, 0)),
        gj.custom("a", core, "A", gj.Window.box(1, 1, 0)),
        gj.custom("w", core, "W", gj.Window.box(3, 0, 0)),
    ]
    layers = [
        (f"l{i}", rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.4, 1 + i)
        for i, (M, K, N) in enumerate([(5, 40, 3), (7, 9, 6), (4, 70, 2)])
    ]
    from griffin_jax.cost import evaluate

    free = evaluate(accels, "AW", layers, sim=gj.SimOptions(memory_gb=None))
    monkeypatch.setattr(_program, "MIN_PROGRAMS", 1)
    dropped = _program.program.cache_info().dropped
    tight = evaluate(accels, "AW", layers, sim=gj.SimOptions(memory_gb=1e-9))
    assert _program.program.cache_info().dropped > dropped
    for x, y in zip(free, tight):
        assert x.cycles == y.cycles and x.energy_pj == y.energy_pj and x.counts == y.counts
