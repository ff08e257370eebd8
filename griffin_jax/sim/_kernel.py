"""The exact borrowing scheduler for a batch of tiles and ONE design, in JAX (spec section 3.3).

The tiles of a batch are an explicit leading axis (not a ``vmap`` of a one-tile kernel): each
tile keeps its own step pointer, a finished tile simply stops changing (its buffer is empty),
and one ``while_loop`` runs until the slowest tile ends. Designs are batched outside (``lax.map``
or ``vmap``, ``_program``); groups under ``sync="group"`` become one-group tiles of the batch.

Layout of one tile's pending work: uint32 ``words[Tb, Q, NW]`` with ``Q = P * G`` groups (``P``
independent blocks of ``G`` groups sharing the step pointer: the AW core's rows; ``dg`` moves
inside a block and never wraps) and lanes bit-packed into ``NW`` limbs. ``Tb`` is the step bucket
plus ``2 * (Dcap + 1)`` always-empty rows, so every row the window can see exists and no dynamic
slice is ever clamped.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from griffin_jax.sim import _bits


@dataclasses.dataclass(frozen=True)
class TileShape:
    """Static geometry of the kernel: what a recompile is keyed on."""

    blocks: int  # P
    groups: int  # G (dg axis)
    lanes: int  # L
    depth_cap: int  # Dcap: the largest lookahead depth this program serves
    # Zero groups on each side of the buffer's group axis: the largest |dg| this program serves
    # (None: G, every dg). Every cycle's buffer work scales with G + 2 * pad, so windows
    # without group borrowing run on an unpadded buffer.
    group_pad: int | None = None

    @property
    def pad(self) -> int:
        return self.groups if self.group_pad is None else min(self.group_pad, self.groups)

    @property
    def limbs(self) -> int:
        return _bits.n_limbs(self.lanes)

    @property
    def fields(self) -> int:
        """Blocks packed side by side into one limb (1: unpacked).

        Blocks share the step pointer and ``dg`` never crosses them, so ``k`` of them can be
        ``k`` fields of one word when ``k L <= 32``: every word operation then serves ``k``
        groups. ``k`` is the smallest that reaches the fewest words per group row, so little
        padding is scheduled."""
        k_max = min(_bits.WORD // self.lanes, self.blocks)
        if k_max <= 1:
            return 1
        words = -(-self.blocks // k_max)
        return -(-self.blocks // words)

    @property
    def word_blocks(self) -> int:
        """Blocks as the kernel stores them: ``ceil(P / fields)`` rows of packed words."""
        return -(-self.blocks // self.fields)


def pack_fields(shape: TileShape, words):
    """``[Tb, P * G, 1]`` -> ``[Tb, word_blocks * G, 1]``: block ``j k + f`` in field ``f`` of
    word row ``j`` (missing blocks of the last row are zero: no work, never busy)."""
    k, Pw, G, L = shape.fields, shape.word_blocks, shape.groups, shape.lanes
    if k == 1:
        return words
    Tb = words.shape[0]
    x = words.reshape(Tb, shape.blocks, G)
    x = jnp.pad(x, ((0, 0), (0, Pw * k - shape.blocks), (0, 0))).reshape(Tb, Pw, k, G)
    x = lax.shift_left(x, (jnp.arange(k, dtype=jnp.uint32) * L)[None, None, :, None])
    # Fields are disjoint bits, so their sum is their OR.
    return jnp.sum(x, axis=2, dtype=jnp.uint32).reshape(Tb, Pw * G, 1)


class _LaneOps(NamedTuple):
    """Word operations on one step's lanes, packed (several blocks per word) or not."""

    mask: jax.Array  # valid lane bits, [NW] (or [1] of replicated fields)
    rot_down: Callable  # (x, s) -> out lane l = in lane (l + s) % L
    rot_up: Callable  # inverse of rot_down
    n_groups: Callable  # x [..., NW] -> int32 [...]: groups of each word row holding any bit


