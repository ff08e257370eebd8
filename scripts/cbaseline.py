"""Speed-of-light baseline: the griffin_jax scheduler in single-threaded, bit-packed C.

``scripts/cbaseline/scheduler.c`` implements spec sections 1-3 (docs/model.md) exactly;
this module compiles it with the system C compiler (``cc``, or ``$CC``) into
``scripts/_build/`` and calls it through ctypes. Only numpy and ctypes are needed; ``main()``
(``python scripts/cbaseline.py``) also imports griffin_jax to time the JAX path on the same
inputs and check that both agree on every cycle total.

Public surface::

    build(out_dir=None) -> pathlib.Path        # compile when the source is newer
    gemm_cycles(design, a_mask, w_mask) -> {"cycles", "taken", "busy"}
    gemm_cycles_batch(designs, a_mask, w_mask) -> int64 [D]
    gemm_batch_timed(designs, a_mask, w_mask) -> dict with pack / schedule seconds
"""

from __future__ import annotations

import ctypes
import os
import pathlib
import shutil
import subprocess
import tempfile
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
SOURCE = HERE / "cbaseline" / "scheduler.c"
BUILD_DIR = HERE / "_build"
LIB_NAME = "libgriffin_cbaseline.so"
# -march=native lets the compiler vectorise the per-group loops; dropped if the compiler refuses.
CFLAGS = ("-O3", "-march=native", "-std=c99", "-shared", "-fPIC")
EXPLOIT_CODES = {"none": 0, "A": 1, "W": 2, "AW": 3}
SYNC_CODES = {"core": 0, "group": 1}
_ERRORS = {
    -1: "a size is not positive or lanes > 64",
    -2: "exploit or sync code is unknown",
    -3: "window offset invalid (dt < 1, |dl| >= lanes, or dg with sync='group')",
    -4: "out of memory",
}

_LIBS: dict = {}


def compiler() -> str | None:
    """The C compiler to use: ``$CC`` if set, else ``cc``; ``None`` when neither is found."""
    name = os.environ.get("CC", "cc")
    return shutil.which(name)


def build(out_dir=None) -> pathlib.Path:
    """Compile ``scheduler.c`` into a shared library unless an up-to-date one exists.

    Args: out_dir: folder for the library (default ``scripts/_build``, gitignored).
    Returns: the library's path. Raises ``RuntimeError`` if no C compiler is found or it fails.
    """
    out = pathlib.Path(out_dir) if out_dir is not None else BUILD_DIR
    lib = out / LIB_NAME
    if lib.exists() and lib.stat().st_mtime >= SOURCE.stat().st_mtime:
        return lib
    cc = compiler()
    if cc is None:
        raise RuntimeError(
            f"no C compiler found (looked for {os.environ.get('CC', 'cc')!r}; set $CC) "
            "to build the speed-of-light baseline"
        )
    out.mkdir(parents=True, exist_ok=True)
    # Build under a temporary name and rename: concurrent builders never see a half-written file.
    fd, tmp = tempfile.mkstemp(suffix=".so", dir=out)
    os.close(fd)
    errors = []
    try:
        for flags in (CFLAGS, tuple(f for f in CFLAGS if f != "-march=native")):
            proc = subprocess.run(
                [cc, *flags, "-o", tmp, str(SOURCE)], capture_output=True, text=True
            )
            if proc.returncode == 0:
                os.replace(tmp, lib)
                return lib
            errors.append(f"{cc} {' '.join(flags)}: {proc.stderr.strip()}")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    raise RuntimeError("compiling the C baseline failed:\n" + "\n".join(errors))


def _lib() -> ctypes.CDLL:
    path = build()
    key = str(path)
    if key not in _LIBS:
        lib = ctypes.CDLL(key)
        i32, i64 = ctypes.c_int, ctypes.c_int64
        ptr = ctypes.c_void_p
        lib.gc_pack_rows.argtypes = [ptr, i32, i32, i32, ptr]
        lib.gc_pack_rows.restype = i32
        lib.gc_pack_cols.argtypes = [ptr, i32, i32, i32, ptr]
        lib.gc_pack_cols.restype = i32
        lib.gc_gemm_cycles_packed.argtypes = [i32] * 8 + [ptr, ptr, i32, ptr, ptr, ptr]
        lib.gc_gemm_cycles_packed.restype = i64
        lib.gc_gemm_cycles.argtypes = [i32] * 8 + [ptr, ptr, i32, ptr, ptr, ptr]
        lib.gc_gemm_cycles.restype = i64
        _LIBS[key] = lib
    return _LIBS[key]


