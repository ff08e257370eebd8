"""The exact borrowing scheduler for ONE tile and ONE design, in JAX (spec section 3.3).

Everything batched (tiles, designs, groups under ``sync="group"``) is ``vmap`` of this kernel.

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
    n_groups: Callable  # groups of x [..., NW] holding any bit


def _lane_ops(shape: TileShape) -> _LaneOps:
    L = shape.lanes
    if shape.fields > 1:
        rep, mask, top = (jnp.asarray(v) for v in _bits.field_masks(L, shape.fields))
        return _LaneOps(
            mask[None],  # [NW = 1]
            lambda x, s: _bits.field_rotate_down(x, s, L, rep, mask),
            lambda x, s: _bits.field_rotate_up(x, s, L, rep, mask),
            lambda x: jnp.sum(_bits.nonzero_fields(x, rep, top)),
        )
    mask = jnp.asarray(_bits.lane_mask(L))
    return _LaneOps(
        mask,
        lambda x, s: _bits.rotate_down(x, s, L, mask),
        lambda x, s: _bits.rotate_up(x, s, L, mask),
        lambda x: jnp.sum(jnp.any(x != 0, axis=-1)),
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


def _padded_rows(shape: TileShape, words):
    """``[n, Q, NW]`` -> ``[n, G + 2 pad, P, NW]`` (P = word blocks), once per tile.

    Groups before blocks: the (G, P) slice an offset reads is then one contiguous run of
    G * P words per row, which XLA's CPU loops vectorise far better."""
    G, P, NW, pad = shape.groups, shape.word_blocks, shape.limbs, shape.pad
    x = jnp.swapaxes(words.reshape(words.shape[0], P, G, NW), 1, 2)
    return jnp.pad(x, ((0, 0), (pad, pad), (0, 0), (0, 0)))


def _borrow_phase(shape, ops: _LaneOps, win: _Offsets, buf, free, taken, activity: bool):
    """Step 2 of a cycle after the own slot: every offset in priority order, all free
    multipliers at once. Returns ``(buf, free, taken, recv)``; ``recv[dg + G - 1]`` holds the
    lanes that took work through that ``dg`` (for the extra adder trees)."""
    G, P, NW = shape.groups, shape.word_blocks, shape.limbs
    zero = jnp.int32(0)

    def one_offset(i, carry):
        buf, free, taken, recv = carry
        at = (win.dt[i], win.start[i], zero, zero)
        src = lax.dynamic_slice(buf, at, (1, G, P, NW))[0]  # src[g] = row[g + dg]
        # ``take`` is derived from the new ``free`` (not computed beside it) so the slice
        # update below depends on the free update: XLA then orders every read of ``buf``
        # before its in-place update instead of copying the whole buffer per offset.
        left = free & ~ops.rot_down(src, win.shift[i])
        take = free ^ left
        src = src & ~ops.rot_up(take, win.shift[i])
        buf = lax.dynamic_update_slice(buf, src[None], at)
        if activity:
            taken = taken.at[i + 1].add(jnp.sum(_bits.popcount(take)))
            # which lanes took through this dg (dg = 0 has no extra tree)
            valid = jnp.broadcast_to(ops.mask, take.shape)
            got = take & jnp.where(win.dg[i] != 0, valid, jnp.zeros_like(valid))
            recv = recv.at[win.tree_of[i]].set(recv[win.tree_of[i]] | got)
        return buf, left, taken, recv

    recv = jnp.zeros((2 * G - 1 if activity else 1, G, P, NW), jnp.uint32)
    return lax.fori_loop(0, win.n_valid, one_offset, (buf, free, taken, recv))


def _advance_phase(shape: TileShape, win: _Offsets, buf, rows_all, t0, n_steps):
    """Step 3: row t0 is done; skip empty steps, but only as far as the window can see.
    Returns the buffer slid to the new pointer and the pointer itself."""
    span = shape.depth_cap + 1
    ahead = jnp.arange(1, span)
    nonempty = lax.reduce(buf[1:], np.uint32(0), lax.bitwise_or, (1, 2, 3)) != 0
    step = jnp.min(jnp.where(nonempty & (ahead <= win.depth), ahead, win.depth + 1))
    fresh = lax.dynamic_slice_in_dim(rows_all, t0 + span, span, 0)
    # Advance by ``step`` rows (1 .. span). Under the tile vmap ``step`` differs per tile, and
    # a per-tile dynamic slice would become a gather; a chain of selects over the few possible
    # steps stays elementwise.
    rows = jnp.concatenate([buf, fresh])
    out = rows[1 : 1 + span]
    for s_ in range(2, span + 1):
        out = jnp.where(step == s_, rows[s_ : s_ + span], out)
    return out, jnp.minimum(t0 + step, n_steps)


