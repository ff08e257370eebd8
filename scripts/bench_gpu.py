"""CPU and GPU throughput of the exact scheduler, from one run (same masks, same designs).

Measures, on every backend present (CPU always; GPU when JAX sees one):
1. the foundation benchmark (8x8x16 core, AW, 512x1024 @ 1024x64, densities 0.5/0.4, 8 box
   windows): seconds and dense-equivalent multiplier-slots per second, per design strategy;
2. the same GEMM with 64 box designs (more parallel work per call);
3. network scale (``--network``, default ResNet-50 dual sparse): ``--designs`` designs exact over
   every layer, wall time and peak device memory, on the fastest backend; then the peak memory
   of ``--memory-designs`` designs on the network's first ``--memory-layers`` layers.
Every backend's cycle totals must agree exactly. Prints a table and writes JSON (``--json``).

    python scripts/bench_gpu.py [--network resnet50] [--designs 64] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing

import jax  # noqa: E402

import griffin_jax as gj  # noqa: E402

sys.path.insert(0, HERE)
import cbaseline  # noqa: E402  (scripts/cbaseline.py: the benchmark problem)
from bench_scheduler import best_time  # noqa: E402


def bench_problem():
    """The foundation benchmark problem of ``bench_scheduler.py`` (``cbaseline.bench_problem``)."""
    designs, a, w = cbaseline.bench_problem()
    return designs[0].core, designs, a, w


def grid(core, n):
    out = [
        gj.Design(core, "AW", gj.Window.box(t, l, g))
        for t in (1, 2, 3, 4)
        for l in (0, 1, 2, 3)
        for g in (0, 1, 2, 3)
    ]
    while len(out) < n:  # more designs: other lane reaches at the same capacity bucket
        out += out[: n - len(out)]
    return out[:n]


def timed(fn, repeats):
    fn()  # compile
    return best_time(fn, repeats)


def peak_device_bytes(dev):
    try:
        return int(dev.memory_stats().get("peak_bytes_in_use", 0))
    except Exception:  # CPU devices have no memory stats
        return None


def memory_only(args, core, backends, out) -> int:
    from griffin_jax.workloads import iter_workload

    name = "gpu" if "gpu" in backends else "cpu"
    dev = backends[name]
    chunk = args.chunk_gpu if name == "gpu" else 512
    layers = [
        (L.name, am, wm, L.groups * L.count) for L, am, wm in iter_workload(args.network, "AW", 0)
    ][: args.memory_layers]
    ds = grid(core, args.memory_designs)
    t0 = time.perf_counter()
    gj.simulate_layers(ds, layers, devices=[dev], chunk=chunk)
    out["memory_only"] = {
        "backend": name,
        "designs": len(ds),
        "layers": len(layers),
        "seconds": time.perf_counter() - t0,
        "peak_device_bytes": peak_device_bytes(dev),
        "host_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    print(json.dumps(out["memory_only"]), flush=True)
    _save(out, args.json)
    return 0


def _save(out, path):
    if path:  # after every phase, so a run stopped at its time limit still leaves its numbers
        with open(path, "w") as f:
            json.dump(out, f, indent=2)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--network", default="resnet50")
    p.add_argument("--designs", type=int, default=64)
    p.add_argument("--memory-designs", type=int, default=256)
    p.add_argument("--memory-layers", type=int, default=4)
    p.add_argument("--chunk-gpu", type=int, default=65536)
    p.add_argument("--skip-network", action="store_true")
    p.add_argument(
        "--only-memory",
        action="store_true",
        help="only the memory check, in a fresh process (clean host peak RSS)",
    )
    p.add_argument(
        "--budget-s",
        type=float,
        default=240.0,
        help="stop the network run after the layer that passes this many seconds",
    )
    p.add_argument("--json")
    args = p.parse_args(argv)

    backends = {"cpu": jax.devices("cpu")[0]}
    try:
        backends["gpu"] = jax.devices("gpu")[0]
    except RuntimeError:
        pass
    out = {
        "jax": jax.__version__,
        "devices": {k: str(v) for k, v in backends.items()},
        "cpu_count": os.cpu_count(),
        "runs": [],
    }
    print(f"jax {jax.__version__}; devices: {out['devices']}; {os.cpu_count()} CPU cores")

    core, designs8, a, w = bench_problem()
    if args.only_memory:
        return memory_only(args, core, backends, out)
    slots_per_design = a.shape[0] * w.shape[1] * a.shape[1]
    reference = None
    for label, designs in (("8 designs", designs8), ("64 designs", grid(core, 64))):
        for name, dev in backends.items():
            strategies = ("map", "vmap") if name == "gpu" else ("map",)
            for strat in strategies:
                chunk = args.chunk_gpu if name == "gpu" else 512
                s, cyc = timed(
                    lambda: gj.simulate_gemm_batch(
                        designs, a, w, devices=[dev], strategy=strat, chunk=chunk
                    ),
                    args.repeats,
                )
                key = (label, tuple(cyc.tolist()))
                if reference is None or reference[0] != label:
                    reference = key
                agree = key == reference
                rate = slots_per_design * len(designs) / s
                row = {
                    "problem": label,
                    "backend": name,
                    "strategy": strat,
                    "seconds": s,
                    "slots_per_s": rate,
                    "agrees": agree,
                }
                out["runs"].append(row)
                print(
                    f"{label:10s} {name:4s} {strat:5s} {s:9.4f} s  {rate:10.3e} slots/s  "
                    f"agree={agree}",
                    flush=True,
                )
                _save(out, args.json)
                if not agree:
                    print("CYCLE TOTALS DISAGREE", file=sys.stderr)
                    return 1

    if not args.skip_network:
        best = min(
            (r for r in out["runs"] if r["problem"] == "64 designs"), key=lambda r: r["seconds"]
        )
        dev = backends[best["backend"]]
        chunk = args.chunk_gpu if best["backend"] == "gpu" else 512
        from griffin_jax.workloads import iter_workload

        layers = [
            (L.name, am, wm, L.groups * L.count)
            for L, am, wm in iter_workload(args.network, "AW", 0)
        ]
        ds = grid(core, args.designs)
        t0 = time.perf_counter()
        res = []
        for layer in layers:  # layer by layer, to stop honestly at the time budget
            res += gj.simulate_layers(
                ds, [layer], activity=True, devices=[dev], chunk=chunk, strategy=best["strategy"]
            )
            if time.perf_counter() - t0 > args.budget_s:
                break
        net_s = time.perf_counter() - t0
        tot = gj.network_cycles(res)
        net = {
            "network": args.network,
            "designs": len(ds),
            "backend": best["backend"],
            "strategy": best["strategy"],
            "seconds_incl_compile": net_s,
            "layers": len(layers),
            "layers_done": len(res),
            "peak_device_bytes": peak_device_bytes(dev),
            "host_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "speedup_range": [
                float((tot.dense_cycles / tot.cycles).min()),
                float((tot.dense_cycles / tot.cycles).max()),
            ],
        }
        print(
            f"{args.network} AW exact, {len(ds)} designs on {best['backend']}: "
            f"{len(res)}/{len(layers)} layers in {net_s:.1f} s (incl. compile), "
            f"peak device memory {net['peak_device_bytes']}, "
            f"speedups {net['speedup_range'][0]:.2f}..{net['speedup_range'][1]:.2f}",
            flush=True,
        )
        out["network"] = net
        _save(out, args.json)
        ds_mem = grid(core, args.memory_designs)
        t0 = time.perf_counter()
        gj.simulate_layers(
            ds_mem,
            layers[: args.memory_layers],
            devices=[dev],
            chunk=chunk,
            strategy=best["strategy"],
        )
        net["memory_check"] = {
            "designs": len(ds_mem),
            "layers": args.memory_layers,
            "seconds": time.perf_counter() - t0,
            "peak_device_bytes": peak_device_bytes(dev),
            "host_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }
        print(
            f"memory check, {len(ds_mem)} designs x {args.memory_layers} layers: peak device "
            f"{net['memory_check']['peak_device_bytes']}, host RSS "
            f"{net['memory_check']['host_peak_rss_bytes'] / 2**30:.2f} GiB",
            flush=True,
        )
        _save(out, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
