"""Peak RSS and wall time of the scheduler with and without a memory budget (both in one run).

The case that made RSS jump (issue 24): BERT-base's fused ``qkv`` layer (M=128 x batch,
K=768, N=2304) of a model category, scheduled for ``sparten_like`` and ``tensordash_like`` built on
the 8 x 8 x 16 core. ``sparten_like`` runs on 32 x 32 one-lane DPUs, so the single-lane
lookahead kernel's item positions (a chunk of units x items x 1024 groups) dominate. Each setting
runs in a fresh child process (peak RSS from ``resource.getrusage`` is per process and never
goes down), the children's counters are checked equal, and the parent prints both.

    python scripts/bench_memory.py [--category AW] [--memory-gb 1.0] [--seed 0] [--batch 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FIELDS = ("cycles", "taken", "busy_group_cycles", "tree_group_cycles", "group_cycles")


def _child(category: str, seed: int, batch: int, memory_gb: float | None) -> dict:
    import griffin_jax as gj
    from griffin_jax.workloads import network_layers

    core = gj.Core(8, 8, 16)
    designs = [
        gj.design.preset(name, core).mode(category) for name in ("sparten_like", "tensordash_like")
    ]
    layers = network_layers("bert_base", category, seed, batch=batch)
    layer = next(g for g in layers if "qkv" in g.name)
    # ru_maxrss is in KiB on Linux; before the call: the masks, JAX and the package.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    start = time.perf_counter()
    act = gj.gemm_activity_batch(designs, layer.a_mask, layer.w_mask, memory_gb=memory_gb)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    return {
        "layer": f"{layer.name} M={layer.a_mask.shape[0]} K={layer.a_mask.shape[1]} "
        f"N={layer.w_mask.shape[1]}",
        "designs": [f"{d.core} {d.exploit} {d.sync} {d.window.size} offsets" for d in designs],
        "wall_s": wall,
        "peak_rss_gb": peak,
        "rss_before_gb": before,
        "counters": {f: np.asarray(getattr(act, f)).tolist() for f in FIELDS},
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--category", default="AW", choices=("W", "A", "AW"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch", type=int, default=1, help="sequences of 128 tokens (M = 128 batch)")
    p.add_argument("--memory-gb", type=float, default=1.0, help="the budgeted run's memory_gb")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child is not None:
        budget = None if args.child == "none" else float(args.child)
        print(json.dumps(_child(args.category, args.seed, args.batch, budget)))
        return 0
    runs = {}
    for label, value in (("no budget", "none"), (f"memory_gb={args.memory_gb:g}", args.memory_gb)):
        cmd = [sys.executable, os.path.abspath(__file__), "--category", args.category]
        cmd += ["--seed", str(args.seed), "--batch", str(args.batch), "--child", str(value)]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True)
        runs[label] = json.loads(done.stdout.strip().splitlines()[-1])
    first = next(iter(runs.values()))
    print(f"{first['layer']} ({args.category}); designs: {'; '.join(first['designs'])}")
    for label, r in runs.items():
        print(
            f"{label:>14}: peak RSS {r['peak_rss_gb']:.2f} GB (before the call "
            f"{r['rss_before_gb']:.2f} GB), scheduler {r['wall_s']:.1f} s"
        )
    same = all(r["counters"] == first["counters"] for r in runs.values())
    if not same:
        raise SystemExit("the counters differ between the runs")
    print("every counter equal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
