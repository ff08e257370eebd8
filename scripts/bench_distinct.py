"""Distinct tiles: time follows distinct pending arrays, not tiles (both paths in one run).

Times ``gemm_activity_batch`` scheduling each distinct tile once (the default) against the
every-tile path (``_distinct=False``) on the same masks, checks that every counter agrees, and
prints tiles, distinct units and seconds (best of ``--repeats`` after one warm-up call each):
  1. W designs on ResNet-50's first conv (1568 pixel tiles x 8 channel tiles on 8x8x16), a
     W-category model (dense activations, sparse weights);
  2. A designs on the same layer of an A-category model (sparse activations, dense weights);
  3. AW designs on the first ``--aw-layers`` layers of the W-category model (dense activations:
     an AW design sees one pending array per channel tile and pixel-tile kind).

  4. ``--network`` (instead of 1-3): every layer of ResNet-50 exact (with activity counters, as
     the study runs it), per model category, for dense + 4 A + 4 W + 4 AW box designs.

    python scripts/bench_distinct.py [--repeats 2] [--aw-layers 4] [--network]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import griffin_jax as gj  # noqa: E402
from griffin_jax.sim import _gemm  # noqa: E402
from griffin_jax.workloads import iter_workload  # noqa: E402

FIELDS = (
    "cycles",
    "taken",
    "busy_group_cycles",
    "tree_group_cycles",
    "group_cycles",
    "row_cycles",
    "col_cycles",
)


def timed(fn, repeats):
    fn()  # compile
    best, out = float("inf"), None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def compare(label, designs, layers, repeats):
    """Both paths on every layer of ``layers`` [(name, a, w)]; prints one line."""

    def run(distinct):
        return [gj.gemm_activity_batch(designs, a, w, _distinct=distinct) for _, a, w in layers]

    t_new, new = timed(lambda: run(True), repeats)
    t_old, old = timed(lambda: run(False), repeats)
    same = all(
        np.array_equal(getattr(x, f), getattr(y, f)) for x, y in zip(new, old) for f in FIELDS
    )
    tiles = sum(int(x.tiles[0]) for x in new)
    units = {}  # distinct units per exploit (the first design of each)
    for d in designs:
        if d.exploit != "none" and d.exploit not in units:
            units[d.exploit] = sum(
                _gemm._evaluate_group([d], a, w, None)["units"] for _, a, w in layers
            )
    print(
        f"{label:44s} tiles {tiles:6d} units {units}  every tile {t_old:8.3f} s  "
        f"distinct {t_new:8.3f} s  x{t_old / t_new:6.1f}  equal: {same}",
        flush=True,
    )
    return same


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--aw-layers", type=int, default=4)
    p.add_argument("--network", action="store_true")
    args = p.parse_args(argv)
    core = gj.Core(8, 8, 16)
    boxes = [(1, 1, 0), (2, 1, 0), (2, 2, 1), (3, 1, 1)]

    def first(category, n):
        out = []
        for layer, a, w in iter_workload("resnet50", category, 0):
            out.append((layer.name, a, w))
            if len(out) == n:
                return out
        return out

    ok = True
    if args.network:
        designs = [gj.Design(core, "none")] + [
            gj.Design(core, e, gj.Window.box(*b)) for e in ("A", "W", "AW") for b in boxes
        ]
        for category in ("W", "A", "AW"):
            layers = [(L.name, a, w) for L, a, w in iter_workload("resnet50", category, 0)]
            ok &= compare(
                f"13 designs, resnet50 all {len(layers)} layers, {category}-cat.",
                designs,
                layers,
                1,
            )
        return 0 if ok else 1
    w_model = first("W", max(1, args.aw_layers))
    a_model = first("A", 1)
    for exploit, layers, what in (("W", w_model[:1], "W-category"), ("A", a_model, "A-category")):
        designs = [gj.Design(core, exploit, gj.Window.box(*b)) for b in boxes]
        ok &= compare(
            f"{exploit} x{len(designs)}, resnet50 {layers[0][0]} ({what})",
            designs,
            layers,
            args.repeats,
        )
    designs = [gj.Design(core, "AW", gj.Window.box(*b)) for b in boxes]
    ok &= compare(
        f"AW x{len(designs)}, resnet50 first {len(w_model)} layers (W-cat.)",
        designs,
        w_model,
        args.repeats,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
