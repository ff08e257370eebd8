"""The persistent compilation cache: time a fresh process's first evaluation, cold and warm.

Runs the same small study evaluation in three fresh processes: without the cache, with an empty
cache (which it fills), and with the filled cache; prints each one's wall time of the first
``simulate_gemm_batch`` call (compile + run) and the ratio cold / warm.

    python scripts/bench_startup.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

CHILD = r"""
import json, sys, time
import numpy as np
import griffin_jax as gj
if sys.argv[1] != "-":
    gj.sim.enable_compilation_cache(sys.argv[1])
rng = np.random.default_rng(0)
a, w = rng.random((256, 576)) < 0.5, rng.random((576, 64)) < 0.4
core = gj.Core(8, 8, 16)
designs = [gj.Design(core, e, gj.Window.box(t, 1, 0)) for e in ("A", "W", "AW") for t in (1, 2)]
t0 = time.perf_counter()
cycles = gj.simulate_gemm_batch(designs, a, w)
print(json.dumps({"first_call_s": time.perf_counter() - t0, "cycles": cycles.tolist()}))
"""


def child(cache: str) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, cache], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    with tempfile.TemporaryDirectory() as cache:
        none = child("-")
        cold = child(cache)
        warm = child(cache)
    assert none["cycles"] == cold["cycles"] == warm["cycles"]
    print(f"no cache     : first call {none['first_call_s']:.2f} s")
    print(f"empty cache  : first call {cold['first_call_s']:.2f} s (fills it)")
    print(
        f"filled cache : first call {warm['first_call_s']:.2f} s "
        f"({none['first_call_s'] / warm['first_call_s']:.1f}x faster than no cache)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