def _lane_ops(shape: TileShape) -> _LaneOps:
    L = shape.lanes
    if shape.fields > 1:
        rep, mask, top = (jnp.asarray(v) for v in _bits.field_masks(L, shape.fields))
        return _LaneOps(
            mask[None],  # [NW = 1]
            lambda x, s: _bits.field_rotate_down(x, s, L, rep, mask),
            lambda x, s: _bits.field_rotate_up(x, s, L, rep, mask),
            lambda x: _bits.nonzero_fields(x, rep, top)[..., 0],
        )
    mask = jnp.asarray(_bits.lane_mask(L))
    return _LaneOps(
        mask,
        lambda x, s: _bits.rotate_down(x, s, L, mask),
        lambda x, s: _bits.rotate_up(x, s, L, mask),
        lambda x: jnp.any(x != 0, axis=-1).astype(jnp.int32),
    )


class _Offsets(NamedTuple):
    """The design's window decoded for the kernel (padding rows read as ``(0, 0, 0)``)."""

    dt: jax.Array  # [W] rows ahead
    shift: jax.Array  # [W] lane rotation, dl mod L
    start: jax.Array  # [W] first group of the slice an offset reads, pad + dg
    dg: jax.Array  # [W]
    tree_of: jax.Array  # [W] index of the dg's extra adder tree, dg + G - 1
    n_valid: jax.Array  # scalar: valid rows (they come first)
    depth: jax.Array  # scalar: D = max dt


def _decode_window(shape: TileShape, offsets, valid) -> _Offsets:
    G, pad = shape.groups, shape.pad
    dt = jnp.where(valid, offsets[:, 0], 0)
    dg = jnp.where(valid, offsets[:, 2], 0)
    return _Offsets(
        dt=dt,
        shift=jnp.mod(jnp.where(valid, offsets[:, 1], 0), shape.lanes).astype(jnp.uint32),
        # |dg| <= pad for every window of the bucket (its callers choose pad so), and
        # |dg| >= G reads the all-zero padding when pad = G.
        start=pad + jnp.clip(dg, -pad, pad),
        dg=dg,
        # Offsets that share a dg share one extra adder tree: index trees by dg itself.
        tree_of=jnp.clip(dg + G - 1, 0, 2 * G - 2),
        n_valid=jnp.sum(valid.astype(jnp.int32)),
        depth=jnp.max(dt, initial=0),
    )


def _group_rows(shape: TileShape, words):
    """``[n, Q, NW]`` -> ``[n, G, P, NW]`` (P = word blocks), once per tile.

    Groups before blocks: the (G, P) slice an offset reads is then one contiguous run of
    G * P words per row, which XLA's CPU loops vectorise far better."""
    G, P, NW = shape.groups, shape.word_blocks, shape.limbs
    return jnp.swapaxes(words.reshape(words.shape[0], P, G, NW), 1, 2)


def kernel_shape(shape: TileShape, sync: str) -> TileShape:
    """The geometry the batched kernel runs: ``shape`` itself under core sync; under group sync
    every group is a one-group tile of its own (each group has its own pointer)."""
    return shape if sync == "core" else dataclasses.replace(shape, blocks=1, groups=1)


def tile_rows(shape: TileShape, sync: str, words):
    """Pending words ``[B, Tb, Q, NW]`` of B tiles -> the rows the kernel reads,
    ``[B', Tb, G, word_blocks, NW]`` (``B' = B``, or ``B Q`` one-group tiles under group sync),
    once per batch: design independent, so every design of a batch shares them."""
    if sync == "group":
        B, Tb, Q, NW = words.shape
        words = jnp.swapaxes(words, 1, 2).reshape(B * Q, Tb, 1, NW)
    one = kernel_shape(shape, sync)
    return jax.vmap(lambda w: _group_rows(one, pack_fields(one, w)))(words)


def _weighted(x, weight):
    """Sum over a batch of int32 ``x [B, ...]`` times ``weight [B]`` (tiles each stands for)."""
    return jnp.sum(x * weight.reshape((-1,) + (1,) * (x.ndim - 1)))


