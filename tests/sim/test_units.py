"""Distinct-tile units (sim/_units.py): each distinct pending array scheduled once, every
counter equal to the every-tile path and the reference, large classes split exactly."""

import numpy as np
import pytest

import griffin_jax as gj
from griffin_jax.sim import _gemm, _program
from tests.conftest import assert_same_activity

_assert_same = assert_same_activity


def _structured_masks(rng, M, K, N):
    """Operands whose tiles repeat: dense, one repeated pixel tile, repeated channel tiles."""
    tile_a = rng.random((2, K)) < 0.4
    tile_w = rng.random((K, 3)) < 0.4
    return [
        (np.ones((M, K), bool), rng.random((K, N)) < 0.5),  # dense activations (W category)
        (rng.random((M, K)) < 0.5, np.ones((K, N), bool)),  # dense weights (A category)
        (np.tile(tile_a, (-(-M // 2), 1))[:M], np.tile(tile_w, (1, -(-N // 3)))[:, :N]),
        (rng.random((M, K)) < 0.5, rng.random((K, N)) < 0.5),  # random: all tiles distinct
        (np.zeros((M, K), bool), rng.random((K, N)) < 0.5),  # no work at all
    ]


UNIT_GEOMETRIES = [(3, 2, 5, 11, 7, 23), (2, 3, 8, 13, 9, 40)]


@pytest.mark.slow
@pytest.mark.parametrize("geom", UNIT_GEOMETRIES, ids=lambda g: "x".join(map(str, g)))
def test_distinct_tiles_equal_every_tile_and_reference(geom, rng, gen):
    # Edge tiles in both directions (M % C, N % R != 0): a padded edge tile can share its
    # pending array with a real one, yet row_cycles / col_cycles must still count real DPUs.
    # Small form: half the (exploit, sync) pairs per geometry, the other half on the other one
    # (gen.exploit_syncs); full form: all six on both.
    R, C, L, M, N, K = geom
    core = gj.Core(R, C, L)
    designs = [gj.Design(core, "none")]
    for exploit, sync in gen.exploit_syncs(UNIT_GEOMETRIES.index(geom)):
        offs = gen.random_offsets(rng, L, max_dg=0 if sync == "group" else 1)
        designs.append(gj.Design(core, exploit, gj.Window.from_offsets(offs), sync))
        designs.append(gj.Design(core, exploit, gj.Window.box(2, 1, 0), sync))
    for a, w in _structured_masks(rng, M, K, N):
        fast = gj.gemm_activity_batch(designs, a, w)
        every = gj.gemm_activity_batch(designs, a, w, _distinct=False)
        _assert_same(fast, every)
        for i, d in enumerate(designs):
            ref = gj.reference_gemm(d, a, w)
            assert fast.cycles[i] == ref["cycles"], d
            if d.exploit != "none":
                n = d.window.size + 1
                assert tuple(fast.taken[i, :n]) == tuple(ref["taken"]), d
                assert fast.busy_group_cycles[i] == ref["busy_group_cycles"], d
                assert tuple(fast.tree_group_cycles[i, :n]) == tuple(ref["tree_group_cycles"])
                assert fast.group_cycles[i] == ref["group_cycles"], d
                assert fast.row_cycles[i] == ref["row_cycles"], d
                assert fast.col_cycles[i] == ref["col_cycles"], d


def test_distinct_units_follow_distinct_operand_tiles(rng):
    core = gj.Core(2, 2, 4)
    a, w = rng.random((40, 12)) < 0.5, rng.random((12, 6)) < 0.5  # 20 pixel x 3 channel tiles
    a_dense = np.ones_like(a)

    def units(exploit, a_mask):
        return _gemm._evaluate_group(
            [gj.Design(core, exploit, gj.Window.box(1, 1))], a_mask, w, None
        )["units"]

    assert units("W", a) == 3  # one W schedule per channel tile, whatever the pixel tiles
    assert units("A", a) == 20  # one A schedule per (random, distinct) pixel tile
    assert units("A", a_dense) == 1  # every pixel tile identical
    assert units("AW", a) == 60
    assert units("AW", a_dense) == 3  # dense activations: one AW schedule per channel tile
    a_blank = a.copy()
    a_blank[:10] = False  # 5 blank pixel tiles: their 15 AW tiles have no work at all
    assert units("AW", a_blank) == 15 * 3 + 1


def test_large_classes_are_split_exactly(rng, monkeypatch):
    # A class of many identical tiles is split so int32 per-chunk sums stay safe; a tiny
    # limit forces the split and the totals must not move.
    core = gj.Core(2, 2, 4)
    a, w = np.ones((30, 13), bool), rng.random((13, 5)) < 0.5
    designs = [gj.Design(core, e, gj.Window.box(2, 1)) for e in ("A", "W", "AW")]
    whole = gj.gemm_activity_batch(designs, a, w)
    monkeypatch.setattr(_program, "MAX_CHUNK_TILES", 4)
    split = gj.gemm_activity_batch(designs, a, w)
    _assert_same(whole, split)
    units = _gemm._evaluate_group(designs[:1], a, w, None)["units"]
    assert units > 1  # 15 identical pixel tiles no longer fit one unit


def test_item_positions_list_each_groups_items_in_order(rng):
    # The host side of the single-lane lookahead kernel: every group's items, in step order,
    # then zeros; counts from the operands alone agree with the items themselves.
    from griffin_jax.sim._units import _item_counts, _item_positions, _tile_operands, _unit_items

    items = rng.random((3, 4, 9)) < 0.4
    items[0, 1] = False
    items[1, 2] = True
    pos, n_items = _item_positions(items, 16)
    assert pos.dtype == np.int16 and pos.shape == (3, 16, 4)
    for u in range(3):
        for q in range(4):
            steps = np.flatnonzero(items[u, q])
            assert n_items[u, q] == len(steps)
            assert pos[u, : len(steps), q].tolist() == steps.tolist()
            assert not pos[u, len(steps) :, q].any()
    a, w = rng.random((6, 11)) < 0.5, rng.random((11, 4)) < 0.5
    a_rows = _tile_operands(a, 3, 2, 16, 1)  # 3 pixel tiles of 2 rows, one lane
    w_rows = _tile_operands(w.T, 2, 2, 16, 1)
    a_tile, w_tile = np.array([0, 1, 2, 2]), np.array([0, 0, 1, 0])
    for exploit in ("A", "W", "AW"):
        got = _unit_items(exploit, a_rows, w_rows, a_tile, w_tile, 11)
        counts = _item_counts(exploit, a_rows, w_rows, a_tile, w_tile, 11)
        assert np.array_equal(counts, got.sum(2))
    aw = _unit_items("AW", a_rows, w_rows, a_tile, w_tile, 11)
    # AW group r * C + c of unit (pixel tile i, channel tile j): a[2 i + c] & w[:, 2 j + r].
    assert np.array_equal(aw[3, 1 * 2 + 0], a[4] & w[:, 1])


@pytest.mark.parametrize("lanes", [1, 3, 4, 5, 16, 32, 33, 64])
def test_tile_operands_match_a_direct_layout(lanes, rng):
    """Both packing orders (bools reordered first for few lanes, words for many) give tile t,
    step s, row r = the packed lanes of mask row ``t * per_tile + r`` at step s, zero padded."""
    from griffin_jax.sim._bits import pack_lanes_np
    from griffin_jax.sim._units import _tile_operands

    n, K, n_tiles, per_tile, steps_b = 5, 3 * lanes + 1, 3, 2, 6
    rows = rng.random((n, K)) < 0.5
    got = _tile_operands(rows, n_tiles, per_tile, steps_b, lanes)
    nw = -(-lanes // 32)
    assert got.shape == (n_tiles, steps_b, per_tile, nw) and got.dtype == np.uint32
    full = np.zeros((n_tiles * per_tile, steps_b * lanes), bool)
    full[:n, :K] = rows
    for t in range(n_tiles):
        for s in range(steps_b):
            for r in range(per_tile):
                lanes_bits = full[t * per_tile + r, s * lanes : (s + 1) * lanes]
                assert (got[t, s, r] == pack_lanes_np(lanes_bits, lanes)).all(), (t, s, r)


def test_distinct_rows_by_digest_gives_the_same_classes(rng, monkeypatch):
    """The digest path (large operands) partitions rows exactly as the sorting path, ids dense
    from 0, including rows that differ in one bit and all-zero rows; a forced digest collision
    (every row hashed alike) still keeps different rows apart."""
    from griffin_jax.sim import _units

    base = (rng.random((6, 40)) < 0.5).astype(np.uint32)
    rows = base[rng.integers(0, 6, 50)]
    rows[7, 3] ^= 1  # one bit off a copy
    rows[9] = 0
    sorted_ids = _units._distinct_rows(rows)
    digest_ids = _units._distinct_rows_by_digest(np.ascontiguousarray(rows))

    def partition(ids):
        return sorted(tuple(np.flatnonzero(ids == c)) for c in np.unique(ids))

    assert partition(digest_ids) == partition(sorted_ids)
    assert sorted(set(digest_ids.tolist())) == list(range(len(set(sorted_ids.tolist()))))

    class Same:  # every row gets one digest: equality alone must separate them
        def __init__(self, *_, **__):
            pass

        def digest(self):
            return b"same"

    monkeypatch.setattr(_units.hashlib, "blake2b", Same)
    collided = _units._distinct_rows_by_digest(np.ascontiguousarray(rows))
    assert partition(collided) == partition(sorted_ids)


@pytest.mark.parametrize(
    "U, T, R, C, da, dw",
    [
        (3, 9, 2, 4, 0.4, 0.6),
        (4, 17, 4, 3, 0.7, 0.2),
        (1, 1, 1, 1, 1.0, 1.0),
        (2, 5, 3, 2, 0.0, 0.5),
    ]
    + [(5, 33, 8, 8, 0.5, 0.5), (2, 6, 2, 2, 1.0, 0.0), (3, 40, 1, 5, 0.3, 0.9)],
)
def test_pair_positions_equal_the_items_form(U, T, R, C, da, dw, rng):
    """The AW positions built from the two operands (either side iterated, empty and full
    masks, one group) equal ``_item_positions`` of the formed items, zeros past each group's
    items included."""
    from griffin_jax.sim._units import _item_positions, _pair_positions

    a = rng.random((U, T, C)) < da
    w = rng.random((U, T, R)) < dw
    items = (np.swapaxes(w, 1, 2)[:, :, None, :] & np.swapaxes(a, 1, 2)[:, None, :, :]).reshape(
        U, R * C, T
    )
    rows = max(1, int(items.sum(2).max()))
    want_pos, want_n = _item_positions(items, rows)
    pos, n_items = _pair_positions(a, w, rows)
    assert pos.dtype == want_pos.dtype and np.array_equal(pos, want_pos)
    assert np.array_equal(n_items, want_n)


def test_lookahead_schedules_equal_whichever_way_positions_are_built(rng, monkeypatch):
    """A one-lane AW lookahead design on sparse operands: every counter is the same whether
    the item positions come from the operands or from the formed items."""
    from griffin_jax.sim import _units

    core = gj.Core(4, 3, 1)
    design = gj.Design(core, "AW", gj.Window.box(time=3), "group")
    a, w = rng.random((10, 37)) < 0.15, rng.random((37, 9)) < 0.1
    runs, paired = [], []
    real = _units._pair_positions
    monkeypatch.setattr(_units, "_pair_positions", lambda *x: paired.append(1) or real(*x))
    for threshold in (0.0, 1.0):  # never / always from the operands
        monkeypatch.setattr(_units, "PAIR_DENSITY", threshold)
        runs.append(gj.gemm_activity_batch([design], a, w))
        assert bool(paired) == (threshold == 1.0)
    for field in ("cycles", "taken", "busy_group_cycles", "tree_group_cycles", "work"):
        assert np.array_equal(getattr(runs[0], field), getattr(runs[1], field)), field


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize(
    "case", ["dense_a", "dense_w", "both_dense", "edge_a", "edge_w", "mixed", "empty_a", "empty_w"]
)
def test_aw_positions_equal_the_items_form(case, sparse, rng, monkeypatch):
    """Every route of ``_aw_positions`` (a side the same at every step, with all-zero edge
    columns or rows; both; neither, from the operands or from the items) gives the positions
    and counts of ``_item_positions`` on the formed items."""
    from griffin_jax.sim import _units
    from griffin_jax.sim._units import _aw_positions, _item_positions

    monkeypatch.setattr(_units, "PAIR_DENSITY", 1.0 if sparse else 0.0)  # route of a mixed case
    U, T, R, C = 3, 13, 4, 5
    a = rng.random((U, T, C)) < 0.4
    w = rng.random((U, T, R)) < 0.3
    if case in ("dense_a", "both_dense", "edge_a"):
        a[:] = True
    if case in ("dense_w", "both_dense", "edge_w"):
        w[:] = True
    if case == "edge_a":
        a[1, :, 3:] = False  # a layer's last pixel tile: columns past M are zero
    if case == "edge_w":
        w[2, :, 1:] = False
    if case == "empty_a":  # a unit without activations: its (full) weights' items must not count
        a[:] = True
        a[0] = False
        w[0] = True
    if case == "empty_w":
        w[:] = True
        w[1] = False
        a[1] = True
    items = (np.swapaxes(w, 1, 2)[:, :, None, :] & np.swapaxes(a, 1, 2)[:, None, :, :]).reshape(
        U, R * C, T
    )
    rows = max(1, int(items.sum(2).max()))  # as the kernel's bucket: the AW items' most
    want_pos, want_n = _item_positions(items, rows)
    pos, n_items = _aw_positions(a, w, rows)
    assert pos.dtype == want_pos.dtype and np.array_equal(pos, want_pos)
    assert np.array_equal(n_items, want_n)
