"""Compile buckets and the batched, jitted (optionally sharded) program of one bucket.

The kernel (``_kernel.schedule``) schedules a batch of tiles under one design; here the batch is
the units of a chunk, the designs of a bucket run one after another (``lax.map``, CPU) or side
by side (``vmap``, accelerators), and the program is ``jit``-ed once per shape bucket. A bucket
(``_ProgramKey``) is keyed on core geometry, exploit, sync, the window bucket (``_Bucket.of``:
step bucket, offset capacity, depth cap, group pad), design-count bucket and chunk size: designs
that differ only in their window offsets, and GEMMs whose step count rounds to the same bucket,
reuse one compiled program.

Per-chunk sums are int32 (a chunk stands for few enough tiles that they cannot overflow, see
``MAX_CHUNK_TILES`` and ``chunk_for``); totals are accumulated on the host in int64.
"""

from __future__ import annotations

import collections
import ctypes
import dataclasses
import functools
import gc
import math
import os
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from griffin_jax.design._core import Core, Window, group_axis
from griffin_jax.sim import _bits
from griffin_jax.sim._kernel import TileShape, schedule, schedule_lookahead

# None: by strategy (CHUNK_MAP tiles per call on CPU; CHUNK_VMAP design-tile pairs per call on
# accelerators, where wide calls pay off).
DEFAULT_CHUNK = None
CHUNK_MAP = 512
CHUNK_VMAP = 65536

# Smallest chunk bucket: layers with few distinct tiles then share one program instead of one per
# power of two. A padding unit costs little (a 32-unit call padded to 128 takes 2-7 ms more on
# the 2-core CPU), a program compiled again or loaded from the persistent cache about 0.2 s, and
# a kept program about 12 MB: with 128 rather than 32 the paper study needs about 260 programs
# rather than 390 (docs/performance.md).
MIN_CHUNK = 128

# The scheduler's memory budget in GB (``gemm_activity_batch(memory_gb=...)``, ``SimOptions``):
# chunks are sized so that the chunks in flight, their host copies and the kernel's state stay
# within about half of it, and the compiled programs kept (``program_capacity``) within it. The
# rest of a run (JAX itself, one layer's masks, the tables) comes on top: with 1 GB the paper
# study peaks near 2-3 GB (docs/performance.md). None: chunks by device only, and programs
# released only when the process's memory mappings crowd.
DEFAULT_MEMORY_GB = 1.0

# Tiles one chunk's counter sums may stand for (int32-safe bound applied on top by chunk_for);
# a test lowers it to exercise the splitting of large classes.
MAX_CHUNK_TILES = 2**31

# Counts traces of the batched program ("gemm") and of the one-tile program ("tile"): a test
# reads it to prove one compile serves a bucket.
TRACE_COUNT = {"gemm": 0, "tile": 0}


def _bucket(n: int, floor: int = 8) -> int:
    """Smallest power of two >= max(n, floor): the padded size that decides recompiles."""
    size = floor
    while size < n:
        size *= 2
    return size


