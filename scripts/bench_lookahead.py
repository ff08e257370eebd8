"""The single-lane lookahead kernel against the general kernel (both paths in one run).

``sparten_like`` (32 x 32 DPUs x 1 lane, group sync, ``box(time=15)``) is the design the paper
experiment spent most of its time on: the general kernel visits all 15 offsets every cycle of
every one-lane group. ``_kernel.lookahead_kernel`` walks each group's steps once. This script
times ``gemm_activity_batch`` for it with ``_gemm.USE_LOOKAHEAD`` on and off on the same
ResNet-50 layers of a model category, checks that every counter agrees, and prints seconds
(best of ``--repeats`` after one warm-up call each) and the ratio.

    python scripts/bench_lookahead.py [--category AW] [--layers 0 2 10 23] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The distinct-tiles benchmark's counters and timing (this script's folder is on the path).
from bench_distinct import FIELDS, timed  # noqa: E402

import griffin_jax as gj  # noqa: E402
from griffin_jax.sim import _gemm  # noqa: E402
from griffin_jax.workloads import iter_workload  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--category", default="AW", choices=("dense", "W", "A", "AW"))
    p.add_argument("--layers", type=int, nargs="*", default=[0, 2, 10, 23])
    p.add_argument("--repeats", type=int, default=1)
    args = p.parse_args(argv)
    design = gj.design.preset("sparten_like").mode(args.category)
    layers = list(iter_workload("resnet50", args.category, 0))
    print(f"sparten_like ({design.core}, {design.window.size} offsets), ResNet-50 {args.category}")
    total = {True: 0.0, False: 0.0}
    for i in args.layers:
        _, a, w = layers[i]
        out, secs = {}, {}
        for fast in (True, False):
            _gemm.USE_LOOKAHEAD = fast
            secs[fast], out[fast] = timed(
                lambda: gj.gemm_activity_batch([design], a, w), args.repeats
            )
            total[fast] += secs[fast]
        _gemm.USE_LOOKAHEAD = True
        for f in FIELDS:
            if not np.array_equal(getattr(out[True], f), getattr(out[False], f)):
                raise SystemExit(f"layer {i}: {f} differs between the kernels")
        print(
            f"layer {i:2d} M={a.shape[0]:5d} K={a.shape[1]:4d} N={w.shape[1]:4d}: general "
            f"{secs[False]:.2f} s, lookahead {secs[True]:.2f} s, "
            f"{secs[False] / secs[True]:.1f}x",
            flush=True,
        )
    print(
        f"all layers: general {total[False]:.2f} s, lookahead {total[True]:.2f} s, "
        f"{total[False] / total[True]:.1f}x (every counter equal)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
