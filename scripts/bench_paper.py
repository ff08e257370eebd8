"""The paper study's wall time and peak memory, per phase, with and without the memory budget.

Runs ``griffin-jax experiment=paper`` (exact, both geometries, validation, sensitivity) in a
fresh child process per setting and reports, for each: the process's wall time, its peak
resident set size (``getrusage(RUSAGE_CHILDREN)`` read right after that child alone has run)
and the seconds per phase from its ``status.json``. Settings: the default memory budget
(``runtime.memory_gb`` unset) and, unless ``--no-baseline``, no budget
(``runtime.memory_gb=null``), the baseline of the same run; the ratio of their peaks is
printed. The finished run folders are kept (``--out``) so ``scripts/make_docs.py
--paper-from <folder>`` can turn one into docs/claims.md without running it again.

    python scripts/bench_paper.py [--out DIR] [--no-baseline] [--json out.json] [-- overrides]
"""

from __future__ import annotations

import argparse
import json
import pathlib
import resource
import subprocess
import sys
import time

GOAL_GB = 4.0


def run_paper(out: pathlib.Path, overrides: list[str]) -> dict:
    """One ``griffin-jax experiment=paper`` in a fresh process: wall time, peak RSS, phases."""
    exe = pathlib.Path(sys.executable).with_name("griffin-jax")
    cmd = [
        str(exe),
        "experiment=paper",
        f"hydra.run.dir={out}",
        "runtime.progress=false",
        *overrides,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    if peak_kb <= before:
        # RUSAGE_CHILDREN is a maximum over every child so far: a later child with a lower peak
        # cannot be told apart, so each setting must run first or peak higher.
        print(f"note: {out.name}: peak not above an earlier child's ({before / 2**20:.2f} GB)")
    status = json.loads((out / "status.json").read_text())
    return {
        "command": " ".join(cmd[1:]),
        "wall_s": round(wall, 1),
        "peak_rss_gb": round(peak_kb / 2**20, 3),
        "phases": status.get("phases", {}),
        "folder": str(out),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("outputs/bench_paper"))
    p.add_argument("--no-baseline", action="store_true", help="skip the run without a budget")
    p.add_argument("--json", type=pathlib.Path, help="also write the numbers here")
    p.add_argument("overrides", nargs="*", help="extra overrides for both runs")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    # the budgeted run first: RUSAGE_CHILDREN keeps the highest peak of any child so far
    settings = [("budget", [])]
    if not args.no_baseline:
        settings.append(("no budget", ["runtime.memory_gb=null"]))
    results = {}
    for name, extra in settings:
        folder = args.out / f"{stamp}-{name.replace(' ', '_')}"
        results[name] = run_paper(folder, [*args.overrides, *extra])
        r = results[name]
        print(f"{name}: {r['wall_s']:.0f} s, peak RSS {r['peak_rss_gb']:.2f} GB ({r['folder']})")
        for phase, secs in r["phases"].items():
            print(f"  {phase}: {secs:.1f} s")
    if "no budget" in results:
        a, b = results["no budget"], results["budget"]
        print(
            f"peak RSS no budget / budget: {a['peak_rss_gb'] / b['peak_rss_gb']:.2f}x; "
            f"wall {a['wall_s'] / b['wall_s']:.2f}x"
        )
    print(f"goal: peak under {GOAL_GB} GB: {results['budget']['peak_rss_gb'] < GOAL_GB}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