def _ptr(arr: np.ndarray):
    return arr.ctypes.data_as(ctypes.c_void_p)


def _masks(a_mask, w_mask):
    """bool ``[M, K]`` and ``[K, N]`` -> C-contiguous uint8 views (no copy for contiguous bools)."""
    out = []
    for name, m in (("a_mask", a_mask), ("w_mask", w_mask)):
        arr = np.asarray(m)
        if arr.dtype != np.bool_:
            raise ValueError(f"{name} must be a bool array, got dtype {arr.dtype}")
        if arr.ndim != 2 or 0 in arr.shape:
            raise ValueError(f"{name} must be 2-D with non-zero sizes, got shape {arr.shape}")
        out.append(np.ascontiguousarray(arr).view(np.uint8))
    a, w = out
    if a.shape[1] != w.shape[0]:
        raise ValueError(f"a_mask is [M, K={a.shape[1]}] but w_mask is [K={w.shape[0]}, N]")
    return a, w


def _pack(lib, a: np.ndarray, w: np.ndarray, lanes: int):
    """Packed operands for one lane count: uint64 ``[M, T]`` and ``[N, T]``."""
    M, K = a.shape
    N = w.shape[1]
    T = -(-K // lanes)
    ap = np.empty((M, T), np.uint64)
    wp = np.empty((N, T), np.uint64)
    if lib.gc_pack_rows(_ptr(a), M, K, lanes, _ptr(ap)) or lib.gc_pack_cols(
        _ptr(w), K, N, lanes, _ptr(wp)
    ):
        raise ValueError(f"cannot pack masks for lanes={lanes}")
    return ap, wp


def _schedule(lib, design, a_shape, N: int, ap, wp) -> dict:
    core = design.core
    M, K = a_shape
    offs = np.ascontiguousarray(np.asarray(design.window.as_tuples(), np.int32).reshape(-1, 3))
    taken = np.zeros(len(offs) + 1, np.int64)
    busy = np.zeros(1, np.int64)
    if design.exploit not in EXPLOIT_CODES:
        raise ValueError(f"design.exploit must be one of {tuple(EXPLOIT_CODES)}")
    if design.sync not in SYNC_CODES:
        raise ValueError(f"design.sync must be one of {tuple(SYNC_CODES)}")
    cycles = lib.gc_gemm_cycles_packed(
        EXPLOIT_CODES[design.exploit],
        SYNC_CODES[design.sync],
        core.rows,
        core.cols,
        core.lanes,
        M,
        N,
        K,
        _ptr(ap),
        _ptr(wp),
        len(offs),
        _ptr(offs),
        _ptr(taken),
        _ptr(busy),
    )
    if cycles < 0:
        raise ValueError(f"design: {_ERRORS.get(cycles, f'C error {cycles}')}")
    return {"cycles": int(cycles), "taken": tuple(int(x) for x in taken), "busy": int(busy[0])}


def gemm_batch_timed(designs, a_mask, w_mask) -> dict:
    """Schedule every design on one GEMM; time packing and scheduling separately.

    Args: designs: sequence of griffin_jax ``Design``; a_mask bool ``[M, K]``; w_mask bool
      ``[K, N]``. Operands are packed once per distinct lane count.
    Returns: dict with ``cycles`` int64 ``[D]``, ``taken`` (list of per-design tuples: own slot,
      then each offset), ``busy`` int64 ``[D]`` (busy group-cycles), ``pack_s`` and
      ``schedule_s`` (wall seconds), ``schedule_cpu_s`` (this process's CPU seconds while
      scheduling: the C code is single-threaded, so this is robust to a loaded machine).
    """
    designs = tuple(designs)
    if not designs:
        raise ValueError("designs must be a non-empty sequence of Design")
    lib = _lib()
    t_start = time.perf_counter()
    a, w = _masks(a_mask, w_mask)
    packed = {}
    for d in designs:
        if d.exploit != "none" and d.core.lanes not in packed:
            packed[d.core.lanes] = _pack(lib, a, w, d.core.lanes)
    t_packed = time.perf_counter()
    cpu_packed = time.process_time()
    empty = np.zeros((1, 1), np.uint64)  # never read: exploit "none" needs no operands
    results = [
        _schedule(lib, d, a.shape, w.shape[1], *packed.get(d.core.lanes, (empty, empty)))
        for d in designs
    ]
    t_done = time.perf_counter()
    cpu_done = time.process_time()
    return {
        "cycles": np.array([r["cycles"] for r in results], np.int64),
        "taken": [r["taken"] for r in results],
        "busy": np.array([r["busy"] for r in results], np.int64),
        "pack_s": t_packed - t_start,
        "schedule_s": t_done - t_packed,
        "schedule_cpu_s": cpu_done - cpu_packed,
    }


def gemm_cycles(design, a_mask, w_mask) -> dict:
    """One design on one GEMM: ``{"cycles": int, "taken": tuple, "busy": int}``.

    ``taken`` has ``window.size + 1`` entries (own slot first); ``busy`` is the busy
    group-cycles, as ``griffin_jax.reference_gemm``'s ``busy_group_cycles``.
    """
    out = gemm_batch_timed([design], a_mask, w_mask)
    return {"cycles": int(out["cycles"][0]), "taken": out["taken"][0], "busy": int(out["busy"][0])}


def gemm_cycles_batch(designs, a_mask, w_mask) -> np.ndarray:
    """Cycle totals of many designs on one GEMM: int64 ``[D]``."""
    return gemm_batch_timed(designs, a_mask, w_mask)["cycles"]


# -- the benchmark measurement ----------------------------------------------------------------
BENCH_WINDOWS = (
    (1, 0, 0),
    (1, 1, 0),
    (2, 0, 0),
    (2, 1, 0),
    (1, 0, 1),
    (2, 1, 1),
    (3, 1, 0),
    (1, 2, 1),
)


def bench_problem():
    """The benchmark GEMM: 8x8 core, 16 lanes, AW, 8 box windows; A 512x1024 at density 0.5,
    W 1024x64 at density 0.4, numpy default_rng(0)."""
    import griffin_jax as gj

    rng = np.random.default_rng(0)
    a = rng.random((512, 1024)) < 0.5
    w = rng.random((1024, 64)) < 0.4
    core = gj.Core(rows=8, cols=8, lanes=16)
    designs = [gj.Design(core=core, exploit="AW", window=gj.Window.box(*b)) for b in BENCH_WINDOWS]
    return designs, a, w


def main(repeats: int = 3) -> dict:
    """Time the C baseline and ``gj.simulate_gemm_batch`` on the benchmark problem; print both."""
    import griffin_jax as gj

    designs, a, w = bench_problem()
    M, K = a.shape
    N = w.shape[1]
    slots = M * N * K * len(designs)  # dense-equivalent multiplier slots
    build()
    best = None
    for _ in range(repeats):
        out = gemm_batch_timed(designs, a, w)
        if best is None or out["pack_s"] + out["schedule_s"] < best["pack_s"] + best["schedule_s"]:
            best = out
    c_s = best["pack_s"] + best["schedule_s"]

    gj.simulate_gemm_batch(designs, a, w)  # first call compiles
    jax_s = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        jax_cycles = np.asarray(gj.simulate_gemm_batch(designs, a, w))
        jax_s = min(jax_s, time.perf_counter() - t0)
    agree = bool(np.array_equal(jax_cycles, best["cycles"]))

    print(f"C baseline ({' '.join(CFLAGS)}), best of {repeats}:")
    print(
        f"  pack {best['pack_s'] * 1e3:.2f} ms, schedule {best['schedule_s'] * 1e3:.2f} ms, "
        f"total {c_s * 1e3:.2f} ms, {slots / c_s:.3e} dense-equivalent slots/s "
        f"(schedule CPU time {best['schedule_cpu_s'] * 1e3:.2f} ms)"
    )
    print(
        f"gj.simulate_gemm_batch (after compile), best of {repeats}: {jax_s * 1e3:.2f} ms, "
        f"{slots / jax_s:.3e} dense-equivalent slots/s"
    )
    for d, c, j in zip(designs, best["cycles"], jax_cycles):
        print(f"  {d.label():16s} C {int(c):8d}  JAX {int(j):8d}")
    print(f"cycles agree: {agree}")
    if not agree:
        raise SystemExit("C baseline and simulate_gemm_batch disagree")
    return {
        "c_s": c_s,
        "pack_s": best["pack_s"],
        "schedule_s": best["schedule_s"],
        "schedule_cpu_s": best["schedule_cpu_s"],
        "jax_s": jax_s,
        "slots": slots,
        "agree": agree,
    }


if __name__ == "__main__":
    main()
