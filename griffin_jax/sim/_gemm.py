"""GEMM-level evaluation: the public entry points (docs/model.md section 2: tiling; section 3:
schedules), each design group evaluated on its distinct tiles.

``gemm_activity_batch`` groups designs by core, exploit, sync and kernel; ``_evaluate_group``
packs the operands, groups the tiles into distinct units (``_units``), sizes the chunks and runs
the compiled program of the group's bucket (``_program``) chunk by chunk. Totals are
accumulated on the host in int64, so a full network never overflows.
``gemm_activity_batch(_distinct=False)`` schedules every tile (the reference layout the tests
and ``scripts/bench_distinct.py`` compare against).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

import jax
import numpy as np

from griffin_jax._checks import nonempty_of
from griffin_jax.design._core import Design, Window
from griffin_jax.sim import _bits, _program
from griffin_jax.sim._kernel import TileShape, is_lookahead, tile_kernel_sync
from griffin_jax.sim._program import (
    DEFAULT_CHUNK,
    DEFAULT_MEMORY_GB,
    TRACE_COUNT,
    _Bucket,
    _bucket,
    _ProgramKey,
    default_strategy,
)
from griffin_jax.sim._sampling import _stderr, sample_tiles
from griffin_jax.sim._units import (
    _count_bytes,
    _lookahead_inputs,
    _most_items,
    _Nonzeros,
    _steps,
    _tile_operands,
    _trees_per_offset,
    _units,
    _work,
)


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
def check_bool_array(name: str, value, ndim: int, layout: str) -> np.ndarray:
    """``value`` as a numpy bool array of ``ndim`` non-zero sizes, else ``ValueError`` naming
    ``name`` (``layout``: how the message states the expected shape, e.g. ``"2-D"``)."""
    arr = np.asarray(value)
    if arr.dtype != np.bool_:
        raise ValueError(f"{name} must be a bool array, got dtype {arr.dtype}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {layout}, got shape {arr.shape}")
    if 0 in arr.shape:
        raise ValueError(f"{name} must have non-zero sizes, got shape {arr.shape}")
    return arr


def check_masks(a_mask, w_mask):
    """Validate ``a_mask`` bool ``[M, K]`` and ``w_mask`` bool ``[K, N]``; return numpy bools."""
    a = check_bool_array("a_mask", a_mask, 2, "2-D")
    w = check_bool_array("w_mask", w_mask, 2, "2-D")
    if a.shape[1] != w.shape[0]:
        raise ValueError(f"a_mask is [M, K={a.shape[1]}] but w_mask is [K={w.shape[0]}, N]")
    return a, w


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def check_options(
    *,
    chunk=None,
    activity=True,
    devices=None,
    sample=None,
    min_tiles=32,
    seed=0,
    strategy=None,
    memory_gb=None,
) -> tuple:
    """Check the scheduler options shared by every entry point (one wording per mistake);
    returns the devices as a tuple (default: every device of JAX's default backend)."""
    if memory_gb is not None and (
        isinstance(memory_gb, bool)
        or not isinstance(memory_gb, (int, float, np.floating))
        or not 0 < memory_gb < float("inf")
    ):
        raise ValueError(f"memory_gb must be None or a positive number of GB, got {memory_gb!r}")
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
    memory_gb: float | None = None,
) -> dict:
    """All designs share core, exploit and sync. Returns host int64 arrays.

    ``tile_ids``: evaluate only these output tiles (row-major over (column tile, row tile)) and
    return per-tile cycles ``[k, len(tile_ids)]`` under ``"tile_cycles"`` as well.
    ``distinct``: schedule each distinct pending array once (False: every tile; same results).
    ``bucket_windows``: windows the program's bucket must serve besides the designs' own.
    ``memory_gb``: the scheduler's working-set budget (``None``: chunks by device only).
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
    chunk = _program.requested_chunk(chunk, strategy, n_designs)

    a_rows = _tile_operands(a, n_mt, C, win.steps_b, L)  # [n_mt, Tb, C, NW]
    w_rows = _tile_operands(w.T, n_nt, R, win.steps_b, L)  # [n_nt, Tb, R, NW]
    real_r = np.minimum(R, N - (ids % n_nt) * R)
    real_c = np.minimum(C, M - (ids // n_nt) * C)
    # Units first (their number sets the chunk), then split classes so that no chunk's
    # count-weighted int32 sums can overflow: chunk * max_count tiles at most per chunk.
    budget = _program.chunk_budget(T, R * C * L)
    units = _units(d0.exploit, a_rows, w_rows, ids, n_nt, real_r, real_c, distinct, n_tiles)
    lookahead = all(_lookahead(d) for d in designs)
    # The single-lane lookahead kernel walks each group's items, found on the host: rows of
    # positions per group, a compile bucket of the busiest group's item count (counted in
    # waves of units that fit the memory budget).
    items = 0
    if lookahead:
        n_units = len(units.count)
        wave = _program.memory_chunk(n_units, _count_bytes(d0.exploit, R, C, T), memory_gb)
        most = _most_items(d0.exploit, a_rows, w_rows, units.a_tile, units.w_tile, T, wave)
        items = _bucket(most, floor=8)
    # The memory budget caps the chunk (its inputs, their device copies and the kernel state).
    per_unit = _program.unit_bytes(d0.exploit, R, C, L, win, items, n_designs, strategy)
    chunk = _program.memory_chunk(chunk, per_unit, memory_gb)
    mesh, chunk = _program.fit_chunk(chunk, T, R * C * L, len(units.count), devices, n_designs)
    if units.count.max() * chunk > budget:
        units = _units(
            d0.exploit, a_rows, w_rows, ids, n_nt, real_r, real_c, distinct, max(1, budget // chunk)
        )
    key = _ProgramKey(
        d0.exploit,
        d0.sync,
        R,
        C,
        L,
        win,
        n_designs,
        chunk,
        activity,
        mesh,
        strategy,
        lookahead,
        items,
    )
    run = _program.program(key, _program.program_capacity(memory_gb))
    if not mesh and devices:
        # One device: commit the inputs to it so the program runs there (not on the default).
        place = functools.partial(jax.device_put, device=devices[0])
        run = (lambda f: lambda *args: f(*map(place, args)))(run)
    offs, valid = win.offsets([d.window for d in designs], n_designs, T)

    n_units = len(units.count)
    outs = []
    # Under a budget at most ``in_flight`` chunks are queued: older results are read back
    # (their device buffers freed) before the next chunk is packed.
    queued = _program.in_flight(memory_gb)
    for start in range(0, n_units, chunk):
        pos = np.arange(start, start + chunk)
        live = pos < n_units
        u = np.where(live, pos, 0)
        count = np.where(live, units.count[u], 0).astype(np.int32)
        if lookahead:
            here = slice(start, min(n_units, start + chunk))
            args = _lookahead_inputs(
                d0.exploit, a_rows, w_rows, units.a_tile[here], units.w_tile[here], T, items, chunk
            )
        else:
            args = (a_rows[units.a_tile[u]], w_rows[units.w_tile[u]])
        # Dispatch every chunk before reading any result back, so host packing of the next
        # chunk overlaps device work on this one.
        outs.append(run(*args, count, np.int32(T), offs, valid))
        del args
        if queued is not None and len(outs) > queued:
            outs[-queued - 1] = jax.device_get(outs[-queued - 1])
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
    memory_gb: float | None = DEFAULT_MEMORY_GB,
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
      memory_gb: float > 0 or None: the scheduler's memory budget (default
        ``DEFAULT_MEMORY_GB``): the data in flight (chunks, their host copies, the kernel's
        state, the host's per-unit phases) is kept within about half of it by sizing the
        chunks, and the compiled programs kept within it (``_program.program_capacity``, least
        recently used dropped first); None sizes chunks by device only and keeps programs until
        the memory mappings crowd. Results do not depend on it.
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
        memory_gb=memory_gb,
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
    # Counted once per GEMM (the dense core needs none).
    nonzeros = _Nonzeros.of(a, w) if any(d.exploit != "none" for d in designs) else None
    for i, d in enumerate(designs):
        core = d.core
        per["tiles"][i] = -(-M // core.cols) * -(-N // core.rows)
        per["dense"][i] = per["tiles"][i] * _steps(K, core.lanes)
        per["work"][i] = _work(d, M, K, N, nonzeros)
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
            None if memory_gb is None else float(memory_gb),
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