@dataclasses.dataclass(frozen=True)
class _Bucket:
    """The window part of a compile bucket, for one group of windows on a GEMM of ``T`` steps.

    ``capacity``: padded offset rows (a power of two); ``depth_cap``: the largest lookahead the
    program serves (a power of two); ``group_pad``: zero groups each side of the group axis;
    ``steps_b``: padded step rows. Built only by ``of``, the one place that decides them.
    """

    steps_b: int
    capacity: int
    depth_cap: int
    group_pad: int

    @classmethod
    def of(cls, windows: Sequence[Window], T: int) -> _Bucket:
        tuples = [w.as_tuples() for w in windows]
        capacity = _bucket(max(len(t) for t in tuples))
        # An offset with dt >= T never finds work and a lookahead of T already sees every step,
        # so the kernel's depth is clamped to the tile's steps (see ``offsets``): a huge dt
        # then costs nothing.
        depth = min(T, max((o[0] for t in tuples for o in t), default=0))
        depth_cap = _bucket(max(1, depth), floor=4)
        reach = max((abs(o[2]) for t in tuples for o in t), default=0)
        steps_b = _bucket(T, floor=8) + 2 * (depth_cap + 1)
        return cls(steps_b, capacity, depth_cap, group_pad_for(reach))

    def offsets(self, windows: Sequence[Window], n: int, T: int):
        """int32 ``[n, capacity, 3]`` offsets (dt clamped to ``T``) and bool ``[n, capacity]``
        valid rows (valid rows first; rows past ``len(windows)`` are empty windows)."""
        offs = np.zeros((n, self.capacity, 3), np.int32)
        valid = np.zeros((n, self.capacity), bool)
        for i, w in enumerate(windows):
            tup = np.asarray(w.as_tuples(), np.int64).reshape(-1, 3)
            # dt >= T reads an all-zero row either way; clamping keeps it inside the buffer.
            tup[:, 0] = np.minimum(tup[:, 0], T)
            offs[i, : len(tup)] = tup
            valid[i, : len(tup)] = True
        return offs, valid


@dataclasses.dataclass(frozen=True)
class _ProgramKey:
    """Everything a compiled GEMM program is keyed on."""

    exploit: str
    sync: str
    rows: int
    cols: int
    lanes: int
    window: _Bucket
    n_designs: int
    chunk: int
    activity: bool = True
    mesh: tuple = ()  # (design shards, tile shards, devices...) when sharded, else ()
    # "map": designs one after another (CPU: least work, each design's loops end with its own
    # work); "vmap": designs side by side (accelerators: wider ops, fewer loop iterations).
    strategy: str = "map"
    # Every design is a one-lane, group-sync pure time lookahead: ``_kernel.schedule_lookahead``,
    # on rows of item positions per group (``items``: a power-of-two bucket of their count).
    lookahead: bool = False
    items: int = 0


def _tile_words(exploit: str, a_t, w_t):
    """Pending words ``[Tb, Q, NW]`` of one tile from its packed operand rows.

    ``a_t``: uint32 ``[Tb, C, NW]``; ``w_t``: uint32 ``[Tb, R, NW]`` (step-major).
    """
    if exploit == "A":
        return a_t
    if exploit == "W":
        return w_t
    # AW: DPU (r, c) has work where both operands are nonzero; Q = R*C, dg moves along c.
    both = w_t[:, :, None] & a_t[:, None, :]  # [Tb, R, C, NW]
    return both.reshape(both.shape[0], -1, both.shape[3])


def _pending_rows(key: _ProgramKey, shape: TileShape, a_c, w_c):
    """The rows the kernel reads for a chunk, straight from its packed operand rows (the
    ``_kernel.tile_rows`` of the chunk's pending words, without forming those words).

    ``a_c``: uint32 ``[B, Tb, C, NW]``; ``w_c``: uint32 ``[B, Tb, R, NW]`` (step-major). Returns
    ``[B', Tb, G, word_blocks, NW]`` (``B' = B``, or one-group tiles under group sync).
    """
    B, Tb, _, NW = a_c.shape
    if key.sync == "group":
        # One-group tiles (DPU (r, c) at r * C + c for AW), each with its own pointer.
        words = jax.vmap(functools.partial(_tile_words, key.exploit))(a_c, w_c)
        return jnp.swapaxes(words, 1, 2).reshape(-1, Tb, 1, 1, NW)
    if key.exploit in ("A", "W"):
        return (a_c if key.exploit == "A" else w_c)[:, :, :, None]  # [B, Tb, G, 1, NW]
    # AW: DPU (r, c) has work where both operands are nonzero; block r, group c (dg moves along
    # c). With k blocks per word, block j k + f is field f of word j: the activation word
    # replicated into every field AND the k weight words side by side.
    a_t, w_t = a_c, w_c
    k, Pw = shape.fields, shape.word_blocks
    if k > 1:
        w_t = jnp.pad(w_t, ((0, 0), (0, 0), (0, Pw * k - shape.blocks), (0, 0)))
        w_t = w_t.reshape(B, Tb, Pw, k, 1)
        shifts = jnp.arange(k, dtype=jnp.uint32) * jnp.uint32(shape.lanes)
        w_t = lax.shift_left(w_t, jnp.broadcast_to(shifts[:, None], w_t.shape))
        # Fields are disjoint bits, so their sum is their OR.
        w_t = jnp.sum(w_t, axis=3, dtype=jnp.uint32)  # [B, Tb, Pw, 1]
        a_t = a_t * jnp.uint32(_bits.field_masks(shape.lanes, k)[0])
    return a_t[:, :, :, None] & w_t[:, :, None]


