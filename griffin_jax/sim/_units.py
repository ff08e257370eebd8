"""Operand packing and the distinct-tile units of a GEMM (docs/model.md 2 and 3.5).

Only distinct tiles are scheduled: a tile's schedule depends only on its pending array
(docs/model.md 3.5), so the output tiles are grouped into *units* by their packed operand words
(``_units``: pixel tiles for ``A``, channel tiles for ``W``, the pair for ``AW``), each unit is
scheduled once and its cycles and counters are multiplied by the number of tiles it stands for.
``row_cycles`` / ``col_cycles`` use the unit's summed real rows / columns, so padded edge tiles
stay exact. Also here: the schedule-independent counts (``_work``) and the map of the kernel's
per-``dg`` tree counts to the per-offset layout of ``Activity`` (``_trees_per_offset``).
"""

from __future__ import annotations

import dataclasses
import hashlib

import numpy as np

from griffin_jax.design._core import Design, Window
from griffin_jax.sim import _bits


def _steps(K: int, L: int) -> int:
    return -(-K // L)


def _padded_rows(mask_rows: np.ndarray, n_rows: int, steps_b: int, L: int) -> np.ndarray:
    """bool ``[n, K]`` -> bool ``[n_rows, steps_b, L]``, zero padded rows and steps."""
    n, K = mask_rows.shape
    padded = np.zeros((n_rows, steps_b * L), bool)
    padded[:n, :K] = mask_rows
    return padded.reshape(n_rows, steps_b, L)


def _pack_rows(mask_rows: np.ndarray, n_rows: int, steps_b: int, L: int) -> np.ndarray:
    """bool ``[n, K]`` -> uint32 ``[n_rows, steps_b, NW]`` (zero padded rows and steps)."""
    return _bits.pack_lanes_np(_padded_rows(mask_rows, n_rows, steps_b, L), L)


def _tile_operands(mask_rows: np.ndarray, n_tiles: int, per_tile: int, steps_b: int, L: int):
    """bool ``[n, K]`` (one operand row per output row or column) -> uint32
    ``[n_tiles, steps_b, per_tile, NW]``: each tile's packed rows, step-major (the order the
    kernel reads them in, so the device never transposes them)."""
    nw = _bits.n_limbs(L)
    if L > 4 * nw:
        packed = _pack_rows(mask_rows, n_tiles * per_tile, steps_b, L)
        tiles = packed.reshape(n_tiles, per_tile, steps_b, -1)
        return np.ascontiguousarray(np.swapaxes(tiles, 1, 2))
    # Few lanes: a step's bools take no more bytes than its limbs, so reorder them before
    # packing (one-lane cores hold one bit per uint32 word: the copy is 4x cheaper here).
    padded = _padded_rows(mask_rows, n_tiles * per_tile, steps_b, L)
    steps = np.swapaxes(padded.reshape(n_tiles, per_tile, steps_b, L), 1, 2)
    return _bits.pack_lanes_np(np.ascontiguousarray(steps), L)


# Above this many bytes the rows are told apart by digest (``_distinct_rows``): sorting them
# whole, as ``np.unique`` does, copies them all (a 0.5 GB operand on VGG-16's fc6 at one lane).
DIGEST_BYTES = 2**26


def _distinct_rows(x: np.ndarray) -> np.ndarray:
    """Class id ``[n]`` of each ``x[i]`` (exact equality of its bytes), ids dense from 0."""
    flat = np.ascontiguousarray(x.reshape(x.shape[0], -1))
    if flat.nbytes <= DIGEST_BYTES:
        keys = flat.view(np.dtype((np.void, flat.shape[1] * flat.itemsize))).ravel()
        return np.unique(keys, return_inverse=True)[1].reshape(-1)
    return _distinct_rows_by_digest(flat)


def _distinct_rows_by_digest(flat: np.ndarray) -> np.ndarray:
    """``_distinct_rows`` of a contiguous ``[n, m]`` array without copying it: rows grouped by
    a 128-bit digest, and each row compared with its class's first row (so a digest collision
    cannot merge two different rows: the result is exact). Ids in order of first appearance."""
    ids = np.empty(len(flat), np.int64)
    seen: dict = {}  # digest -> [(first row, id), ...]
    n_ids = 0
    for i, row in enumerate(flat):
        reps = seen.setdefault(hashlib.blake2b(row, digest_size=16).digest(), [])
        for first, cid in reps:
            if np.array_equal(flat[first], row):
                ids[i] = cid
                break
        else:
            ids[i] = n_ids
            reps.append((i, n_ids))
            n_ids += 1
    return ids


@dataclasses.dataclass(frozen=True)
class _Units:
    """The distinct schedules of a set of output tiles (every array host int64).

    Unit ``u`` is scheduled once, on tile (``a_tile[u]``, ``w_tile[u]``), and stands for
    ``count[u]`` tiles whose real DPU rows / columns sum to ``rows[u]`` / ``cols[u]``;
    ``of_tile[i]`` is the unit of the i-th selected tile.
    """

    a_tile: np.ndarray
    w_tile: np.ndarray
    count: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    of_tile: np.ndarray


def _units(
    exploit: str, a_rows, w_rows, ids, n_nt: int, real_r, real_c, distinct: bool, max_count: int
) -> _Units:
    """Group the tiles ``ids`` (row-major over (pixel tile, channel tile)) by pending array.

    A tile's schedule depends only on its pending array (docs/model.md 3.5). For ``A`` that is
    its packed activation rows, for ``W`` its weight columns, for ``AW`` the pair: tiles are
    grouped by exact equality of those packed words (so identical pixel tiles, e.g. of a dense
    operand, merge too), and every ``AW`` pair with an all-zero side is one all-zero unit.
    ``distinct=False`` keeps one unit per tile (the reference layout).
    No unit counts more than ``max_count`` tiles (a bigger class is split), so that int32
    per-chunk sums stay safe.
    """
    mt, nt = ids // n_nt, ids % n_nt
    if not distinct:
        key = np.arange(len(ids))
    elif exploit == "A":
        key = _distinct_rows(a_rows)[mt]
    elif exploit == "W":
        key = _distinct_rows(w_rows)[nt]
    else:
        ia, iw = _distinct_rows(a_rows), _distinct_rows(w_rows)
        key = ia[mt].astype(np.int64) * (int(iw.max()) + 1) + iw[nt]
        # An all-zero operand tile makes the pending array all-zero whatever the other one is:
        # every such pair is one unit (e.g. blank image regions, pruned channel tiles).
        a_zero = ~a_rows.reshape(len(a_rows), -1).any(1)
        w_zero = ~w_rows.reshape(len(w_rows), -1).any(1)
        key = np.where(a_zero[mt] | w_zero[nt], -1, key)
    order = np.argsort(key, kind="stable")
    ks = key[order]
    new_class = np.r_[True, ks[1:] != ks[:-1]]
    first = np.flatnonzero(new_class)
    rank = np.arange(len(ks)) - np.repeat(first, np.diff(np.r_[first, len(ks)]))
    piece = rank // max_count
    starts = new_class | np.r_[True, piece[1:] != piece[:-1]]
    unit_sorted = np.cumsum(starts) - 1
    of_tile = np.empty(len(ids), np.int64)
    of_tile[order] = unit_sorted
    rep = order[starts]
    n_units = len(rep)

    def total(v):
        return np.bincount(of_tile, weights=v, minlength=n_units).astype(np.int64)

    return _Units(
        mt[rep],
        nt[rep],
        np.bincount(of_tile, minlength=n_units).astype(np.int64),
        total(real_r),
        total(real_c),
        of_tile,
    )


def _unit_items(exploit: str, a_rows, w_rows, a_tile, w_tile, T: int) -> np.ndarray:
    """Pending items of units with one-lane groups: bool ``[U, Q, T]`` (group-major, so each
    group's steps are contiguous; AW groups at ``r * C + c``) from the step-major packed
    operands (``_tile_operands`` with one lane: every word is 0 or 1)."""
    a = a_rows[a_tile, :T, :, 0] != 0  # [U, T, C]
    w = w_rows[w_tile, :T, :, 0] != 0  # [U, T, R]
    if exploit == "A":
        return np.swapaxes(a, 1, 2)
    if exploit == "W":
        return np.swapaxes(w, 1, 2)
    return _aw_items(a, w)


def _aw_items(a: np.ndarray, w: np.ndarray) -> np.ndarray:
    """AW items of units, bool ``[U, R * C, T]`` (group ``r * C + c``), from step-major bool
    ``a [U, T, C]`` and ``w [U, T, R]``: steps where both operands of the group are nonzero."""
    U, T, C = a.shape
    items = np.swapaxes(w, 1, 2)[:, :, None, :] & np.swapaxes(a, 1, 2)[:, None, :, :]
    return items.reshape(U, w.shape[2] * C, T)


def _item_counts(exploit: str, a_rows, w_rows, a_tile, w_tile, T: int) -> np.ndarray:
    """Items per group of each unit, int64 ``[U, Q]``, without forming the items (AW: the
    product of each unit's operand rows, summed over steps, as a float32 matmul: exact below
    2**24 steps)."""
    a = (a_rows[a_tile, :T, :, 0] != 0).astype(np.float32)  # [U, T, C]
    w = (w_rows[w_tile, :T, :, 0] != 0).astype(np.float32)  # [U, T, R]
    if exploit == "A":
        return a.sum(1).astype(np.int64)
    if exploit == "W":
        return w.sum(1).astype(np.int64)
    return np.matmul(np.swapaxes(w, 1, 2), a).reshape(len(a), -1).astype(np.int64)


def _most_items(exploit: str, a_rows, w_rows, a_tile, w_tile, T: int, wave: int) -> int:
    """The busiest group's item count over the units, counted ``wave`` units at a time (so the
    host never holds every unit's operand rows at once)."""
    most = 0
    for s in range(0, len(a_tile), wave):
        sl = slice(s, s + wave)
        counts = _item_counts(exploit, a_rows, w_rows, a_tile[sl], w_tile[sl], T)
        most = max(most, int(counts.max(initial=0)))
    return most


def _count_bytes(exploit: str, R: int, C: int, T: int) -> int:
    """Host bytes ``_item_counts`` takes per unit (gathered rows, their float copies, counts)."""
    Q = {"A": C, "W": R}.get(exploit, R * C)
    return T * (R + C) * 10 + Q * 12


def _item_positions(items: np.ndarray, rows: int):
    """Bool ``[U, Q, T]`` -> each group's item steps in order, ``pos [U, rows, Q]`` (int16 when
    T allows, else int32; rows past a group's items are 0) and ``n_items`` int32 ``[U, Q]``."""
    U, Q, T = items.shape
    flat = np.flatnonzero(items)  # ordered by unit, group, step
    group = flat // T
    n_items = items.sum(2, dtype=np.int32).reshape(-1)
    first = np.cumsum(n_items) - n_items
    rank = np.arange(len(flat)) - np.repeat(first, n_items)
    dtype = np.int16 if T < 2**15 else np.int32
    pos = np.zeros((U * Q, rows), dtype)
    pos[group, rank] = flat - group * T
    return np.ascontiguousarray(np.swapaxes(pos.reshape(U, Q, rows), 1, 2)), n_items.reshape(U, Q)


# Below this density of the sparser operand, AW item positions are built from the operands
# (``_pair_positions``) rather than from the formed items (``_item_positions``): the same
# result; on the 2-core CPU (32 x 32 groups) 5.8x faster at 4% (VGG-16's fc6 weights), 3.2x at
# 15%, even near 30%, 1.5x slower at 40%, where scanning every group's steps once is cheaper
# than gathering the other side's rows.
PAIR_DENSITY = 0.2


def _pair_positions(a: np.ndarray, w: np.ndarray, rows: int):
    """``_item_positions`` of AW units straight from their operands, without forming the
    ``[U, Q, T]`` items: bool ``a [U, T, C]``, ``w [U, T, R]`` (step-major) -> ``pos [U, rows,
    R * C]`` and ``n_items [U, R * C]`` (group ``r * C + c``), equal to ``_item_positions`` of
    ``_unit_items``.

    Why: a group's items are the steps where its activation column and its weight row are both
    nonzero, so the sparser side's nonzero steps are found first, one of its columns at a time
    over every unit at once, and only the other side's rows at those steps are searched. That
    touches ``min(density)`` of the ``Q x T`` bools the items form scans: much less work on
    sparse operands (``PAIR_DENSITY``)."""
    U, T, C = a.shape
    R = w.shape[2]
    dtype = np.int16 if T < 2**15 else np.int32
    by_a = a.sum() <= w.sum()
    first, other = (a, w) if by_a else (w, a)
    # group-major while filling (each group's items contiguous), swapped to rank-major at the end
    flat_pos = np.zeros(U * R * C * rows, dtype)
    n_items = np.zeros(U * R * C, np.int32)
    for j in range(first.shape[2]):
        u, t = np.nonzero(first[:, :, j])  # ordered by unit, then step
        if not len(u):
            continue
        hits = np.ascontiguousarray(other[u, t].T)  # [inner, n]
        idx = np.flatnonzero(hits)  # ordered by the other side's group, then (unit, step)
        if not len(idx):
            continue
        g, k = np.divmod(idx, len(u))
        uu = u[k]
        # the (unit, group) of every item; each one's items are contiguous and in step order
        group = uu * (R * C) + (g * C + j if by_a else j * C + g)
        start_at = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        length = np.diff(np.r_[start_at, len(group)])
        rank = np.arange(len(group)) - np.repeat(start_at, length)
        flat_pos[group * rows + rank] = t[k]
        n_items[group[start_at]] = length
    pos = np.swapaxes(flat_pos.reshape(U, R * C, rows), 1, 2)
    return np.ascontiguousarray(pos), n_items.reshape(U, R * C)


def _lookahead_inputs(exploit: str, a_rows, w_rows, a_tile, w_tile, T: int, rows: int, n: int):
    """``(pos [n, rows, Q], n_items [n, Q])`` of the units (``a_tile``, ``w_tile``), zero-padded
    to ``n`` units; formed a few units at a time so the host's index arrays stay small."""
    live = len(a_tile)
    Q = {"A": a_rows.shape[2], "W": w_rows.shape[2]}.get(exploit, a_rows.shape[2] * w_rows.shape[2])
    pos = np.zeros((n, rows, Q), np.int16 if T < 2**15 else np.int32)
    n_items = np.zeros((n, Q), np.int32)
    if exploit == "AW":
        # a wave of units at a time: their operands and index arrays stay small
        wave = max(1, 2**24 // max(1, T * (a_rows.shape[2] + w_rows.shape[2])))
        for s in range(0, live, wave):
            sl = slice(s, min(live, s + wave))
            a = a_rows[a_tile[sl], :T, :, 0] != 0  # [U, T, C]
            w = w_rows[w_tile[sl], :T, :, 0] != 0  # [U, T, R]
            pos[sl], n_items[sl] = _aw_positions(a, w, rows)
        return pos, n_items
    step = max(1, 2**22 // max(1, Q * T))
    for s in range(0, live, step):
        sl = slice(s, min(live, s + step))
        items = _unit_items(exploit, a_rows, w_rows, a_tile[sl], w_tile[sl], T)
        pos[sl], n_items[sl] = _item_positions(items, rows)
    return pos, n_items


def _aw_positions(a: np.ndarray, w: np.ndarray, rows: int):
    """AW item positions of units (bool ``a [U, T, C]``, ``w [U, T, R]``, step-major) ->
    ``(pos [U, rows, R * C], n_items [U, R * C])``, equal to ``_item_positions`` of the items,
    by the cheapest route that is exact for these operands.

    When every activation column is the same at every step (a model category with dense
    activations: each column all ones, or all zeros past a layer's edge), group ``(r, c)``
    holds weight row ``r``'s items when column ``c`` is on and none otherwise: the positions of
    the ``R`` weight rows are found once and copied to the columns that are on (``1 / C`` of the
    work). Likewise for weights the same at every step. Else from the operands when one side is
    below ``PAIR_DENSITY`` (``_pair_positions``), or from the formed items."""
    U, T, C = a.shape
    R = w.shape[2]
    a_on, w_on = a.any(1), w.any(1)  # [U, C], [U, R]
    if (a.all(1) == a_on).all():
        # a unit with no column on has no items at all (``rows`` may not hold its weight rows)
        w = w & a_on.any(1)[:, None, None]
        pos_w, n_w = _item_positions(np.ascontiguousarray(np.swapaxes(w, 1, 2)), rows)
        on = a_on.astype(pos_w.dtype)
        pos = pos_w[:, :, :, None] * on[:, None, None, :]  # [U, rows, R, C]
        return pos.reshape(U, rows, R * C), (n_w[:, :, None] * a_on[:, None, :]).reshape(U, -1)
    if (w.all(1) == w_on).all():
        a = a & w_on.any(1)[:, None, None]
        pos_a, n_a = _item_positions(np.ascontiguousarray(np.swapaxes(a, 1, 2)), rows)
        on = w_on.astype(pos_a.dtype)
        pos = on[:, None, :, None] * pos_a[:, :, None, :]  # [U, rows, R, C]
        return pos.reshape(U, rows, R * C), (w_on[:, :, None] * n_a[:, None, :]).reshape(U, -1)
    if min(a.mean(), w.mean()) < PAIR_DENSITY:
        return _pair_positions(a, w, rows)
    pos = np.zeros((U, rows, R * C), np.int16 if T < 2**15 else np.int32)
    n_items = np.zeros((U, R * C), np.int32)
    step = max(1, 2**22 // max(1, R * C * T))  # the items of a few units at a time
    for s in range(0, U, step):
        sl = slice(s, s + step)
        pos[sl], n_items[sl] = _item_positions(_aw_items(a[sl], w[sl]), rows)
    return pos, n_items


@dataclasses.dataclass(frozen=True)
class _Nonzeros:
    """Nonzeros of the operands per reduction index k (host int64 ``[K]``): ``a_k`` of A's
    column k, ``w_k`` of W's row k. Counted once per GEMM; every design's work follows."""

    a_k: np.ndarray
    w_k: np.ndarray

    @classmethod
    def of(cls, a: np.ndarray, w: np.ndarray) -> _Nonzeros:
        return cls(a.sum(axis=0, dtype=np.int64), w.sum(axis=1, dtype=np.int64))


def _work(design: Design, M: int, K: int, N: int, nonzeros: _Nonzeros | None) -> int:
    """Total pending group-lane slots of ``design`` on an ``[M, K] x [K, N]`` GEMM: schedule
    independent (every pending item runs once). ``nonzeros`` may be None for the dense core."""
    core = design.core
    n_mt, n_nt = -(-M // core.cols), -(-N // core.rows)
    if design.exploit == "A":
        return int(nonzeros.a_k.sum()) * n_nt
    if design.exploit == "W":
        return int(nonzeros.w_k.sum()) * n_mt
    if design.exploit == "AW":
        return int(nonzeros.a_k @ nonzeros.w_k)
    return n_mt * n_nt * core.rows * core.cols * _steps(K, core.lanes) * core.lanes


def _trees_per_offset(window: Window, by_dg: np.ndarray, width: int) -> np.ndarray:
    """Kernel tree counts indexed by ``dg + G - 1`` -> the per-offset layout of ``Activity``
    (entry ``i + 1`` for the first offset of each distinct ``dg != 0``)."""
    G = (len(by_dg) + 1) // 2
    out = np.zeros(width + 1, np.int64)
    seen = set()
    for i, (_, _, dg) in enumerate(window.as_tuples()):
        if dg != 0 and dg not in seen:
            seen.add(dg)
            if abs(dg) < G:
                out[i + 1] = by_dg[dg + G - 1]
    return out
