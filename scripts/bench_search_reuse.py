"""A second ``run_search`` in one process: time it against the first.

Runs the gradient search on a digits mix three times in one process, passing nothing but the
workloads: the first call (compiles everything), a second call with another seed and objective
(reuses the compiled programs and the kept relaxation and exact results), and a third with
another seed after ``_reuse.clear()`` (compiled programs only: the relaxation is rebuilt and
every design evaluated again). Prints each call's wall time, its new traces of the search's and
the exact scheduler's jitted programs, and the ratio first / second.

    python scripts/bench_search_reuse.py                 # digits p75, 2 images, AW
    python scripts/bench_search_reuse.py --n-images 16 --categories dense,A,W,AW
"""

from __future__ import annotations

import argparse
import time


def _traces() -> int:
    from griffin_jax.search._relax import TRACE_COUNT
    from griffin_jax.sim._gemm import TRACE_COUNT as GEMM

    return sum(TRACE_COUNT.values()) + GEMM["gemm"]


def measure(n_images: int = 2, categories=("AW",), variant: str = "p75") -> dict:
    """Wall time (s) and new traces of three ``run_search`` calls in this process:
    ``first``, ``second`` (another seed and objective) and ``compiled_only`` (another seed,
    nothing kept but the compiled programs)."""
    from griffin_jax.search import _reuse, run_search
    from griffin_jax.workloads import Workload, digits_workload

    layers = list(digits_workload(variant, n_images=n_images))
    mix = [Workload(f"digits-{variant}/{c}", layers, c) for c in categories]
    out = {}
    for name, seed, objective in (
        ("first", 0, "tops_per_w"),
        ("second", 1, "edp"),
        ("compiled_only", 2, "tops_per_w"),
    ):
        if name == "compiled_only":
            _reuse.clear()
        traces = _traces()
        t0 = time.perf_counter()
        res = run_search(mix, objective, seed=seed)
        out[name] = {
            "seconds": time.perf_counter() - t0,
            "new_traces": _traces() - traces,
            "best": res.best.label,
            "n_exact": res.n_exact,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-images", type=int, default=2)
    parser.add_argument("--categories", default="AW", help="comma-separated workload categories")
    args = parser.parse_args()
    res = measure(args.n_images, tuple(args.categories.split(",")))
    for name, r in res.items():
        print(
            f"{name:14s}: {r['seconds']:6.1f} s  new traces {r['new_traces']:3d}  "
            f"best {r['best']}  ({r['n_exact']} exact evaluations)"
        )
    print(f"first / second = {res['first']['seconds'] / res['second']['seconds']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
