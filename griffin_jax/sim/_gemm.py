"""GEMM-level evaluation: tiling (spec section 2), batching over tiles x designs, exact totals.

The kernel (``_kernel.tile_kernel``) is written for one tile and one design; here it is
``vmap``-ed over the tiles of a chunk and over the designs of a bucket, and ``jit``-ed once per
shape bucket. A bucket is keyed on (core geometry, exploit, sync, step bucket, window capacity,
depth cap, design-count bucket, chunk size): designs that differ only in their window offsets, and
GEMMs whose step count rounds to the same bucket, reuse one compiled program.

Per-chunk sums are int32 (a chunk is small enough that they cannot overflow); totals are
accumulated on the host in int64 / Python ints, so a full network never overflows.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from typing import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from griffin_jax.design._core import Design, Window, _bucket
from griffin_jax.sim import _bits
from griffin_jax.sim._kernel import TileShape, tile_kernel_sync

DEFAULT_CHUNK = 512

# Counts traces of the batched program: a test reads it to prove one compile serves a bucket.
TRACE_COUNT = {"gemm": 0, "tile": 0}


@dataclasses.dataclass(frozen=True)
class Activity:
    """Schedule outcome of each design on one GEMM (host arrays, exact int64).

    Shapes: ``cycles``, ``dense_cycles``, ``busy_group_cycles``, ``work``: ``[D]``;
    ``taken``: ``[D, W + 1]`` (own slot, then each window offset in priority order, padded with
    zeros up to the batch's window capacity). ``work`` is the total pending work (group-lane
    slots) the design had to execute; for ``exploit="none"`` it is the dense slot count.
    """

    designs: tuple
    cycles: np.ndarray
    dense_cycles: np.ndarray
    taken: np.ndarray
    busy_group_cycles: np.ndarray
    work: np.ndarray
    tiles: int


@dataclasses.dataclass(frozen=True)
class GemmResult:
    """One design on one GEMM. All counts are Python ints."""

    cycles: int
    dense_cycles: int
    tiles: int
    taken: tuple
    busy_group_cycles: int

    @property
    def speedup(self) -> float:
        return self.dense_cycles / self.cycles


# -- input checking -----------------------------------------------------------------------------
def check_masks(a_mask, w_mask):
    """Validate ``a_mask`` bool ``[M, K]`` and ``w_mask`` bool ``[K, N]``; return numpy bools."""
    for name, m in (("a_mask", a_mask), ("w_mask", w_mask)):
        arr = np.asarray(m)
        if arr.dtype != np.bool_:
            raise ValueError(f"{name} must be a bool array, got dtype {arr.dtype}")
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-D, got shape {arr.shape}")
        if 0 in arr.shape:
            raise ValueError(f"{name} must have non-zero sizes, got shape {arr.shape}")
    a, w = np.asarray(a_mask), np.asarray(w_mask)
    if a.shape[1] != w.shape[0]:
        raise ValueError(f"a_mask is [M, K={a.shape[1]}] but w_mask is [K={w.shape[0]}, N]")
    return a, w


def _check_designs(designs) -> tuple:
    designs = tuple(designs)
    if not designs:
        raise ValueError("designs must be a non-empty sequence of Design")
    for i, d in enumerate(designs):
        if not isinstance(d, Design):
            raise ValueError(f"designs[{i}] must be a Design, got {type(d).__name__}")
    return designs


# -- operand packing ---------------------------------------------------------------------------
def _steps(K: int, L: int) -> int:
    return -(-K // L)


def _pack_rows(mask_rows: np.ndarray, n_rows: int, steps_b: int, L: int) -> np.ndarray:
    """bool ``[n, K]`` -> uint32 ``[n_rows, steps_b, NW]`` (zero padded rows and steps)."""
    n, K = mask_rows.shape
    padded = np.zeros((n_rows, steps_b * L), bool)
    padded[:n, :K] = mask_rows
    return _bits.pack_lanes_np(padded.reshape(n_rows, steps_b, L), L)


@dataclasses.dataclass(frozen=True)
class _Bucket:
    exploit: str
    sync: str
    rows: int
    cols: int
    lanes: int
    steps_b: int
    capacity: int
    depth_cap: int
    n_designs: int
    chunk: int
    activity: bool = True
    mesh: tuple = ()  # (design shards, tile shards, devices...) when sharded, else ()


def _tile_words(bucket: _Bucket, a_t, w_t):
    """Pending words ``[Tb, Q, NW]`` of one tile from its packed operand rows.

    ``a_t``: uint32 ``[C, Tb, NW]``; ``w_t``: uint32 ``[R, Tb, NW]``.
    """
    if bucket.exploit == "A":
        return jnp.swapaxes(a_t, 0, 1)
    if bucket.exploit == "W":
        return jnp.swapaxes(w_t, 0, 1)
    # AW: DPU (r, c) has work where both operands are nonzero; Q = R*C, dg moves along c.
    both = w_t[:, None] & a_t[None, :]  # [R, C, Tb, NW]
    return jnp.moveaxis(both, 2, 0).reshape(both.shape[2], -1, both.shape[3])


def _shape_of(bucket: _Bucket) -> TileShape:
    if bucket.exploit == "A":
        P, G = 1, bucket.cols
    elif bucket.exploit == "W":
        P, G = 1, bucket.rows
    else:
        P, G = bucket.rows, bucket.cols
    return TileShape(blocks=P, groups=G, lanes=bucket.lanes, depth_cap=bucket.depth_cap)


@functools.lru_cache(maxsize=None)
def _program(bucket: _Bucket):
    """The jitted program of one bucket: designs x tiles of one chunk -> per-design sums."""
    shape = _shape_of(bucket)

    def one(a_t, w_t, live, n_steps, offsets, valid):
        words = _tile_words(bucket, a_t, w_t)
        cycles, taken, busy = tile_kernel_sync(shape, bucket.sync, words, n_steps, offsets, valid,
                                               bucket.activity)
        # Padding tiles of the last chunk count for nothing.
        return cycles * live, taken * live, busy * live

    over_tiles = jax.vmap(one, in_axes=(0, 0, 0, None, None, None))

    # Designs go one after another (lax.map) and tiles side by side (vmap): the window is then
    # an unbatched scalar inside the kernel, so its rows and shifts are plain dynamic slices
    # rather than per-element gathers, and each design's loop ends with its own work.
    def body(a_c, w_c, live, n_steps, offsets, valid):
        TRACE_COUNT["gemm"] += 1

        def per_design(window):
            cycles, taken, busy = over_tiles(a_c, w_c, live, n_steps, *window)
            return cycles.sum(0), taken.sum(0), busy.sum(0)

        return lax.map(per_design, (offsets, valid))

    if not bucket.mesh:
        return jax.jit(body)

    # Several devices: designs and tiles split over a 2-D mesh; every device runs the same
    # single-device program on its share and the per-design tile sums meet in one psum.
    n_d, n_t, *devices = bucket.mesh
    mesh = jax.sharding.Mesh(np.array(devices).reshape(n_d, n_t), ("d", "t"))
    P = jax.sharding.PartitionSpec

    def sharded(a_c, w_c, live, n_steps, offsets, valid):
        out = body(a_c, w_c, live, n_steps, offsets, valid)
        return tuple(lax.psum(x, "t") for x in out)

    return jax.jit(jax.shard_map(
        sharded, mesh=mesh,
        in_specs=(P("t"), P("t"), P("t"), P(), P("d"), P("d")),
        out_specs=(P("d"), P("d"), P("d")),
        # Each device's loops are independent by construction; only the psum communicates.
        check_vma=False,
    ))


def _mesh(devices, n_designs: int, chunk: int):
    """Split devices into (design shards, tile shards); returns (mesh tuple, chunk)."""
    devices = tuple(devices)
    if len(devices) <= 1:
        return (), chunk
    n_d = math.gcd(len(devices), n_designs)
    n_t = len(devices) // n_d
    # Every tile shard gets the same number of tiles.
    chunk = -(-chunk // n_t) * n_t
    return (n_d, n_t, *devices), chunk


def chunk_for(steps: int, slots: int, chunk: int) -> int:
    """Largest power of two <= ``chunk`` whose int32 per-chunk sums cannot overflow.

    ``slots`` = groups x lanes of one tile. Per tile, cycles <= steps and executed work <= steps x
    slots, so ``chunk * steps * slots < 2**31`` bounds every per-chunk sum; totals across chunks
    are int64 on the host.
    """
    out = 1
    while out * 2 <= chunk:
        out *= 2
    while out > 1 and out * steps * slots >= 2**31:
        out //= 2
    if steps * slots >= 2**31:
        raise ValueError(f"one tile has {steps} x {slots} slots; int32 counters would overflow")
    return out


def _stack_windows(windows: Sequence[Window], capacity: int, n: int):
    offs = np.zeros((n, capacity, 3), np.int32)
    valid = np.zeros((n, capacity), bool)
    for i, w in enumerate(windows):
        tup = w.as_tuples()
        if tup:
            offs[i, : len(tup)] = tup
            valid[i, : len(tup)] = True
    return offs, valid


def _evaluate_group(designs, a, w, chunk: int, activity: bool = True, devices=()) -> dict:
    """All designs share core, exploit and sync. Returns host int64 arrays."""
    d0 = designs[0]
    core = d0.core
    R, C, L = core.rows, core.cols, core.lanes
    M, K = a.shape
    N = w.shape[1]
    T = _steps(K, L)
    n_mt, n_nt = -(-M // C), -(-N // R)
    n_tiles = n_mt * n_nt
    # A window built with a larger capacity asks to share that bigger bucket.
    capacity = max(d.window.capacity for d in designs)
    depth_cap = _bucket(max(1, max(d.window.depth for d in designs)), floor=4)
    steps_b = _bucket(T, floor=8) + 2 * (depth_cap + 1)
    n_designs = _bucket(len(designs), floor=1)
    chunk = chunk_for(T, R * C * L, min(chunk, _bucket(n_tiles, floor=1)))
    mesh, chunk = _mesh(devices, n_designs, chunk)
    bucket = _Bucket(d0.exploit, d0.sync, R, C, L, steps_b, capacity, depth_cap, n_designs, chunk,
                     activity, mesh)
    run = _program(bucket)

    a_rows = _pack_rows(a, n_mt * C, steps_b, L).reshape(n_mt, C, steps_b, -1)
    w_rows = _pack_rows(w.T, n_nt * R, steps_b, L).reshape(n_nt, R, steps_b, -1)
    offs, valid = _stack_windows([d.window for d in designs], capacity, n_designs)

    cycles = np.zeros(n_designs, np.int64)
    taken = np.zeros((n_designs, capacity + 1), np.int64)
    busy = np.zeros(n_designs, np.int64)
    for start in range(0, n_tiles, chunk):
        idx = np.arange(start, start + chunk)
        live = idx < n_tiles
        idx = np.where(live, idx, 0)
        c_out, t_out, b_out = run(
            a_rows[idx // n_nt], w_rows[idx % n_nt], live.astype(np.int32), np.int32(T), offs, valid
        )
        cycles += np.asarray(c_out, np.int64)
        taken += np.asarray(t_out, np.int64)
        busy += np.asarray(b_out, np.int64)
    k = len(designs)
    return {"cycles": cycles[:k], "taken": taken[:k], "busy": busy[:k], "tiles": n_tiles}


def _work(design: Design, a: np.ndarray, w: np.ndarray) -> int:
    """Total pending group-lane slots: schedule independent (every pending item runs once)."""
    core = design.core
    M, K = a.shape
    N = w.shape[1]
    n_mt, n_nt = -(-M // core.cols), -(-N // core.rows)
    if design.exploit == "A":
        return int(a.sum()) * n_nt
    if design.exploit == "W":
        return int(w.sum()) * n_mt
    if design.exploit == "AW":
        return int((a.astype(np.int64).sum(0) * w.astype(np.int64).sum(1)).sum())
    return n_mt * n_nt * core.rows * core.cols * _steps(K, core.lanes) * core.lanes


def gemm_activity_batch(designs: Sequence[Design], a_mask, w_mask, *, chunk: int = DEFAULT_CHUNK,
                        activity: bool = True, devices=None) -> Activity:
    """Exact schedules of many designs on one GEMM ``Out[M, N] = A[M, K] @ W[K, N]``.

    Args:
      designs: D designs (any mix of cores, exploits and syncs; grouped into buckets internally).
      a_mask: bool ``[M, K]``; w_mask: bool ``[K, N]``.
      chunk: tiles per compiled call (bounds memory; part of the bucket key).
      activity: False skips the activity counters (``taken`` and ``busy_group_cycles`` are
        then zero): a faster program when only cycles are needed.
      devices: devices to shard designs and tiles over (default: every device of JAX's default
        backend); one device runs unsharded. Results do not depend on the device count.
    Returns: ``Activity`` with per-design arrays of shape ``[D]`` (``taken``: ``[D, W + 1]``).
    """
    designs = _check_designs(designs)
    a, w = check_masks(a_mask, w_mask)
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk <= 0:
        raise ValueError(f"chunk must be a positive int, got {chunk!r}")
    devices = tuple(jax.devices() if devices is None else devices)
    if not devices:
        raise ValueError("devices must name at least one device")
    D = len(designs)
    M, K = a.shape
    N = w.shape[1]
    width = max(d.window.capacity for d in designs)
    cycles = np.zeros(D, np.int64)
    dense = np.zeros(D, np.int64)
    taken = np.zeros((D, width + 1), np.int64)
    busy = np.zeros(D, np.int64)
    work = np.zeros(D, np.int64)
    groups: dict = {}
    for i, d in enumerate(designs):
        core = d.core
        n_tiles = -(-M // core.cols) * -(-N // core.rows)
        dense[i] = n_tiles * _steps(K, core.lanes)
        work[i] = _work(d, a, w)
        if d.exploit == "none":
            cycles[i] = dense[i]  # the dense core: exactly T cycles per tile
            continue
        groups.setdefault((d.core, d.exploit, d.sync), []).append(i)
    for idx in groups.values():
        out = _evaluate_group([designs[i] for i in idx], a, w, chunk, activity, devices)
        for j, i in enumerate(idx):
            cycles[i] = out["cycles"][j]
            taken[i, : out["taken"].shape[1]] = out["taken"][j]
            busy[i] = out["busy"][j]
    n_tiles = max(-(-M // d.core.cols) * -(-N // d.core.rows) for d in designs)
    return Activity(designs, cycles, dense, taken, busy, work, n_tiles)


def simulate_gemm_batch(designs: Sequence[Design], a_mask, w_mask, *, chunk: int = DEFAULT_CHUNK,
                        devices=None) -> np.ndarray:
    """Exact cycle counts of many designs on one GEMM.

    Args: as ``gemm_activity_batch``. Returns: int64 ``[D]`` cycles, one per design.
    One compiled program serves every design of a bucket (same core, exploit, sync, window
    capacity and depth cap): a second call with other windows does not recompile.
    """
    return gemm_activity_batch(designs, a_mask, w_mask, chunk=chunk, activity=False,
                               devices=devices).cycles


def simulate_gemm(design: Design, a_mask, w_mask, *, chunk: int = DEFAULT_CHUNK) -> GemmResult:
    """Exact schedule of one design on one GEMM (a_mask bool ``[M, K]``, w_mask bool ``[K, N]``)."""
    if not isinstance(design, Design):
        raise ValueError(f"design must be a Design, got {type(design).__name__}")
    act = gemm_activity_batch([design], a_mask, w_mask, chunk=chunk)
    n = design.window.size + 1
    return GemmResult(
        cycles=int(act.cycles[0]),
        dense_cycles=int(act.dense_cycles[0]),
        tiles=act.tiles,
        taken=tuple(int(x) for x in act.taken[0, :n]),
        busy_group_cycles=int(act.busy_group_cycles[0]),
    )


# -- one tile --------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def _tile_program(shape: TileShape, sync: str, steps_b: int):
    @jax.jit
    def run(words, n_steps, offsets, valid):
        TRACE_COUNT["tile"] += 1
        return tile_kernel_sync(shape, sync, words, n_steps, offsets, valid)

    return run


def tile_cycles(pending, window: Window, sync: str = "core") -> int:
    """Cycles of one tile.

    Args:
      pending: bool ``[G, T, L]``: group g has work at step t, lane l (``dg`` moves along G, no
        wrap; lanes wrap).
      window: the borrowing window (``|dl| < L`` required).
      sync: "core" (one pointer) or "group" (one per group; no ``dg`` offsets allowed).
    Returns: the cycle count (Python int).
    """
    return int(tile_activity(pending, window, sync)["cycles"])


def tile_activity(pending, window: Window, sync: str = "core") -> dict:
    """``tile_cycles`` plus activity: dict(cycles, taken tuple, busy_group_cycles)."""
    from griffin_jax.design._core import SYNCS, validate_window

    arr = np.asarray(pending)
    if arr.dtype != np.bool_:
        raise ValueError(f"pending must be a bool array, got dtype {arr.dtype}")
    if arr.ndim != 3:
        raise ValueError(f"pending must be [G, T, L], got shape {arr.shape}")
    if 0 in arr.shape:
        raise ValueError(f"pending must have non-zero sizes, got shape {arr.shape}")
    if not isinstance(window, Window):
        raise ValueError(f"window must be a Window, got {type(window).__name__}")
    if sync not in SYNCS:
        raise ValueError(f"sync must be one of {SYNCS}, got {sync!r}")
    G, T, L = arr.shape
    if L > 64:
        raise ValueError(f"pending has {L} lanes; at most 64 are supported")
    validate_window(window, L, sync)
    depth_cap = _bucket(max(1, window.depth), floor=4)
    steps_b = _bucket(T, floor=8) + 2 * (depth_cap + 1)
    words = np.zeros((steps_b, G, _bits.n_limbs(L)), np.uint32)
    words[:T] = np.swapaxes(_bits.pack_lanes_np(arr, L), 0, 1)
    shape = TileShape(blocks=1, groups=G, lanes=L, depth_cap=depth_cap)
    w = window
    cycles, taken, busy = _tile_program(shape, sync, steps_b)(
        words, np.int32(T), np.asarray(w.offsets), np.asarray(w.valid)
    )
    n = window.size + 1
    return {"cycles": int(cycles), "taken": tuple(int(x) for x in np.asarray(taken)[:n]),
            "busy_group_cycles": int(busy)}
