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

import jax
import jax.numpy as jnp
from jax import lax

from griffin_jax.sim import _bits


@dataclasses.dataclass(frozen=True)
class TileShape:
    """Static geometry of the kernel: what a recompile is keyed on."""

    blocks: int  # P
    groups: int  # G (dg axis)
    lanes: int  # L
    depth_cap: int  # Dcap: the largest lookahead depth this program serves

    @property
    def limbs(self) -> int:
        return _bits.n_limbs(self.lanes)


def tile_kernel(shape: TileShape, words, n_steps, offsets, valid, activity: bool = True):
    """Schedule one tile under core sync.

    Args:
      words: uint32 ``[Tb, Q, NW]`` pending work (see module doc); rows >= ``n_steps`` are zero
        and ``Tb >= n_steps + 2 * (Dcap + 1)``.
      n_steps: int32 scalar T (the tile's real step count).
      offsets, valid: the design's padded window (``Window`` leaves; valid rows come first).
      activity: static; False skips the activity counters (cycles only, faster).
    Returns: ``(cycles, counters)``: cycles int32 and a dict of int32 activity counters (zeros
      when ``activity`` is False):
      ``taken`` ``[W + 1]``: work executed through the own slot, then through each offset;
      ``busy``: sum over cycles of groups that executed at least one product;
      ``trees`` ``[2G - 1]``: at index ``dg + G - 1`` for each ``dg != 0``, the sum over cycles of
      groups that took work through any offset with that ``dg`` (the extra adder tree a
      group-borrowing DPU fires); the ``dg = 0`` entry is zero.

    The state is a sliding buffer of the ``Dcap + 1`` rows the window can see (t0 .. t0 + Dcap),
    so a cycle touches only that buffer; rows further ahead are still untouched in ``words``.
    The buffer's group axis carries ``G`` zero groups on each side: borrowing from group
    ``g + dg`` is then one dynamic slice at ``G + dg`` (unbatched under the design map), and a
    neighbour outside the core reads as "no work" with no wrap-around.
    """
    P, G, L, Dcap = shape.blocks, shape.groups, shape.lanes, shape.depth_cap
    NW = shape.limbs
    W = offsets.shape[0]
    span = Dcap + 1
    mask = jnp.asarray(_bits.lane_mask(L))
    dt = jnp.where(valid, offsets[:, 0], 0)
    shift = jnp.mod(jnp.where(valid, offsets[:, 1], 0), L).astype(jnp.uint32)
    start = G + jnp.clip(jnp.where(valid, offsets[:, 2], 0), -G, G)
    n_valid = jnp.sum(valid.astype(jnp.int32))
    dgv = jnp.where(valid, offsets[:, 2], 0)
    # Offsets that share a dg share one extra adder tree: index trees by dg itself.
    tree_of = jnp.clip(dgv + G - 1, 0, 2 * G - 2)
    depth = jnp.max(dt, initial=0)
    ahead = jnp.arange(1, span)
    zero = jnp.int32(0)

    def padded(rows):  # [n, Q, NW] -> [n, P, 3G, NW]
        x = rows.reshape(rows.shape[0], P, G, NW)
        return jnp.pad(x, ((0, 0), (0, 0), (G, G), (0, 0)))

    def count(x):
        return jnp.sum(_bits.popcount(x)) if activity else zero

    def borrow(i, carry):
        buf, free, taken, recv = carry
        at = (dt[i], zero, start[i], zero)
        src = lax.dynamic_slice(buf, at, (1, P, G, NW))[0]  # src[g] = row[g + dg]
        take = free & _bits.rotate_down(src, shift[i], L, mask)
        src = src & ~_bits.rotate_up(take, shift[i], L, mask)
        buf = lax.dynamic_update_slice(buf, src[None], at)
        if activity:
            taken = taken.at[i + 1].add(count(take))
            got = jnp.any(take != 0, axis=-1) & (dgv[i] != 0)
            recv = recv.at[tree_of[i]].set(recv[tree_of[i]] | got)
        return buf, free & ~take, taken, recv

    def cycle(state):
        buf, t0, cycles, taken, busy, trees = state
        own = buf[0, :, G : 2 * G]
        # Every multiplier starts free; the own slot goes first and always succeeds.
        if activity:
            taken = taken.at[0].add(count(own))
        buf = buf.at[0].set(jnp.zeros_like(buf[0]))
        recv = jnp.zeros((2 * G - 1 if activity else 1, P, G), bool)
        buf, free, taken, recv = lax.fori_loop(0, n_valid, borrow,
                                               (buf, mask & ~own, taken, recv))
        if activity:
            busy = busy + jnp.sum(jnp.any((mask & ~free) != 0, axis=-1))
            trees = trees + jnp.sum(recv, axis=(1, 2), dtype=jnp.int32)
        # Row t0 is empty now; skip empty steps, but only as far as the window can see.
        nonempty = jnp.any(buf[1:] != 0, axis=(1, 2, 3))
        step = jnp.min(jnp.where(nonempty & (ahead <= depth), ahead, depth + 1))
        fresh = padded(lax.dynamic_slice_in_dim(words, t0 + span, span, 0))
        buf = lax.dynamic_slice_in_dim(jnp.concatenate([buf, fresh]), step, span, 0)
        return buf, jnp.minimum(t0 + step, n_steps), cycles + 1, taken, busy, trees

    init = (padded(words[:span]), zero, zero, jnp.zeros((W + 1,), jnp.int32), zero,
            jnp.zeros((2 * G - 1,), jnp.int32))
    _, _, cycles, taken, busy, trees = lax.while_loop(lambda s: s[1] < n_steps, cycle, init)
    return cycles, {"taken": taken, "busy": busy, "trees": trees}


def tile_kernel_sync(shape: TileShape, sync: str, words, n_steps, offsets, valid,
                     activity: bool = True):
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
