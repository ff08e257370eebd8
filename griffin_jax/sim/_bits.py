"""Lane bit-packing: one DPU's ``L`` lanes of one step live in ``NW = ceil(L/32)`` uint32 limbs.

Packing turns the scheduler's inner loops over lanes into a handful of word operations (and,
andnot, rotate, popcount), which is what makes the exact model fast on CPU and GPU alike. Lane
``l`` is bit ``l % 32`` of limb ``l // 32``; bits at and above ``L`` are always zero.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax import lax

WORD = 32


def n_limbs(lanes: int) -> int:
    return -(-lanes // WORD)


def pack_lanes_np(bits: np.ndarray, lanes: int) -> np.ndarray:
    """Host-side packing: bool ``[..., L]`` -> uint32 ``[..., NW]`` (L = ``lanes``)."""
    nw = n_limbs(lanes)
    bits = np.asarray(bits, bool)
    if bits.shape[-1] != lanes:
        raise ValueError(f"last axis must have {lanes} lanes, got {bits.shape[-1]}")
    # Pack first (packbits pads the lanes to whole bytes with zeros), then widen the bytes to
    # limbs: a bool copy padded to 32 lanes would be 32x the input for one-lane cores (a 4 GB
    # transient on VGG-16's fc6), the byte copy is at most the output's size.
    # Little bit order: lane 0 is bit 0 of limb 0.
    packed = np.packbits(bits, axis=-1, bitorder="little")
    out = np.zeros(bits.shape[:-1] + (nw * 4,), np.uint8)
    out[..., : packed.shape[-1]] = packed
    return out.view("<u4").reshape(bits.shape[:-1] + (nw,))


def lane_mask(lanes: int) -> np.ndarray:
    """uint32 ``[NW]`` with the ``lanes`` valid bits set."""
    return pack_lanes_np(np.ones((lanes,), bool), lanes)


def popcount(x):
    return lax.population_count(x).astype(jnp.int32)


def _shift_limbs(x, s, left: bool):
    """Logical shift of the multi-limb number ``x`` ``[..., NW]`` by ``s`` bits (0 <= s <= 64)."""
    nw = x.shape[-1]
    s = jnp.asarray(s, jnp.uint32)
    if nw == 1:
        # XLA defines over-wide logical shifts as 0, but keep it explicit for every backend.
        shifted = lax.shift_left(x, s) if left else lax.shift_right_logical(x, s)
        return jnp.where(s >= WORD, jnp.zeros_like(x), shifted)
    q = (s // WORD).astype(jnp.int32)
    b = s % WORD
    zeros = jnp.zeros(x.shape[:-1] + (nw + 1,), x.dtype)
    w = jnp.arange(nw)
    if left:
        # out[w] = x[w-q] << b | x[w-q-1] >> (32-b)
        xp = jnp.concatenate([zeros, x], axis=-1)  # xp[i + nw + 1] = x[i]
        lo = jnp.take(xp, w - q + nw + 1, axis=-1)
        hi = jnp.take(xp, w - q + nw, axis=-1)
        carry = lax.shift_right_logical(hi, (WORD - b) % WORD)
        return lax.shift_left(lo, b) | jnp.where(b == 0, jnp.zeros_like(carry), carry)
    # out[w] = x[w+q] >> b | x[w+q+1] << (32-b)
    xp = jnp.concatenate([x, zeros], axis=-1)
    lo = jnp.take(xp, w + q, axis=-1)
    hi = jnp.take(xp, w + q + 1, axis=-1)
    carry = lax.shift_left(hi, (WORD - b) % WORD)
    return lax.shift_right_logical(lo, b) | jnp.where(b == 0, jnp.zeros_like(carry), carry)


def _like(mask, x):
    """``mask [NW]`` broadcast explicitly to ``x [..., NW]`` (no implicit rank promotion)."""
    return jnp.broadcast_to(mask, x.shape)


def rotate_down(x, s, lanes: int, mask):
    """Out lane ``l`` = in lane ``(l + s) % lanes`` (``0 <= s < lanes``); ``mask`` from
    ``lane_mask``."""
    s = jnp.asarray(s, jnp.uint32)
    if x.shape[-1] == 1:
        # One limb: (L - s) % L keeps both shift amounts below 32, so no guard is needed.
        back = (jnp.uint32(lanes) - s) % jnp.uint32(lanes)
        return (lax.shift_right_logical(x, s) | lax.shift_left(x, back)) & _like(mask, x)
    return (_shift_limbs(x, s, left=False) | _shift_limbs(x, lanes - s, left=True)) & _like(mask, x)


def rotate_up(x, s, lanes: int, mask):
    """Inverse of ``rotate_down``: out lane ``(l + s) % lanes`` = in lane ``l``."""
    s = jnp.asarray(s, jnp.uint32)
    if x.shape[-1] == 1:
        back = (jnp.uint32(lanes) - s) % jnp.uint32(lanes)
        return (lax.shift_left(x, s) | lax.shift_right_logical(x, back)) & _like(mask, x)
    return (_shift_limbs(x, s, left=True) | _shift_limbs(x, lanes - s, left=False)) & _like(mask, x)


# -- several groups of lanes per word ---------------------------------------------------------
# When ``L <= 16``, ``k`` independent groups of one step share a limb as ``k`` fields of ``L``
# bits (field ``f`` = bits ``f L .. f L + L - 1``), so one word operation serves ``k`` groups.
# Rotations then stay inside each field; the helpers below take the replicated masks.


def field_masks(lanes: int, fields: int):
    """``(rep, full, top)`` uint32 scalars for ``fields`` fields of ``lanes`` bits: bit 0 of
    every field, every valid bit, and the top bit of every field."""
    if lanes * fields > WORD:
        raise ValueError(f"{fields} fields of {lanes} bits do not fit a {WORD}-bit word")
    rep = sum(1 << (f * lanes) for f in range(fields))
    full = ((1 << lanes) - 1) * rep
    return np.uint32(rep), np.uint32(full), np.uint32(rep << (lanes - 1))


def field_rotate_down(x, s, lanes: int, rep, full):
    """Every field's out lane ``l`` = its in lane ``(l + s) % lanes`` (``0 <= s < lanes``,
    ``lanes < 32``); one limb."""
    s = jnp.asarray(s, jnp.uint32)
    back = jnp.uint32(lanes) - s  # in 1..lanes: never a full-word shift since lanes < 32
    low = (lax.shift_left(jnp.uint32(1), back) - jnp.uint32(1)) * rep  # lanes 0 .. L-s-1
    return (lax.shift_right_logical(x, s) & low) | (lax.shift_left(x, back) & (full & ~low))


def field_rotate_up(x, s, lanes: int, rep, full):
    """Inverse of ``field_rotate_down``."""
    s = jnp.asarray(s, jnp.uint32)
    return field_rotate_down(x, (jnp.uint32(lanes) - s) % jnp.uint32(lanes), lanes, rep, full)


def nonzero_fields(x, rep, top):
    """Number of nonzero fields in each word (``rep``, ``top`` from ``field_masks``).

    SWAR: adding ``top - rep`` (ones below every field's top bit) to a field's low bits carries
    into its top bit iff they are nonzero, and never out of the field."""
    hit = (((x & ~top) + (top - rep)) | x) & top
    return popcount(hit)
