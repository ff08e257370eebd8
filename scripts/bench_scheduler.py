"""Benchmark the exact scheduler: JAX batched path vs the pure-Python reference vs the C baseline.

The fixed problem (issue "Foundation", item 6): an 8x8 core with 16 lanes exploiting AW, a
512x1024 by 1024x64 GEMM at activation density 0.5 and weight density 0.4, 8 box windows.
All three run in this process on the same masks and windows, and the script prints
dense-equivalent multiplier-slots per second (M*N*K per design) for each, and the ratios.

The reference is far too slow for the whole GEMM, so it runs on the first ``--ref-tiles``
output tiles of every design (a sub-GEMM) and its rate is measured there; the JAX path is
checked against it on that sub-GEMM, and against the C baseline on the whole GEMM.

JAX and C repeats alternate and each keeps its best time, so a burst of load on a shared
machine slows both rather than one. ``--devices N`` gives JAX N host CPU devices (designs and
tiles shard over them, ``gemm_activity_batch(devices=...)``); the default is one.

    python scripts/bench_scheduler.py [--repeats 10] [--devices 1] [--ref-tiles 2] [--no-c]
                                      [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cbaseline  # noqa: E402  (scripts/cbaseline.py: the C speed-of-light baseline)

import griffin_jax as gj  # noqa: E402


def best_time(fn, repeats):
    """Best wall time of ``repeats`` calls of ``fn`` and its last result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import jax

    return f"{cpu}, {os.cpu_count()} cores, jax {jax.__version__} on {jax.default_backend()}"


def run(repeats: int = 10, ref_tiles: int = 2, with_c: bool = True) -> dict:
    import jax

    designs, a, w = cbaseline.bench_problem()
    M, K = a.shape
    N = w.shape[1]
    slots = M * N * K * len(designs)
    out = {
        "machine": machine(),
        "designs": [d.label() for d in designs],
        "slots": slots,
        "jax_devices": len(jax.devices()),
        "repeats": repeats,
    }

    t0 = time.perf_counter()
    jax_cycles = gj.simulate_gemm_batch(designs, a, w)
    out["jax_first_call_s"] = time.perf_counter() - t0
    out["cycles"] = [int(c) for c in jax_cycles]
    with_c = with_c and cbaseline.compiler() is not None
    if with_c:
        cbaseline.build()
    jax_best = c_best = None
    for _ in range(repeats):  # alternate, so both see the same machine load
        t, again = best_time(lambda: gj.simulate_gemm_batch(designs, a, w), 1)
        assert np.array_equal(again, jax_cycles)
        jax_best = t if jax_best is None else min(jax_best, t)
        if with_c:
            res = cbaseline.gemm_batch_timed(designs, a, w)
            if (
                c_best is None
                or res["pack_s"] + res["schedule_s"] < c_best["pack_s"] + c_best["schedule_s"]
            ):
                c_best = res
    out["jax_s"] = jax_best
    out["jax_slots_per_s"] = slots / out["jax_s"]

    # Reference on a sub-GEMM of `ref_tiles` output tiles (first column tiles, first row tile).
    core = designs[0].core
    a_sub, w_sub = a[: ref_tiles * core.cols], w[:, : core.rows]
    sub_slots = a_sub.shape[0] * w_sub.shape[1] * K * len(designs)
    t0 = time.perf_counter()
    ref = [gj.reference_gemm(d, a_sub, w_sub)["cycles"] for d in designs]
    out["ref_s"] = time.perf_counter() - t0
    out["ref_slots_per_s"] = sub_slots / out["ref_s"]
    out["ref_agrees"] = ref == gj.simulate_gemm_batch(designs, a_sub, w_sub).tolist()
    out["jax_over_ref"] = out["jax_slots_per_s"] / out["ref_slots_per_s"]

    if with_c:
        out["c_s"] = c_best["pack_s"] + c_best["schedule_s"]
        out["c_slots_per_s"] = slots / out["c_s"]
        out["c_agrees"] = bool(np.array_equal(c_best["cycles"], jax_cycles))
        out["jax_over_c"] = out["jax_slots_per_s"] / out["c_slots_per_s"]
    return out


def report(out: dict) -> None:
    print(f"machine: {out['machine']}")
    print(
        f"problem: 8x8x16 core, AW, 512x1024 @ 1024x64, densities 0.5/0.4, "
        f"{len(out['designs'])} box windows ({out['slots']:.3g} dense-equivalent slots)"
    )
    print(f"{'path':28s} {'seconds':>10s} {'slots/s':>12s}")
    print(
        f"{'JAX simulate_gemm_batch':28s} {out['jax_s']:10.3f} {out['jax_slots_per_s']:12.3e}"
        f"   ({out['jax_devices']} device(s); first call incl. compile "
        f"{out['jax_first_call_s']:.2f} s)"
    )
    print(
        f"{'pure-Python reference':28s} {out['ref_s']:10.3f} {out['ref_slots_per_s']:12.3e}"
        f"   (sub-GEMM; agrees with JAX: {out['ref_agrees']})"
    )
    if "c_s" in out:
        print(
            f"{'C baseline (1 thread)':28s} {out['c_s']:10.3f} {out['c_slots_per_s']:12.3e}"
            f"   (agrees with JAX: {out['c_agrees']})"
        )
    print(
        f"JAX / reference: {out['jax_over_ref']:.0f}x  (foundation goal >= 100x, "
        f"performance goal >= 1000x)"
    )
    if "jax_over_c" in out:
        print(f"JAX / C baseline: {out['jax_over_c']:.3f}  (performance goal >= 0.5)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument(
        "--devices", type=int, default=1, help="host CPU devices JAX shards designs and tiles over"
    )
    p.add_argument("--ref-tiles", type=int, default=2)
    p.add_argument("--no-c", action="store_true", help="skip the C baseline")
    p.add_argument("--json", help="also write the measurements to this file")
    args = p.parse_args(argv)
    if args.devices < 1:
        p.error("--devices must be >= 1")
    import jax

    # Must precede the first use of a JAX backend in this process.
    jax.config.update("jax_num_cpu_devices", args.devices)
    out = run(args.repeats, args.ref_tiles, not args.no_c)
    report(out)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)
    ok = out["ref_agrees"] and out.get("c_agrees", True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
