"""The exact borrowing scheduler for ONE tile and ONE design, in JAX (spec section 3.3).

Everything batched (tiles, designs, groups under ``sync="group"``) is ``vmap`` of this kernel.

Layout of one tile's pending work: uint32 ``words[Tb, Q, NW]`` with ``Q = P * G`` groups (``P``
independent blocks of ``G`` groups sharing the step pointer: the AW core's rows; ``dg`` moves
inside a block and never wraps) and lanes bit-packed into ``NW`` limbs. ``Tb`` is the step bucket
plus ``Dcap + 1`` always-empty rows, so every row the window can see exists and no dynamic slice
is ever clamped.
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


def window_tables(shape: TileShape, offsets, valid):
    """Per-offset gather tables for one design.

    Args:
      offsets: int32 ``[W, 3]`` (dt, dl, dg); valid: bool ``[W]``.
    Returns:
      dt ``[W]``, lane shift ``[W]`` (dl mod L), src ``[W, Q]`` (group whose work multiplier-group q
      borrows, ``Q`` = none), back ``[W, Q]`` (the group that borrowed from q), depth (scalar).
    """
    P, G, L = shape.blocks, shape.groups, shape.lanes
    Q = P * G
    dt = jnp.where(valid, offsets[:, 0], 0)
    dl = jnp.where(valid, offsets[:, 1], 0)
    dg = jnp.where(valid, offsets[:, 2], 0)
    q = jnp.arange(Q)
    g = q % G

    def table(sign):
        tgt_g = g[None, :] + sign * dg[:, None]
        ok = valid[:, None] & (tgt_g >= 0) & (tgt_g < G)
        return jnp.where(ok, q[None, :] + sign * dg[:, None], Q)

    shift = jnp.mod(dl, L).astype(jnp.uint32)
    depth = jnp.max(jnp.where(valid, dt, 0), initial=0)
    return dt, shift, table(+1), table(-1), depth


def tile_kernel(shape: TileShape, words, n_steps, offsets, valid):
    """Schedule one tile under core sync.

    Args:
      words: uint32 ``[Tb, Q, NW]`` pending work (see module doc); rows >= ``n_steps`` are zero.
      n_steps: int32 scalar T (the tile's real step count).
      offsets, valid: the design's padded window (``Window`` leaves).
    Returns:
      cycles (int32), taken int32 ``[W + 1]`` (own slot, then each offset), busy_group_cycles
      (int32).
    """
    L, Dcap = shape.lanes, shape.depth_cap
    Q = shape.blocks * shape.groups
    W = offsets.shape[0]
    mask = jnp.asarray(_bits.lane_mask(L))
    dt, shift, src, back, depth = window_tables(shape, offsets, valid)
    zero_row = jnp.zeros((1, shape.limbs), jnp.uint32)
    ahead = jnp.arange(1, Dcap + 1)

    def borrow(i, carry):
        words, free, taken, t0 = carry
        t = t0 + dt[i]
        row = words[t]
        cand = jnp.concatenate([row, zero_row])[src[i]]
        take = free & _bits.rotate_down(cand, shift[i], L, mask)
        free = free & ~take
        moved = jnp.concatenate([_bits.rotate_up(take, shift[i], L, mask), zero_row])[back[i]]
        words = words.at[t].set(row & ~moved)
        taken = taken.at[i + 1].add(jnp.sum(_bits.popcount(take)))
        return words, free, taken, t0

    def cycle(state):
        words, t0, cycles, taken, busy = state
        own = words[t0]
        # Every multiplier starts free; the own slot goes first and always succeeds.
        free = mask & ~own
        taken = taken.at[0].add(jnp.sum(_bits.popcount(own)))
        words = words.at[t0].set(jnp.zeros_like(own))
        words, free, taken, _ = lax.fori_loop(0, W, borrow, (words, free, taken, t0))
        busy = busy + jnp.sum(jnp.any((mask & ~free) != 0, axis=-1))
        # Row t0 is empty now; skip empty steps, but only as far as the window can see.
        nonempty = jnp.any(lax.dynamic_slice_in_dim(words, t0 + 1, Dcap, 0) != 0, axis=(1, 2))
        step = jnp.min(jnp.where(nonempty & (ahead <= depth), ahead, depth + 1))
        return words, jnp.minimum(t0 + step, n_steps), cycles + 1, taken, busy

    init = (words, jnp.int32(0), jnp.int32(0), jnp.zeros((W + 1,), jnp.int32), jnp.int32(0))
    _, _, cycles, taken, busy = lax.while_loop(lambda s: s[1] < n_steps, cycle, init)
    return cycles, taken, busy


def tile_kernel_sync(shape: TileShape, sync: str, words, n_steps, offsets, valid):
    """``tile_kernel`` under either sync mode (same returns)."""
    if sync == "core":
        return tile_kernel(shape, words, n_steps, offsets, valid)
    # sync="group": every group has its own pointer and, with no dg offsets, its own schedule.
    one = dataclasses.replace(shape, blocks=1, groups=1)
    per_group = jnp.swapaxes(words, 0, 1)[:, :, None, :]  # [Q, Tb, 1, NW]
    cycles, taken, busy = jax.vmap(
        functools.partial(tile_kernel, one), in_axes=(0, None, None, None)
    )(per_group, n_steps, offsets, valid)
    return jnp.max(cycles), jnp.sum(taken, axis=0), jnp.sum(busy)