def tile_kernel(shape: TileShape, words, n_steps, offsets, valid, activity: bool = True):
    """Schedule one tile under core sync.

    Args:
      words: uint32 ``[Tb, Q, NW]`` pending work (see module doc); rows >= ``n_steps`` are zero
        and ``Tb >= n_steps + 2 * (Dcap + 1)``.
      n_steps: int32 scalar T (the tile's real step count).
      offsets, valid: the design's padded window, int32 ``[W, 3]`` and bool ``[W]`` (valid
        rows first; every dt <= Dcap).
      activity: static; False skips the activity counters (cycles only, faster).
    Returns: ``(cycles, counters)``: cycles int32 and a dict of int32 activity counters (zeros
      when ``activity`` is False):
      ``taken`` ``[W + 1]``: work executed through the own slot, then through each offset;
      ``busy``: sum over cycles of groups that executed at least one product;
      ``trees`` ``[2G - 1]``: at index ``dg + G - 1`` for each ``dg != 0``, the sum over cycles of
      groups that took work through any offset with that ``dg`` (the extra adder tree a
      group-borrowing DPU fires); the ``dg = 0`` entry is zero.

    The state is a sliding buffer ``[Dcap + 1, G + 2 pad, word_blocks, NW]`` of the rows the
    window can see (t0 .. t0 + Dcap), so a cycle touches only that buffer; rows further ahead
    are still untouched in ``words``. Blocks are packed into word fields when they fit
    (``TileShape.fields``). The group axis carries ``pad`` zero groups on each side
    (``TileShape.pad``): borrowing from group ``g + dg`` is then one dynamic slice at
    ``pad + dg`` (unbatched under the design map), and a neighbour outside the core reads as
    "no work" with no wrap-around. One cycle is three phases (docs/model.md 3.3): the own
    slot, ``_borrow_phase`` and ``_advance_phase``.
    """
    G, pad, span = shape.groups, shape.pad, shape.depth_cap + 1
    ops = _lane_ops(shape)
    win = _decode_window(shape, offsets, valid)
    rows_all = _padded_rows(shape, pack_fields(shape, words))
    zero = jnp.int32(0)

    def cycle(state):
        buf, t0, cycles, taken, busy, trees = state
        own = buf[0, pad : pad + G]
        # Every multiplier starts free; the own slot goes first and always succeeds. Row t0
        # keeps its stale bits: no offset reads it (every dt >= 1) and the advance drops it.
        if activity:
            taken = taken.at[0].add(jnp.sum(_bits.popcount(own)))
        buf, free, taken, recv = _borrow_phase(
            shape, ops, win, buf, jnp.broadcast_to(ops.mask, own.shape) & ~own, taken, activity
        )
        if activity:
            busy = busy + ops.n_groups(jnp.broadcast_to(ops.mask, free.shape) & ~free)
            trees = trees + jax.vmap(ops.n_groups)(recv)
        buf, t0 = _advance_phase(shape, win, buf, rows_all, t0, n_steps)
        return buf, t0, cycles + 1, taken, busy, trees

    init = (
        rows_all[:span],
        zero,
        zero,
        jnp.zeros((offsets.shape[0] + 1,), jnp.int32),
        zero,
        jnp.zeros((2 * G - 1,), jnp.int32),
    )
    _, _, cycles, taken, busy, trees = lax.while_loop(lambda s: s[1] < n_steps, cycle, init)
    return cycles, {"taken": taken, "busy": busy, "trees": trees}


def tile_kernel_sync(
    shape: TileShape, sync: str, words, n_steps, offsets, valid, activity: bool = True
):
    """``tile_kernel`` under either sync mode.

    Returns ``(cycles, counters)`` as ``tile_kernel``, with one more counter, ``group_cycles``:
    the sum over groups of the cycles their scheduler runs (``cycles x Q`` under core sync; the
    sum of each group's own cycle count under group sync).
    """
    Q = shape.blocks * shape.groups
    if sync == "core":
        cycles, counters = tile_kernel(shape, words, n_steps, offsets, valid, activity)
        return cycles, {**counters, "group_cycles": cycles * Q}
    # sync="group": every group has its own pointer and, with no dg offsets, its own schedule.
    one = dataclasses.replace(shape, blocks=1, groups=1)
    per_group = jnp.swapaxes(words, 0, 1)[:, :, None, :]  # [Q, Tb, 1, NW]
    cycles, counters = jax.vmap(
        functools.partial(tile_kernel, one, activity=activity), in_axes=(0, None, None, None)
    )(per_group, n_steps, offsets, valid)
    summed = {k: jnp.sum(v, axis=0) for k, v in counters.items()}
    return jnp.max(cycles), {**summed, "group_cycles": jnp.sum(cycles)}


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