def _borrow_phase(shape, ops: _LaneOps, win: _Offsets, buf, free, weight, activity: bool):
    """Step 2 of a cycle after the own slot, every tile at once: each offset in priority order,
    all free multipliers at once. Returns ``(buf, free, taken [W], recv)``; ``recv[pad + dg]``
    holds the lanes that took work through that ``dg`` (the extra adder trees; ``None`` when the
    bucket has no group borrowing or ``activity`` is off)."""
    B = buf.shape[0]
    G, P, NW, pad = shape.groups, shape.word_blocks, shape.limbs, shape.pad
    zero = jnp.int32(0)
    # One row of scalars per offset, read with one small slice per iteration (no index
    # normalisation: every index is in range by construction).
    table = jnp.stack(
        [win.dt, win.start, win.shift.astype(jnp.int32), jnp.clip(win.dg, -pad, pad) + pad], axis=1
    )
    trees = activity and pad > 0

    def one_offset(i, carry):
        buf, free, taken, recv = carry
        row = lax.dynamic_slice(table, (i, zero), (1, 4), allow_negative_indices=False)[0]
        shift = row[2].astype(jnp.uint32)
        at = (zero, row[0], row[1], zero, zero)
        src = lax.dynamic_slice(buf, at, (B, 1, G, P, NW), allow_negative_indices=False)[:, 0]
        # ``take`` is derived from the new ``free`` (not computed beside it) so the slice
        # update below depends on the free update: XLA then orders every read of ``buf``
        # before its in-place update instead of copying the whole buffer per offset.
        left = free & ~ops.rot_down(src, shift)
        take = free ^ left
        src = src & ~ops.rot_up(take, shift)
        buf = lax.dynamic_update_slice(buf, src[:, None], at, allow_negative_indices=False)
        if activity:
            taken = taken.at[i].add(_weighted(_bits.popcount(take), weight))
        if trees:
            # Slot pad (dg = 0) has no extra tree; it is filled but never read.
            at_tree = (row[3], zero, zero, zero, zero)
            got = lax.dynamic_slice(recv, at_tree, (1, B, G, P, NW), allow_negative_indices=False)
            recv = lax.dynamic_update_slice(
                recv, got | take[None], at_tree, allow_negative_indices=False
            )
        return buf, left, taken, recv

    taken = jnp.zeros(win.dt.shape, jnp.int32)
    recv = jnp.zeros((2 * pad + 1, B, G, P, NW) if trees else (0,), jnp.uint32)

    # Offsets two at a time, then the odd one: the loop-carried ``free`` then alternates
    # between two buffers instead of being copied every iteration (its old value is still read
    # by the update that follows the new one).
    def two_offsets(k, carry):
        return one_offset(2 * k + 1, one_offset(2 * k, carry))

    carry = lax.fori_loop(0, win.n_valid // 2, two_offsets, (buf, free, taken, recv))
    buf, free, taken, recv = lax.fori_loop(2 * (win.n_valid // 2), win.n_valid, one_offset, carry)
    return buf, free, taken, recv if trees else None


def _advance_phase(shape: TileShape, cap: int, win: _Offsets, rows, buf, t0, n_steps):
    """Step 3 for a design of depth <= ``cap``: row t0 is done; skip empty steps, but only as far
    as the window can see. Returns the buffer at the new pointer and the pointer.

    Only rows ``0 .. cap`` of the buffer are kept current (the design never reads further):
    row ``j`` of the new buffer is the old row ``j + step`` while that is one of them, else the
    untouched row ``t0 + step + j`` of the tile. Work per cycle so scales with the design's own
    depth class, not with the bucket's depth cap."""
    G, pad = shape.groups, shape.pad
    ahead = jnp.arange(1, cap + 1)
    inner = buf[:, 1 : cap + 1, pad : pad + G]
    nonempty = lax.reduce(inner, np.uint32(0), lax.bitwise_or, (2, 3, 4)) != 0  # [B, cap]
    choice = jnp.where(nonempty & (ahead <= win.depth)[None, :], ahead[None, :], win.depth + 1)
    step = jnp.min(choice, axis=1)
    nxt = t0 + step
    # One contiguous run of rows per tile (a row gather); rows past the tile are all zero.
    fetched = jax.vmap(
        lambda r, t: lax.dynamic_slice_in_dim(r, t, cap + 1, 0, allow_negative_indices=False)
    )(rows, nxt)
    new = []
    for j in range(cap + 1):
        row = fetched[:, j]
        for s in range(1, cap - j + 1):
            row = jnp.where((step == s)[:, None, None, None], buf[:, j + s, pad : pad + G], row)
        new.append(row)
    new = jnp.stack(new, axis=1)
    # Into the buffer's real groups: its zero groups each side stay zero (no offset ever sets
    # a bit), so the rows themselves carry none.
    zero = jnp.int32(0)
    at = (zero, zero, jnp.int32(shape.pad), zero, zero)
    return (
        lax.dynamic_update_slice(buf, new, at, allow_negative_indices=False),
        jnp.minimum(nxt, n_steps),
    )


def depth_classes(depth_cap: int) -> tuple:
    """The lookahead depths the advance is specialised for: powers of two below ``depth_cap``,
    then ``depth_cap``."""
    caps, c = [], 1
    while c < depth_cap:
        caps.append(c)
        c *= 2
    return (*caps, depth_cap)


def _schedule(shape, rows, weight, n_steps, offsets, valid, activity: bool, by_depth: bool):
    """Core-sync schedule of every tile of ``rows`` under one design; see ``schedule``.

    With ``by_depth`` the design's depth class (the smallest of ``depth_classes`` at least its
    depth) picks one of several copies of the loop, each advancing only the rows its class can
    see: the choice is a scalar under the design map, so only that copy runs and the loop
    itself holds no conditional (which would copy the buffer every cycle). Under ``vmap`` every
    branch of a switch would run, so designs side by side use the bucket's depth cap."""
    if not by_depth:
        return _schedule_class(
            shape, shape.depth_cap, rows, weight, n_steps, offsets, valid, activity
        )
    classes = depth_classes(shape.depth_cap)
    depth = jnp.max(jnp.where(valid, offsets[:, 0], 0), initial=0)
    which = jnp.sum((jnp.asarray(classes[:-1], jnp.int32) < depth).astype(jnp.int32))
    branches = [
        functools.partial(_schedule_class, shape, cap, activity=activity) for cap in classes
    ]
    return lax.switch(which, branches, rows, weight, n_steps, offsets, valid)


def _schedule_class(shape, cap: int, rows, weight, n_steps, offsets, valid, activity: bool):
    """``_schedule`` for a design of depth <= ``cap``."""
    G, pad, span = shape.groups, shape.pad, shape.depth_cap + 1
    B = rows.shape[0]
    ops = _lane_ops(shape)
    win = _decode_window(shape, offsets, valid)
    mask = jnp.broadcast_to(ops.mask, (B, G, shape.word_blocks, shape.limbs))
    n_trees = 2 * pad + 1

    def cycle(state):
        buf, t0, cycles, taken, busy, trees = state
        own = buf[:, 0, pad : pad + G]
        # Every multiplier starts free; the own slot goes first and always succeeds. Row t0
        # keeps its stale bits: no offset reads it (every dt >= 1) and the advance drops it.
        buf, free, took, recv = _borrow_phase(shape, ops, win, buf, mask & ~own, weight, activity)
        if activity:
            own_taken = _weighted(_bits.popcount(own), weight)
            taken = taken + jnp.concatenate([own_taken[None], took])
            busy = busy + _weighted(ops.n_groups(mask & ~free), weight)
            if recv is not None:
                trees = trees + jnp.stack([_weighted(ops.n_groups(r), weight) for r in recv])
        active = (t0 < n_steps).astype(jnp.int32)
        buf, t0 = _advance_phase(shape, cap, win, rows, buf, t0, n_steps)
        return buf, t0, cycles + active, taken, busy, trees

    zero = jnp.int32(0)
    init = (
        jnp.pad(rows[:, :span], ((0, 0), (0, 0), (pad, pad), (0, 0), (0, 0))),
        jnp.zeros((B,), jnp.int32),
        jnp.zeros((B,), jnp.int32),
        jnp.zeros((offsets.shape[0] + 1,), jnp.int32),
        zero,
        jnp.zeros((n_trees,), jnp.int32),
    )
    _, _, cycles, taken, busy, small = lax.while_loop(
        lambda s: jnp.any(s[1] < n_steps), cycle, init
    )
    # Tree counts by dg + G - 1 ([2G - 1]); |dg| = G (possible only when pad = G) reads the
    # all-zero padding and never takes work.
    trees = jnp.zeros((2 * G - 1,), jnp.int32)
    for k in range(n_trees):
        dg = k - pad
        if dg != 0 and abs(dg) < G:
            trees = trees.at[dg + G - 1].set(small[k])
    return cycles, {"taken": taken, "busy": busy, "trees": trees}


def schedule(
    shape: TileShape,
    sync: str,
    rows,
    weight,
    n_steps,
    offsets,
    valid,
    activity: bool = True,
    by_depth: bool = True,
):
    """Schedule B tiles under one design.

    Args:
      shape: the tiles' geometry (static); sync: "core" or "group" (static).
      rows: the B tiles' pending rows, ``tile_rows(shape, sync, words)`` of their words
        (``[B', Tb, G, word_blocks, NW]``).
      weight: int32 ``[B]``: tiles each one stands for (0: batch padding); counters are summed
        over the batch with these weights.
      n_steps: int32 scalar T (the tiles' real step count); rows >= T are zero and
        ``Tb >= T + 2 * (Dcap + 1)``.
      offsets, valid: the design's padded window, int32 ``[W, 3]`` and bool ``[W]`` (valid
        rows first; every dt <= Dcap).
      activity: static; False skips the activity counters (cycles only, faster).
      by_depth: static; True (for designs one after another) runs the loop specialised to the
        design's depth class; False (designs side by side under ``vmap``) one loop for the
        bucket's depth cap. Same results either way.
    Returns: ``(cycles, counters)``: cycles int32 ``[B]`` per tile and weighted int32 sums
      (zeros without ``activity``): ``taken`` ``[W + 1]`` (own slot, then each offset), ``busy``
      (group-cycles in which a group executed at least one product), ``trees`` ``[2G - 1]`` (at
      ``dg + G - 1`` for each ``dg != 0``: group-cycles in which the extra adder tree of that
      ``dg`` took work; ``[1]`` of zeros under group sync) and ``group_cycles`` (cycles x groups
      under core sync; the sum of each group's own cycles under group sync).

    The state per tile is a sliding buffer ``[Dcap + 1, G + 2 pad, word_blocks, NW]`` of the
    rows the window can see (t0 .. t0 + Dcap). Blocks are packed into word fields when they fit
    (``TileShape.fields``). The group axis carries ``pad`` zero groups on each side: borrowing
    from group ``g + dg`` is one dynamic slice at ``pad + dg`` (unbatched under the design
    map), and a neighbour outside the core reads as "no work". One cycle is three phases
    (docs/model.md 3.3): the own slot, ``_borrow_phase`` and ``_advance_phase``.
    """
    one = kernel_shape(shape, sync)
    if sync == "core":
        cycles, counters = _schedule(one, rows, weight, n_steps, offsets, valid, activity, by_depth)
        Q = shape.blocks * shape.groups
        return cycles, {**counters, "group_cycles": jnp.sum(cycles * weight) * Q}
    # sync="group": every group has its own pointer and, with no dg offsets, its own schedule.
    Q = shape.blocks * shape.groups
    B = weight.shape[0]
    per_group, counters = _schedule(
        one, rows, jnp.repeat(weight, Q), n_steps, offsets, valid, activity, by_depth
    )
    per_group = per_group.reshape(B, Q)
    group_cycles = jnp.sum(jnp.sum(per_group, axis=1) * weight)
    return jnp.max(per_group, axis=1), {**counters, "group_cycles": group_cycles}


def tile_kernel_sync(
    shape: TileShape, sync: str, words, n_steps, offsets, valid, activity: bool = True
):
    """One tile (uint32 ``words[Tb, Q, NW]``) under either sync mode: ``schedule`` on a batch of
    one. Returns ``(cycles, counters)``: int32 cycles and the counters of ``schedule``."""
    rows = tile_rows(shape, sync, words[None])
    cycles, counters = schedule(
        shape, sync, rows, jnp.ones((1,), jnp.int32), n_steps, offsets, valid, activity
    )
    return cycles[0], counters


# -- the single-lane lookahead case ----------------------------------------------------------
def is_lookahead(lanes: int, sync: str, offsets) -> bool:
    """True for the designs ``lookahead_kernel`` schedules exactly: one lane per group, each
    group on its own pointer (``sync="group"``), and the window a pure time lookahead
    ``(1, 0, 0), (2, 0, 0), ..., (D, 0, 0)`` in that priority order (``Window.box(time=D)``,
    SparTen's per-unit join)."""
    offsets = tuple(tuple(int(x) for x in o) for o in offsets)
    return (
        lanes == 1
        and sync == "group"
        and len(offsets) > 0
        and offsets == tuple((d, 0, 0) for d in range(1, len(offsets) + 1))
    )


def _divmod(d, period, inv):
    """``(d // period, d % period)`` of int32 ``d >= 0`` (``period`` >= 1, ``inv`` = 1/period in
    float32), exactly: the float quotient is off by at most one below 2**23, and the remainder
    corrects it (x86 has no vector integer division)."""
    m = jnp.floor(d.astype(jnp.float32) * inv).astype(jnp.int32)
    r = d - m * period
    low, high = r < 0, r >= period
    m = m - low.astype(jnp.int32) + high.astype(jnp.int32)
    return m, jnp.where(low, r + period, jnp.where(high, r - period, r))


def lookahead_kernel(pos, n_items, weight, n_steps, depth, width: int, activity: bool = True):
    """Schedule one-lane groups, each on its own pointer, under a pure time lookahead of
    ``depth`` steps, by walking their items only.

    The general kernel spends a cycle per executed item and, per cycle, visits every window
    offset; with one lane and a lookahead ``1..D`` in priority order the schedule has a closed
    item-to-item form (docs/model.md 3.5): a lone multiplier always takes the earliest pending
    item it can see, so a group's items run in order, one per cycle. After an item runs at
    pointer ``P``, the next item ``q`` runs in the next cycle from its own slot if
    ``q - P <= D`` (the pointer advances straight to it); otherwise the pointer jumps by
    ``D + 1`` (``m - 1`` idle cycles where ``m = (q - P) // (D + 1)``) and ``q`` runs borrowed
    at ``dt = (q - P) % (D + 1)`` (own slot when 0), from pointer ``q - dt``. Before the first
    item the pointer behaves as if an item had run at ``-(D + 1)``; after the last one it keeps
    jumping by ``D + 1`` until it passes ``n_steps``. So the walk visits each group's items (its
    pending row compacted to its nonzero positions) with O(1) work per item, never its empty
    steps.

    Args:
      pos: int ``[B, J, Q]``: item positions (steps) of group q of tile b in increasing order in
        rows ``0 .. n_items[b, q] - 1`` (later rows are ignored).
      n_items: int32 ``[B, Q]``; weight: int32 ``[B]``: tiles each tile stands for.
      n_steps: int32 scalar T; depth: int32 scalar D >= 1 (the window's deepest dt, <= T).
      width: static; the ``taken`` counter has ``width + 1`` entries.
    Returns: ``(cycles, taken, busy)``: int32 ``[B, Q]`` cycles per group, ``taken`` int32
      ``[width + 1]`` (entry 0: own slot, entry ``dt``: borrowed ``dt`` steps ahead) and busy
      (executed items), both summed over groups and tiles with the tiles' weights (zeros
      without ``activity``).
    """
    period = depth + 1
    inv = 1.0 / period.astype(jnp.float32)
    slots = jnp.arange(width + 1, dtype=jnp.int32)[:, None, None]
    lane_weight = jnp.broadcast_to(weight[:, None], n_items.shape)

    def item(j, carry):
        last, idle, taken = carry
        q = lax.dynamic_index_in_dim(pos, j, 1, keepdims=False).astype(jnp.int32)
        here = j < n_items
        m, r = _divmod(q - last, period, inv)
        borrowed = m > 0
        dt = jnp.where(borrowed, r, 0)
        idle = idle + jnp.where(here & borrowed, m - 1, 0)
        if activity:
            hit = (slots == dt[None]) & here[None]
            taken = taken + jnp.sum(jnp.where(hit, lane_weight[None], 0), axis=(1, 2))
        return jnp.where(here, q - dt, last), idle, taken

    zeros = jnp.zeros(n_items.shape, jnp.int32)
    init = (zeros - period, zeros, jnp.zeros((width + 1,), jnp.int32))
    # Only as many rows as the busiest group has items.
    last, idle, taken = lax.fori_loop(0, jnp.max(n_items, initial=0), item, init)
    # Cycles after the last item: pointers last + j (D + 1), j >= 1, below T.
    trailing = _divmod(n_steps - last + depth, period, inv)[0] - 1
    busy = jnp.sum(n_items * lane_weight) if activity else jnp.int32(0)
    return n_items + idle + trailing, taken, busy


def schedule_lookahead(pos, n_items, weight, n_steps, offsets, valid, activity: bool = True):
    """``schedule(shape, "group", ...)`` for B tiles of one-lane groups under a pure time
    lookahead window (``is_lookahead``), from their groups' item positions (``pos [B, J, Q]``,
    ``n_items [B, Q]``; see ``lookahead_kernel``). Same counters as ``schedule``."""
    depth = jnp.max(jnp.where(valid, offsets[:, 0], 0))
    cycles, taken, busy = lookahead_kernel(
        pos, n_items, weight, n_steps, depth, offsets.shape[0], activity
    )
    counters = {
        "taken": taken,
        "busy": busy,
        # Group sync schedules each group as a one-group tile: one (always zero) tree entry.
        "trees": jnp.zeros((1,), jnp.int32),
        "group_cycles": jnp.sum(jnp.sum(cycles, axis=1) * weight),
    }
    return jnp.max(cycles, axis=1), counters


def item_positions(bits):
    """Bool ``[Tb, Q]`` pending items of one tile -> ``(pos [1, Tb, Q], n_items [1, Q])`` for
    ``schedule_lookahead`` (items first, in order; a sort, for one tile at a time)."""
    Tb = bits.shape[0]
    key = jnp.where(bits, jnp.arange(Tb, dtype=jnp.int32)[:, None], Tb)
    return jnp.sort(key, axis=0)[None], jnp.sum(bits.astype(jnp.int32), axis=0)[None]


def tile_lookahead(shape: TileShape, words, n_steps, offsets, valid, activity: bool = True):
    """``tile_kernel_sync(shape, "group", ...)`` for a tile of one-lane groups and a pure time
    lookahead window (``is_lookahead``), by ``lookahead_kernel``. Same arguments and counters."""
    pos, n_items = item_positions((words[:, :, 0] & jnp.uint32(1)) != 0)
    cycles, counters = schedule_lookahead(
        pos, n_items, jnp.ones((1,), jnp.int32), n_steps, offsets, valid, activity
    )
    return cycles[0], counters
