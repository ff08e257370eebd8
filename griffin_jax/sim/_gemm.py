"""GEMM-level evaluation: tiling (docs/model.md section 2), batching over tiles x designs, exact
totals.

Only distinct tiles are scheduled: a tile's schedule depends only on its pending array
(docs/model.md 3.5), so the output tiles are grouped into *units* by their packed operand words
(``_units``: pixel tiles for ``A``, channel tiles for ``W``, the pair for ``AW``), each unit is
scheduled once and its cycles and counters are multiplied by the number of tiles it stands for.
``row_cycles`` / ``col_cycles`` use the unit's summed real rows / columns, so padded edge tiles
stay exact. ``gemm_activity_batch(_distinct=False)`` schedules every tile (the reference layout
the tests and ``scripts/bench_distinct.py`` compare against).

The kernel (``_kernel.tile_kernel``) is written for one tile and one design; here it is
``vmap``-ed over the units of a chunk and over the designs of a bucket, and ``jit``-ed once per
shape bucket. A bucket (``_ProgramKey``) is keyed on core geometry, exploit, sync, the window
bucket (``_Bucket.of``: step bucket, offset capacity, depth cap, group pad), design-count bucket
and chunk size: designs that differ only in their window offsets, and GEMMs whose step count
rounds to the same bucket, reuse one compiled program.

Per-chunk sums are int32 (a chunk stands for few enough tiles that they cannot overflow, see
``MAX_CHUNK_TILES``); totals are accumulated on the host in int64, so a full network never
overflows.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from griffin_jax._checks import nonempty_of
from griffin_jax.design._core import Core, Design, Window, group_axis
from griffin_jax.sim import _bits
from griffin_jax.sim._kernel import TileShape, is_lookahead, tile_kernel_sync, tile_lookahead

# None: by strategy (CHUNK_MAP tiles per call on CPU; CHUNK_VMAP design-tile pairs per call on
# accelerators, where wide calls pay off).
DEFAULT_CHUNK = None
CHUNK_MAP = 512
CHUNK_VMAP = 65536

# Smallest chunk bucket: layers with few distinct tiles then share one program instead of one per
# power of two (a padding unit costs little; a compile costs seconds).
MIN_CHUNK = 32

# Tiles one chunk's counter sums may stand for (int32-safe bound applied on top by chunk_for);
# a test lowers it to exercise the splitting of large classes.
MAX_CHUNK_TILES = 2**31

# Counts traces of the batched program: a test reads it to prove one compile serves a bucket.
TRACE_COUNT = {"gemm": 0, "tile": 0}


@dataclasses.dataclass(frozen=True)
class Activity:
    """Schedule outcome of each design on one GEMM (host arrays, exact int64).

    Per design (shape ``[D]`` unless noted):
      cycles, dense_cycles: cycles of the design and of the dense core (T per tile).
      taken ``[D, W + 1]``: work (group-lane slots) executed through the own slot, then through
        each window offset in priority order, zero-padded to the batch's window capacity.
      busy_group_cycles: sum over cycles of schedule groups that executed >= 1 product (groups:
        columns for A, rows for W, DPUs for AW; summed over groups' own cycles under
        ``sync="group"``).
      tree_group_cycles ``[D, W + 1]``: at entry ``i + 1`` for the first offset of each distinct
        ``dg != 0``, the sum over cycles of groups that took work through that ``dg`` (the
        extra adder tree fires); zero elsewhere.
      group_cycles: sum over groups of the cycles their scheduler runs (cycles x groups under core
        sync; each group's own cycles under group sync).
      row_cycles, col_cycles: sum over tiles of cycles x the tile's real (unpadded) rows /
        columns of DPUs.
      work: total pending group-lane slots (schedule independent; every item runs once); for
        ``exploit="none"`` the dense slot count.
      tiles: output tiles of the GEMM on the design's core.
      sampled_tiles: tiles actually scheduled; below ``tiles`` only when the batch ran with
        ``sample``: every schedule-dependent count is then an ESTIMATE (the sampled sum scaled by
        tiles / sampled_tiles, rounded), while dense_cycles and work stay exact.
      stderr: float; the standard error of ``cycles`` (finite-population, over the sampled
        tiles' cycles); 0 where exact. ``estimate_gemm_cycles`` adds confidence intervals.
    Activity counters are zero for ``exploit="none"`` (the dense core has no schedule) and when
    the batch ran with ``activity=False``.
    """

    designs: tuple
    cycles: np.ndarray
    dense_cycles: np.ndarray
    taken: np.ndarray
    busy_group_cycles: np.ndarray
    tree_group_cycles: np.ndarray
    group_cycles: np.ndarray
    row_cycles: np.ndarray
    col_cycles: np.ndarray
    work: np.ndarray
    tiles: np.ndarray
    sampled_tiles: np.ndarray
    stderr: np.ndarray

    @property
    def exact(self) -> np.ndarray:
        return self.sampled_tiles == self.tiles


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


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def check_options(
    *, chunk=None, activity=True, devices=None, sample=None, min_tiles=32, seed=0, strategy=None
) -> tuple:
    """Check the scheduler options shared by every entry point (one wording per mistake);
    returns the devices as a tuple (default: every device of JAX's default backend)."""
    if chunk is not None and (not _is_int(chunk) or chunk <= 0):
        raise ValueError(f"chunk must be None or a positive int, got {chunk!r}")
    if not isinstance(activity, (bool, np.bool_)):
        raise ValueError(f"activity must be a bool, got {activity!r}")
    if sample is not None and (
        isinstance(sample, bool) or not isinstance(sample, (int, float)) or not 0 < sample <= 1
    ):
        raise ValueError(f"sample must be None or a fraction in (0, 1], got {sample!r}")
    if not _is_int(min_tiles) or min_tiles < 2:
        raise ValueError(f"min_tiles must be an int >= 2, got {min_tiles!r}")
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    if strategy not in (None, "map", "vmap"):
        raise ValueError(f"strategy must be None, 'map' or 'vmap', got {strategy!r}")
    if devices is None:
        return tuple(jax.devices())
    return tuple(
        nonempty_of(
            "devices", devices, jax.Device, "a jax.Device", "devices must name at least one device"
        )
    )


def _check_designs(designs) -> tuple:
    return tuple(
        nonempty_of(
            "designs", designs, Design, "a Design", "designs must be a non-empty sequence of Design"
        )
    )


# -- operand packing ---------------------------------------------------------------------------
def _steps(K: int, L: int) -> int:
    return -(-K // L)


def _pack_rows(mask_rows: np.ndarray, n_rows: int, steps_b: int, L: int) -> np.ndarray:
    """bool ``[n, K]`` -> uint32 ``[n_rows, steps_b, NW]`` (zero padded rows and steps)."""
    n, K = mask_rows.shape
    padded = np.zeros((n_rows, steps_b * L), bool)
    padded[:n, :K] = mask_rows
    return _bits.pack_lanes_np(padded.reshape(n_rows, steps_b, L), L)


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
    # Every design is a one-lane, group-sync pure time lookahead: ``_kernel.tile_lookahead``.
    lookahead: bool = False


def _tile_words(exploit: str, a_t, w_t):
    """Pending words ``[Tb, Q, NW]`` of one tile from its packed operand rows.

    ``a_t``: uint32 ``[C, Tb, NW]``; ``w_t``: uint32 ``[R, Tb, NW]``.
    """
    if exploit == "A":
        return jnp.swapaxes(a_t, 0, 1)
    if exploit == "W":
        return jnp.swapaxes(w_t, 0, 1)
    # AW: DPU (r, c) has work where both operands are nonzero; Q = R*C, dg moves along c.
    both = w_t[:, None] & a_t[None, :]  # [R, C, Tb, NW]
    return jnp.moveaxis(both, 2, 0).reshape(both.shape[2], -1, both.shape[3])


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


@functools.cache
def _program(key: _ProgramKey):
    """The jitted program of one bucket: designs x units of one chunk -> per-unit cycles
    ``[n_designs, chunk]`` and per-design counter sums, each unit's counters times its count."""
    shape = _shape_of(key)

    def one(a_t, w_t, count, n_steps, offsets, valid):
        words = _tile_words(key.exploit, a_t, w_t)
        if key.lookahead:
            cycles, counters = tile_lookahead(shape, words, n_steps, offsets, valid, key.activity)
        else:
            cycles, counters = tile_kernel_sync(
                shape, key.sync, words, n_steps, offsets, valid, key.activity
            )
        # A unit stands for ``count`` tiles with this pending array (0: chunk padding).
        return cycles, {k: v * count for k, v in counters.items()}

    over_tiles = jax.vmap(one, in_axes=(0, 0, 0, None, None, None))

    # Designs go one after another (lax.map) and tiles side by side (vmap): the window is then
    # an unbatched scalar inside the kernel, so its rows and shifts are plain dynamic slices
    # rather than per-element gathers, and each design's loop ends with its own work.
    def body(a_c, w_c, count, n_steps, offsets, valid):
        TRACE_COUNT["gemm"] += 1

        def per_design(window):
            cycles, counters = over_tiles(a_c, w_c, count, n_steps, *window)
            return cycles, {k: v.sum(0) for k, v in counters.items()}

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


# -- distinct tiles ---------------------------------------------------------------------------
def _distinct_rows(x: np.ndarray) -> np.ndarray:
    """Class id ``[n]`` of each ``x[i]`` (exact equality of its bytes), ids dense from 0."""
    flat = np.ascontiguousarray(x.reshape(x.shape[0], -1))
    keys = flat.view(np.dtype((np.void, flat.shape[1] * flat.itemsize))).ravel()
    return np.unique(keys, return_inverse=True)[1].reshape(-1)


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


def _evaluate_group(
    designs,
    a,
    w,
    chunk: int | None,
    activity: bool = True,
    devices=(),
    tile_ids=None,
    strategy: str | None = None,
    distinct: bool = True,
    bucket_windows: Sequence[Window] = (),
) -> dict:
    """All designs share core, exploit and sync. Returns host int64 arrays.

    ``tile_ids``: evaluate only these output tiles (row-major over (column tile, row tile)) and
    return per-tile cycles ``[k, len(tile_ids)]`` under ``"tile_cycles"`` as well.
    ``distinct``: schedule each distinct pending array once (False: every tile; same results).
    ``bucket_windows``: windows the program's bucket must serve besides the designs' own.
    """
    d0 = designs[0]
    core = d0.core
    R, C, L = core.rows, core.cols, core.lanes
    M, K = a.shape
    N = w.shape[1]
    T = _steps(K, L)
    n_mt, n_nt = -(-M // C), -(-N // R)
    n_tiles = n_mt * n_nt
    ids = np.arange(n_tiles) if tile_ids is None else np.asarray(tile_ids, np.int64)
    win = _Bucket.of([d.window for d in designs] + list(bucket_windows), T)
    n_designs = _bucket(len(designs), floor=1)
    strategy = strategy or default_strategy(devices)
    if chunk is None:
        chunk = CHUNK_MAP if strategy == "map" else CHUNK_VMAP
    if strategy == "vmap":
        # Designs side by side multiply the live state: keep designs x tiles per call at
        # ``chunk`` so memory stays bounded whatever the number of designs.
        chunk = max(1, chunk // n_designs)

    a_rows = _pack_rows(a, n_mt * C, win.steps_b, L).reshape(n_mt, C, win.steps_b, -1)
    w_rows = _pack_rows(w.T, n_nt * R, win.steps_b, L).reshape(n_nt, R, win.steps_b, -1)
    real_r = np.minimum(R, N - (ids % n_nt) * R)
    real_c = np.minimum(C, M - (ids // n_nt) * C)
    # Units first (their number sets the chunk), then split classes so that no chunk's
    # count-weighted int32 sums can overflow: chunk * max_count tiles at most per chunk.
    budget = chunk_for(T, R * C * L, MAX_CHUNK_TILES)
    units = _units(d0.exploit, a_rows, w_rows, ids, n_nt, real_r, real_c, distinct, n_tiles)
    chunk = chunk_for(T, R * C * L, min(chunk, budget, _bucket(len(units.count), floor=MIN_CHUNK)))
    mesh, chunk = _mesh(devices, n_designs, chunk)
    if units.count.max() * chunk > budget:
        units = _units(
            d0.exploit, a_rows, w_rows, ids, n_nt, real_r, real_c, distinct, max(1, budget // chunk)
        )
    lookahead = all(_lookahead(d) for d in designs)
    key = _ProgramKey(
        d0.exploit, d0.sync, R, C, L, win, n_designs, chunk, activity, mesh, strategy, lookahead
    )
    run = _program(key)
    if not mesh and devices:
        # One device: commit the inputs to it so the program runs there (not on the default).
        place = functools.partial(jax.device_put, device=devices[0])
        run = (lambda f: lambda *args: f(*map(place, args)))(run)
    offs, valid = win.offsets([d.window for d in designs], n_designs, T)

    n_units = len(units.count)
    outs = []
    for start in range(0, n_units, chunk):
        pos = np.arange(start, start + chunk)
        live = pos < n_units
        u = np.where(live, pos, 0)
        count = np.where(live, units.count[u], 0).astype(np.int32)
        # Dispatch every chunk before reading any result back, so host packing of the next
        # chunk overlaps device work on this one.
        outs.append(
            run(a_rows[units.a_tile[u]], w_rows[units.w_tile[u]], count, np.int32(T), offs, valid)
        )
    k = len(designs)
    out = {"tiles": n_tiles}
    for name in outs[0][1]:
        out[name] = sum(np.asarray(o[1][name], np.int64) for o in outs)[:k]
    per_unit = np.concatenate([np.asarray(o[0], np.int64) for o in outs], axis=1)[:k, :n_units]
    out["cycles"] = per_unit @ units.count
    out["row_cycles"] = per_unit @ units.rows
    out["col_cycles"] = per_unit @ units.cols
    out["units"] = n_units
    if tile_ids is not None:
        out["tile_cycles"] = per_unit[:, units.of_tile]
    return out


# False routes every design through the general kernel: the baseline scripts/bench_lookahead.py
# and the tests compare the lookahead kernel with.
USE_LOOKAHEAD = True


def _lookahead(design: Design) -> bool:
    """Scheduled by the single-lane lookahead kernel (``_kernel.is_lookahead``)."""
    return USE_LOOKAHEAD and is_lookahead(design.core.lanes, design.sync, design.window.as_tuples())


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


def sample_tiles(core, n_tiles: int, fraction: float, min_tiles: int, seed: int) -> np.ndarray:
    """The tile sample of one core geometry: ``max(min_tiles, fraction * n)`` distinct tiles
    (all of them when that is not fewer), uniform without replacement, sorted."""
    k = min(n_tiles, max(min_tiles, math.ceil(fraction * n_tiles)))
    if k == n_tiles:
        return np.arange(n_tiles)
    rng = np.random.default_rng([seed, core.rows, core.cols, core.lanes])
    return np.sort(rng.choice(n_tiles, size=k, replace=False))


def gemm_activity_batch(
    designs: Sequence[Design],
    a_mask,
    w_mask,
    *,
    chunk: int | None = DEFAULT_CHUNK,
    activity: bool = True,
    devices=None,
    sample: float | None = None,
    min_tiles: int = 32,
    seed: int = 0,
    strategy: str | None = None,
    bucket_windows: Sequence[Window] = (),
    _distinct: bool = True,
) -> Activity:
    """Exact schedules of many designs on one GEMM ``Out[M, N] = A[M, K] @ W[K, N]``.

    Args:
      designs: D designs (any mix of cores, exploits and syncs; grouped into buckets internally).
      a_mask: bool ``[M, K]``; w_mask: bool ``[K, N]``.
      chunk: tiles per compiled call ("map") or design-tile pairs per call ("vmap"); bounds
        memory and is part of the bucket key. None: 512 on CPU, 65536 on accelerators.
      activity: False skips the activity counters (``taken`` and ``busy_group_cycles`` are
        then zero): a faster program when only cycles are needed.
      devices: devices to shard designs and tiles over (default: every device of JAX's default
        backend); one device runs unsharded. Results do not depend on the device count.
      sample: None (exact) or a tile fraction in (0, 1]: schedule only a uniform random sample
        (without replacement, over all tiles) of ``max(min_tiles, sample * tiles)`` tiles and
        scale the counts (see ``Activity``; ``stderr`` is the cycles' standard error). The
        sample's distinct tiles are scheduled once each, like the whole layer's.
      min_tiles: int >= 2; seed: int >= 0 (one tile sample per core geometry and seed).
      strategy: None (by device: "map" on CPU, "vmap" on accelerators), "map" or "vmap": how
        designs of a bucket are laid out in the compiled program (same results either way).
      bucket_windows: windows of the same exploits that the compiled programs must serve as
        well as the designs' own: the window bucket (offset capacity, depth cap, group pad) is
        taken over both, so calls on different designs of one family (e.g. a search space's
        windows, with its largest one here) share one program per GEMM shape instead of
        compiling for each new bucket. Results do not depend on it; a larger bucket may run a
        little slower.
    Returns: ``Activity`` with per-design arrays of shape ``[D]`` (``taken``: ``[D, W + 1]``).
    """
    designs = _check_designs(designs)
    a, w = check_masks(a_mask, w_mask)
    bucket_windows = tuple(bucket_windows)
    if not all(isinstance(x, Window) for x in bucket_windows):
        raise ValueError("bucket_windows must be a sequence of Window")
    devices = check_options(
        chunk=chunk,
        activity=activity,
        devices=devices,
        sample=sample,
        min_tiles=min_tiles,
        seed=seed,
        strategy=strategy,
    )
    D = len(designs)
    M, K = a.shape
    N = w.shape[1]
    width = _bucket(max(d.window.size for d in designs))
    per = {
        k: np.zeros(D, np.int64)
        for k in (
            "cycles",
            "dense",
            "busy",
            "group_cycles",
            "row_cycles",
            "col_cycles",
            "work",
            "tiles",
            "sampled_tiles",
        )
    }
    per["stderr"] = np.zeros(D)
    per["taken"] = np.zeros((D, width + 1), np.int64)
    per["trees"] = np.zeros((D, width + 1), np.int64)
    groups: dict = {}
    for i, d in enumerate(designs):
        core = d.core
        per["tiles"][i] = -(-M // core.cols) * -(-N // core.rows)
        per["dense"][i] = per["tiles"][i] * _steps(K, core.lanes)
        per["work"][i] = _work(d, a, w)
        per["sampled_tiles"][i] = per["tiles"][i]
        if d.exploit == "none":
            per["cycles"][i] = per["dense"][i]  # the dense core: exactly T cycles per tile
            continue
        groups.setdefault((d.core, d.exploit, d.sync, _lookahead(d)), []).append(i)
    for (core, *_), idx in groups.items():
        n = int(per["tiles"][idx[0]])
        ids = None if sample is None else sample_tiles(core, n, sample, min_tiles, seed)
        if ids is not None and len(ids) == n:
            ids = None
        out = _evaluate_group(
            [designs[i] for i in idx],
            a,
            w,
            chunk,
            activity,
            devices,
            ids,
            strategy,
            _distinct,
            bucket_windows,
        )
        if ids is not None:
            # Scale the sampled sums up to the whole layer (an estimate; see Activity).
            for key in out:
                if key not in ("tiles", "tile_cycles", "units"):
                    out[key] = np.rint(out[key] * (n / len(ids))).astype(np.int64)
            per["sampled_tiles"][idx] = len(ids)
            per["stderr"][idx] = _stderr(out["tile_cycles"], n)
        for key in ("cycles", "busy", "group_cycles", "row_cycles", "col_cycles"):
            per[key][idx] = out[key]
        # a wider bucket (bucket_windows) has more offset columns; past the designs' own they
        # hold zeros
        cols = min(out["taken"].shape[1], width + 1)
        per["taken"][idx, :cols] = out["taken"][:, :cols]
        for j, i in enumerate(idx):
            per["trees"][i] = _trees_per_offset(designs[i].window, out["trees"][j], width)
    return Activity(
        designs,
        per["cycles"],
        per["dense"],
        per["taken"],
        per["busy"],
        per["trees"],
        per["group_cycles"],
        per["row_cycles"],
        per["col_cycles"],
        per["work"],
        per["tiles"],
        per["sampled_tiles"],
        per["stderr"],
    )


def _stderr(tile_cycles: np.ndarray, n: int) -> np.ndarray:
    """Standard error ``[k]`` of ``n * mean`` over a uniform sample without replacement of
    ``tile_cycles`` ``[k, s]`` out of ``n`` tiles (finite-population correction)."""
    s = tile_cycles.shape[1]
    if s >= n or s < 2:
        return np.zeros(tile_cycles.shape[0])
    var = tile_cycles.astype(np.float64).var(axis=1, ddof=1)
    return n * np.sqrt((1 - s / n) * var / s)


def simulate_gemm_batch(
    designs: Sequence[Design],
    a_mask,
    w_mask,
    *,
    chunk: int | None = DEFAULT_CHUNK,
    devices=None,
    strategy: str | None = None,
) -> np.ndarray:
    """Exact cycle counts of many designs on one GEMM.

    Args: as ``gemm_activity_batch``. Returns: int64 ``[D]`` cycles, one per design.
    One compiled program serves every design of a bucket (same core, exploit, sync, window
    capacity and depth cap): a second call with other windows does not recompile.
    """
    return gemm_activity_batch(
        designs, a_mask, w_mask, chunk=chunk, activity=False, devices=devices, strategy=strategy
    ).cycles


def simulate_gemm(
    design: Design, a_mask, w_mask, *, chunk: int | None = DEFAULT_CHUNK
) -> GemmResult:
    """Exact schedule of one design on one GEMM (a_mask bool ``[M, K]``, w_mask bool ``[K, N]``)."""
    if not isinstance(design, Design):
        raise ValueError(f"design must be a Design, got {type(design).__name__}")
    act = gemm_activity_batch([design], a_mask, w_mask, chunk=chunk)
    n = design.window.size + 1
    return GemmResult(
        cycles=int(act.cycles[0]),
        dense_cycles=int(act.dense_cycles[0]),
        tiles=int(act.tiles[0]),
        taken=tuple(int(x) for x in act.taken[0, :n]),
        busy_group_cycles=int(act.busy_group_cycles[0]),
    )


# -- one tile --------------------------------------------------------------------------------------
@functools.cache
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
    win = _Bucket.of([window], T)
    words = np.zeros((win.steps_b, G, _bits.n_limbs(L)), np.uint32)
    words[:T] = np.swapaxes(_bits.pack_lanes_np(arr, L), 0, 1)
    shape = TileShape(blocks=1, groups=G, lanes=L, depth_cap=win.depth_cap, group_pad=win.group_pad)
    offs, valid = win.offsets([window], 1, T)
    cycles, counters = _tile_program(shape, sync, win.steps_b)(
        words, np.int32(T), offs[0], valid[0]
    )
    n = window.size + 1
    return {
        "cycles": int(cycles),
        "taken": tuple(int(x) for x in np.asarray(counters["taken"])[:n]),
        "busy_group_cycles": int(counters["busy"]),
        "tree_group_cycles": tuple(
            int(x)
            for x in _trees_per_offset(window, np.asarray(counters["trees"]), win.capacity)[:n]
        ),
        "group_cycles": int(counters["group_cycles"]),
    }