def _shape_of(key: _ProgramKey) -> TileShape:
    # Blocks share the step pointer; dg moves along the group axis (design._core.group_axis).
    P = key.rows if key.exploit == "AW" else 1
    G = group_axis(Core(key.rows, key.cols, key.lanes), key.exploit)
    return TileShape(
        blocks=P,
        groups=G,
        lanes=key.lanes,
        depth_cap=key.window.depth_cap,
        group_pad=key.window.group_pad,
    )


# Every compiled program holds memory for its code: about 12 MB of RSS and 180 mappings each,
# with the helper programs compiled beside it, on Linux x86-64 (scripts/bench_program_memory.py).
# A long run compiles hundreds (the paper study: about 390 buckets over both geometries and the
# validation), so the programs are kept in a cache of bounded size, least recently used dropped
# first: under a memory budget it keeps ``memory_gb / PROGRAM_BYTES`` of them (the data in
# flight has a budget of its own, ``memory_chunk``); a dropped program compiles again, or
# loads from the persistent compilation cache (about 0.2 s), when it is needed again.
PROGRAM_BYTES = 12 * 2**20
MIN_PROGRAMS = 8
# Without a budget only the mapping limit bounds them: past the kernel's vm.max_map_count LLVM
# fails with "Cannot allocate memory" however much RAM is free, so when the mappings pass
# MAP_SHARE of that limit every compiled program is released.
MAP_SHARE = 0.5
CHECK_EVERY = 16  # new programs between two counts of the mappings
# Dropped programs between two returns of freed heap to the system (glibc ``malloc_trim``):
# without it the RSS keeps the high-water mark of every program ever held.
TRIM_EVERY = 8
_NEW = [0]
RELEASES = [0]
_PROGRAMS: collections.OrderedDict = collections.OrderedDict()
_STATS = {"hits": 0, "misses": 0, "dropped": 0}
CacheInfo = collections.namedtuple("CacheInfo", "hits misses dropped currsize")


def program_capacity(memory_gb: float | None) -> int | None:
    """Compiled programs kept under a budget of ``memory_gb`` (``None``: no bound but the
    mapping limit): the budget at ``PROGRAM_BYTES`` each, at least ``MIN_PROGRAMS``."""
    if memory_gb is None:
        return None
    return max(MIN_PROGRAMS, int(memory_gb * 2**30 / PROGRAM_BYTES))


def mapping_count() -> int | None:
    """Memory mappings of this process (``None`` where ``/proc`` does not say)."""
    try:
        with open(f"/proc/{os.getpid()}/maps", "rb") as f:
            return sum(1 for _ in f)
    except OSError:
        return None


def mapping_limit() -> int | None:
    """The kernel's per-process mapping limit, ``vm.max_map_count`` (``None`` if unknown)."""
    try:
        with open("/proc/sys/vm/max_map_count") as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def trim_heap() -> bool:
    """Give freed heap pages back to the system (glibc's ``malloc_trim``; False elsewhere)."""
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def release_if_crowded(count=mapping_count, limit=mapping_limit) -> bool:
    """Release every compiled program (``jax.clear_caches`` and this module's program cache)
    when the mappings exceed ``MAP_SHARE`` of the limit; returns whether it did."""
    n, top = count(), limit()
    if n is None or top is None or n <= MAP_SHARE * top:
        return False
    jax.clear_caches()
    program.cache_clear()
    RELEASES[0] += 1
    return True