def lookahead_kernel(bits, n_steps, depth, width: int, activity: bool = True):
    """Schedule the one-lane groups of ONE tile, each on its own pointer, under a pure time
    lookahead of ``depth`` steps.

    The general kernel spends a cycle per executed item and, per cycle, visits every window
    offset; with one lane and a lookahead ``1..D`` in priority order the schedule has a closed
    step-to-step form, so this kernel walks the steps once with O(1) work per group and step:
    a lone multiplier always takes the earliest pending item it can see, so a group's items run
    in order, one per cycle. After an item runs at pointer ``P``, the next item ``q`` runs in the
    next cycle from its own slot if ``q - P <= D`` (the pointer advances straight to it);
    otherwise the pointer jumps by ``D + 1`` (``m - 1`` idle cycles where
    ``m = (q - P) // (D + 1)``) and ``q`` runs borrowed at ``dt = (q - P) % (D + 1)`` (own slot
    when 0). Before the first item the pointer behaves as if an item had run at ``-(D + 1)``;
    after the last one it keeps jumping by ``D + 1`` until it passes ``n_steps``. The state
    ``q - P = m (D + 1) + r`` is kept as ``(m, r)`` so that no step divides.

    The groups are the vector axis (not a vmap of a one-group kernel) so that the ``taken``
    histogram is reduced over groups every step instead of being carried per group: the
    per-group histogram made the loop memory bound.

    Args:
      bits: bool ``[Tb, Q]``: pending item of group q at step t (rows >= ``n_steps`` False).
      n_steps: int32 scalar T; depth: int32 scalar D >= 1 (the window's deepest dt, <= T).
      width: static; the ``taken`` counter has ``width + 1`` entries.
    Returns: ``(cycles, taken, busy)``: int32 ``[Q]`` cycles per group, ``taken`` int32
      ``[width + 1]`` summed over groups (entry 0: own slot, entry ``dt``: borrowed ``dt``
      steps ahead; zeros without ``activity``), busy: executed items (0 without ``activity``).
    """
    period = depth + 1
    slots = jnp.arange(width + 1)

    def step(k, carry):
        m, r, last, idle, taken = carry
        item = lax.dynamic_index_in_dim(bits, k, 0, keepdims=False)
        dt = jnp.where(m == 0, 0, r)
        idle = idle + jnp.where(item & (m > 0), m - 1, 0)
        if activity:
            hit = (slots[None, :] == dt[:, None]) & item[:, None]
            # A step adds at most Q per slot: a narrow sum (twice the SIMD width) when Q fits.
            narrow = jnp.int16 if bits.shape[1] < 2**15 else jnp.int32
            taken = taken + jnp.sum(hit.astype(narrow), axis=0, dtype=narrow).astype(jnp.int32)
        last = jnp.where(item, k - dt, last)
        r = jnp.where(item, dt, r) + 1
        wrap = r == period
        return jnp.where(item, 0, m) + wrap, jnp.where(wrap, 0, r), last, idle, taken

    Q = bits.shape[1]
    zeros = jnp.zeros((Q,), jnp.int32)
    init = (zeros + 1, zeros, zeros - period, zeros, jnp.zeros((width + 1,), jnp.int32))
    # Only the tile's real steps: rows past n_steps hold no items.
    _, _, last, idle, taken = lax.fori_loop(0, n_steps, step, init)
    items = jnp.sum(bits.astype(jnp.int32), axis=0)
    # Cycles after the last item: pointers last + j (D + 1), j >= 1, below T.
    trailing = (n_steps - last + depth) // period - 1
    busy = jnp.sum(items) if activity else jnp.int32(0)
    return items + idle + trailing, taken, busy


def tile_lookahead(shape: TileShape, words, n_steps, offsets, valid, activity: bool = True):
    """``tile_kernel_sync(shape, "group", ...)`` for a tile of one-lane groups and a pure time
    lookahead window (``is_lookahead``), by ``lookahead_kernel``. Same arguments and counters."""
    depth = jnp.max(jnp.where(valid, offsets[:, 0], 0))
    bits = (words[:, :, 0] & jnp.uint32(1)) != 0  # [Tb, Q]
    cycles, taken, busy = lookahead_kernel(bits, n_steps, depth, offsets.shape[0], activity)
    counters = {
        "taken": taken,
        "busy": busy,
        # Group sync schedules each group as a one-group tile: one (always zero) tree entry.
        "trees": jnp.zeros((1,), jnp.int32),
        "group_cycles": jnp.sum(cycles),
    }
    return jnp.max(cycles), counters
