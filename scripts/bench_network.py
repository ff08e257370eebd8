"""Network scale on this machine: exact ResNet-50 (dual sparse) vs 5% tile sampling.

Runs ``--designs`` box designs over every layer exactly, then with tile sampling, and prints the
wall times and each design's relative error of the sampled network total against the exact one
(goal: within 1% at 5% of the tiles) with its confidence interval.

    python scripts/bench_network.py [--network resnet50] [--designs 4] [--fraction 0.05]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import griffin_jax as gj  # noqa: E402
from griffin_jax.workloads import iter_workload  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--network", default="resnet50")
    p.add_argument("--designs", type=int, default=4)
    p.add_argument("--fraction", type=float, default=0.05)
    args = p.parse_args(argv)
    core = gj.Core(8, 8, 16)
    boxes = [
        (1, 0, 0),
        (2, 1, 0),
        (2, 1, 1),
        (3, 2, 1),
        (1, 1, 0),
        (4, 1, 0),
        (2, 0, 1),
        (3, 1, 1),
    ][: args.designs]
    designs = [gj.Design(core, "AW", gj.Window.box(*b)) for b in boxes]
    layers = [
        (L.name, a, w, L.groups * L.count) for L, a, w in iter_workload(args.network, "AW", 0)
    ]
    # Compile every bucket once (both modes) so the timings below are steady-state.
    gj.simulate_layers(designs, layers, activity=False)
    gj.simulate_layers(designs, layers, sample=args.fraction)
    t0 = time.perf_counter()
    exact = gj.network_cycles(gj.simulate_layers(designs, layers, activity=False))
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    est = gj.network_cycles(gj.simulate_layers(designs, layers, sample=args.fraction))
    t_est = time.perf_counter() - t0
    print(
        f"{args.network} AW, {len(designs)} designs, {len(layers)} layers: exact {t_exact:.1f} s,"
        f" sampled {t_est:.1f} s ({est.sampled_tiles} of {est.total_tiles} tiles, "
        f"{100 * est.sampled_tiles / est.total_tiles:.1f}%)"
    )
    worst = 0.0
    for d, e, s, lo, hi in zip(designs, exact.cycles, est.cycles, est.ci_low, est.ci_high):
        err = (s - e) / e
        worst = max(worst, abs(err))
        print(
            f"  {d.label():16s} exact {int(e):12d}  estimate {s:14.0f}  error {100 * err:+.3f}%"
            f"  95% CI [{lo:.0f}, {hi:.0f}] covers: {lo <= e <= hi}"
        )
    print(f"worst |error| {100 * worst:.3f}% (goal <= 1%)")
    return 0 if worst <= 0.01 else 1


if __name__ == "__main__":
    raise SystemExit(main())