def _drop_to(keep: int) -> None:
    """Drop the least recently used programs until at most ``keep`` are held. A program's
    compiled code lives as long as its jitted function, which only this cache refers to:
    dropping the reference frees it at once (no ``gc.collect``, which costs 0.3 s in a study's
    heap)."""
    dropped = 0
    while len(_PROGRAMS) > keep:
        _PROGRAMS.popitem(last=False)
        dropped += 1
    if dropped:
        before = _STATS["dropped"]
        _STATS["dropped"] += dropped
        if before // TRIM_EVERY != _STATS["dropped"] // TRIM_EVERY:
            trim_heap()


def program(key: _ProgramKey, keep: int | None = None):
    """The jitted program of one bucket (compiled on first use, then cached): designs x units
    of one chunk -> per-unit cycles ``[n_designs, chunk]`` and per-design counter sums, each
    unit's counters times its count. ``keep``: at most this many programs stay cached (least
    recently used dropped first; ``program_capacity``); ``None``: no bound but the mappings'."""
    run = _PROGRAMS.get(key)
    if run is not None:
        _STATS["hits"] += 1
        _PROGRAMS.move_to_end(key)
        return run
    _STATS["misses"] += 1
    if keep is not None:
        _drop_to(max(0, keep - 1))
    _NEW[0] += 1
    if _NEW[0] % CHECK_EVERY == 0:
        release_if_crowded()
    run = _PROGRAMS[key] = _compile(key)
    return run


def _cache_clear() -> None:
    _PROGRAMS.clear()
    gc.collect()
    trim_heap()


def _cache_info() -> CacheInfo:
    return CacheInfo(_STATS["hits"], _STATS["misses"], _STATS["dropped"], len(_PROGRAMS))


program.cache_clear = _cache_clear
program.cache_info = _cache_info


def _compile(key: _ProgramKey):
    """``program``'s jitted function for ``key`` (jitted lazily: it compiles on first call)."""
    shape = _shape_of(key)

    # Designs go one after another (lax.map) and tiles side by side (one batch): the window is
    # then an unbatched scalar inside the kernel, so its rows and shifts are plain dynamic
    # slices rather than per-element gathers, each design's loop ends with its own work and
    # its advance runs for its own depth class.
    # Inputs per chunk: the units' packed operand rows (a_c, w_c) or, for the lookahead kernel,
    # their groups' item positions and counts.
    def body(a_c, w_c, count, n_steps, offsets, valid):
        TRACE_COUNT["gemm"] += 1
        if key.lookahead:

            def per_design(window):
                return schedule_lookahead(a_c, w_c, count, n_steps, *window, key.activity)

        else:
            # Built once per chunk, shared by every design of the bucket.
            rows = _pending_rows(key, shape, a_c, w_c)

            def per_design(window):
                return schedule(
                    shape,
                    key.sync,
                    rows,
                    count,
                    n_steps,
                    *window,
                    key.activity,
                    by_depth=key.strategy == "map",
                )

        if key.strategy == "vmap":
            return jax.vmap(per_design)((offsets, valid))
        return lax.map(per_design, (offsets, valid))

    if not key.mesh:
        return jax.jit(body)

    # Several devices: designs and tiles split over a 2-D mesh; every device runs the same
    # single-device program on its share and the per-design tile sums meet in one psum.
    n_d, n_t, *devices = key.mesh
    mesh = jax.sharding.Mesh(np.array(devices).reshape(n_d, n_t), ("d", "t"))
    P = jax.sharding.PartitionSpec

    def sharded(*args):
        cycles, counters = body(*args)
        return cycles, {k: lax.psum(v, "t") for k, v in counters.items()}

    return jax.jit(
        jax.shard_map(
            sharded,
            mesh=mesh,
            in_specs=(P("t"), P("t"), P("t"), P(), P("d"), P("d")),
            out_specs=(P("d", "t"), P("d")),
            # Each device's loops are independent by construction; only the psum communicates.
            check_vma=False,
        )
    )


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


