"""A fast second run: the main job cold and warm, and a second search in one process.

Runs, each in a fresh process and against the same baseline in the same run:

* the main job (``griffin-jax`` on the embedded default) with the persistent compilation cache
  off (``runtime.compilation_cache=null``, the baseline), with an empty cache (cold: it fills
  it) and with that filled cache (warm); wall time of the process and ``status.json``'s phases;
* two ``run_search`` calls in one process (``bench_search_reuse.measure``): the first compiles,
  the second (another seed and objective) reuses the compiled programs.

Prints a table and the ratios; ``--json`` writes the numbers.

    python scripts/bench_startup.py [--search-images 2] [--search-categories AW] [--json out]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main_job(out: pathlib.Path, cache: str) -> dict:
    """One ``griffin-jax`` process; its wall time and its status.json phases."""
    exe = pathlib.Path(sys.executable).with_name("griffin-jax")
    cmd = [
        str(exe),
        f"hydra.run.dir={out}",
        "runtime.progress=false",
        f"runtime.compilation_cache={cache}",
    ]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-2000:]}")
    status = json.loads((out / "status.json").read_text())
    return {"wall_s": wall, "job_s": status["seconds"], "phases": status["phases"]}


def search(n_images: int, categories: str) -> dict:
    """``bench_search_reuse.measure`` in a fresh process (no persistent cache)."""
    code = (
        "import json, sys; sys.path.insert(0, 'scripts'); import bench_search_reuse as b; "
        f"print(json.dumps(b.measure({n_images}, tuple({categories!r}.split(',')))))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env
    )
    if proc.returncode != 0:
        raise SystemExit(f"search benchmark failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--search-images", type=int, default=2)
    p.add_argument("--search-categories", default="AW")
    p.add_argument("--skip-search", action="store_true")
    p.add_argument("--json", type=pathlib.Path)
    args = p.parse_args(argv)
    res = {}
    with tempfile.TemporaryDirectory() as d:
        tmp = pathlib.Path(d)
        cache = str(tmp / "cache")
        res["main_no_cache"] = main_job(tmp / "none", "null")
        res["main_cold"] = main_job(tmp / "cold", cache)
        res["main_warm"] = main_job(tmp / "warm", cache)
    for k in ("main_no_cache", "main_cold", "main_warm"):
        r = res[k]
        ph = ", ".join(f"{n} {v:.1f}" for n, v in r["phases"].items() if v >= 0.05)
        print(f"{k:14s}: process {r['wall_s']:5.1f} s, job {r['job_s']:5.1f} s ({ph})")
    print(
        f"warm vs no cache: {res['main_no_cache']['wall_s'] / res['main_warm']['wall_s']:.2f}x "
        "faster (process wall time)"
    )
    if not args.skip_search:
        res["search"] = search(args.search_images, args.search_categories)
        s = res["search"]
        for name in ("first", "second"):
            print(
                f"run_search {name:6s}: {s[name]['seconds']:6.1f} s, "
                f"{s[name]['new_traces']} new traces"
            )
        print(f"first / second = {s['first']['seconds'] / s['second']['seconds']:.1f}x")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