def default_strategy(devices) -> str:
    """ "vmap" on accelerators (wide ops), "map" on CPU (least total work)."""
    return "map" if all(d.platform == "cpu" for d in devices) else "vmap"


def group_pad_for(reach: int) -> int:
    """Zero groups padded on each side for windows whose largest ``|dg|`` is ``reach``: 0, or
    a power of two (a compile bucket, like the depth cap)."""
    return 0 if reach == 0 else _bucket(reach, floor=1)


def chunk_budget(steps: int, slots: int) -> int:
    """Tiles one chunk's int32 counter sums may stand for (``MAX_CHUNK_TILES``, capped by
    ``chunk_for``): a unit's count times the chunk size must stay within it."""
    return chunk_for(steps, slots, MAX_CHUNK_TILES)


def requested_chunk(chunk: int | None, strategy: str, n_designs: int) -> int:
    """Units per call before fitting: ``chunk`` or the strategy's default; under ``"vmap"``
    divided by the (bucketed) design count."""
    if chunk is None:
        chunk = CHUNK_MAP if strategy == "map" else CHUNK_VMAP
    if strategy == "vmap":
        # Designs side by side multiply the live state: keep designs x tiles per call at
        # ``chunk`` so memory stays bounded whatever the number of designs.
        chunk = max(1, chunk // n_designs)
    return chunk


def unit_bytes(
    exploit: str, R: int, C: int, L: int, win: _Bucket, items: int, n_designs: int, strategy: str
) -> int:
    """Bytes one unit of a chunk costs while its chunk is in flight: its inputs on the host and
    on the device, and the kernel's per-tile state (per design side by side under ``"vmap"``).

    ``items``: the lookahead kernel's item rows (0: the general kernel, fed packed operand rows).
    An estimate with generous factors: it only sizes chunks, results never depend on it.
    """
    Q = {"A": C, "W": R}.get(exploit, R * C)
    side = n_designs if strategy == "vmap" else 1
    if items:
        # Item positions (int16 or int32) twice, then per item row the int32 row, the ``taken``
        # hits over the window's offsets and the carries.
        width = 2 if win.steps_b < 2**15 else 4
        return 2 * items * Q * width + (win.capacity + 6) * Q * 4 * side
    nw = _bits.n_limbs(L)
    groups = Q + 2 * win.group_pad
    operands = 2 * win.steps_b * (R + C) * nw * 4
    rows = 2 * win.steps_b * groups * nw * 4
    state = 4 * (win.depth_cap + 2) * groups * nw * 4 * side
    return operands + rows + state


def memory_chunk(chunk: int, per_unit: int, memory_gb: float | None) -> int:
    """At most ``chunk`` units, and few enough that one chunk's buffers (``per_unit`` bytes each)
    take a quarter of ``memory_gb`` (``None``: ``chunk``): with two chunks in flight (see
    ``in_flight``) the scheduler's working set stays within half the budget, the other half
    being the host-side phases that stream units in waves of the same size."""
    if memory_gb is None:
        return chunk
    return max(1, min(chunk, int(memory_gb * 2**30 / 4) // max(1, per_unit)))


def in_flight(memory_gb: float | None) -> int | None:
    """Chunks dispatched before the oldest one's results are read back: two under a budget (the
    host packs the next chunk while the device runs one), every chunk without one."""
    return None if memory_gb is None else 2


def fit_chunk(chunk: int, steps: int, slots: int, n_units: int, devices, n_designs: int):
    """The chunk a bucket compiles for and its mesh: at most ``chunk``, int32 safe, no larger
    than the units' bucket (at least ``MIN_CHUNK``, so small layers share a program), and a
    multiple of the tile shards. Returns ``(mesh, chunk)`` (see ``_mesh``)."""
    budget = chunk_budget(steps, slots)
    chunk = chunk_for(steps, slots, min(chunk, budget, _bucket(n_units, floor=MIN_CHUNK)))
    return _mesh(devices, n_designs, chunk)
