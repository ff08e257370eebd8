"""The paper study's wall time and peak memory, per phase, with and without the memory budget.

Runs ``griffin-jax experiment=paper`` (exact, both geometries, validation, sensitivity) in a
fresh child process per setting and reports, for each: the process's wall time, its peak
resident set size and the seconds and peak RSS of every phase, from its ``status.json`` (the
job reads the kernel's ``VmHWM`` and restarts it at each phase, so ``getrusage`` of the child
would see only its last phase). Settings: the default memory budget (``runtime.memory_gb``
unset) and, unless ``--no-baseline``, no budget (``runtime.memory_gb=null``), the baseline of
the same run; the ratio of their peaks is printed. ``--compare DIR``: every table of each run
must equal the same table of an earlier run folder, cell for cell (the run id aside), or the
script fails: a performance change must not move a result. The finished run folders are kept
(``--out``) so ``scripts/make_docs.py --paper-from <folder>`` can turn one into
docs/claims.md without running it again.

    python scripts/bench_paper.py [--out DIR] [--no-baseline] [--compare DIR] [--json out.json]
        [-- overrides]
"""

from __future__ import annotations

import argparse
import csv
import json
import pathlib
import subprocess
import sys
import time

GOAL_GB = 4.0
GOAL_S = 600.0  # issue 24: under 10 minutes once the Griffin v3 work has landed
TABLES = ("claims.csv", "summary.csv", "validation.csv", "sensitivity.csv")
# Columns that name the run, not its results.
RUN_COLUMNS = ("run_id",)


def table_differences(folder: pathlib.Path, reference: pathlib.Path) -> list[str]:
    """Cells in which ``folder``'s tables differ from ``reference``'s (empty: equal)."""
    out = []
    for name in TABLES:
        mine, theirs = folder / name, reference / name
        if not theirs.exists():
            out.append(f"{name}: not in {reference}")
            continue
        a = list(csv.DictReader(mine.open(newline="")))
        b = list(csv.DictReader(theirs.open(newline="")))
        if len(a) != len(b) or (a and set(a[0]) != set(b[0])):
            out.append(f"{name}: {len(a)} rows / {len(b)} rows, or other columns")
            continue
        for i, (x, y) in enumerate(zip(a, b)):
            out += [
                f"{name} row {i} {k}: {x[k]!r} != {y[k]!r}"
                for k in x
                if k not in RUN_COLUMNS and x[k] != y[k]
            ]
    return out


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
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    status = json.loads((out / "status.json").read_text())
    if status.get("peak_rss_gb") is None:
        raise SystemExit("status.json has no peak_rss_gb: this system's /proc does not say")
    return {
        "command": " ".join(cmd[1:]),
        "wall_s": round(wall, 1),
        "job_s": round(status["seconds"], 1),
        "peak_rss_gb": status["peak_rss_gb"],
        "phases": status.get("phases", {}),
        "phase_peak_rss_gb": status.get("phase_peak_rss_gb", {}),
        "folder": str(out),
    }


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=pathlib.Path, default=pathlib.Path("outputs/bench_paper"))
    p.add_argument("--no-baseline", action="store_true", help="skip the run without a budget")
    p.add_argument("--compare", type=pathlib.Path, help="a run folder whose tables must match")
    p.add_argument("--json", type=pathlib.Path, help="also write the numbers here")
    p.add_argument("overrides", nargs="*", help="extra overrides for both runs")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
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
            peak = r["phase_peak_rss_gb"].get(phase)
            print(f"  {phase}: {secs:.1f} s" + ("" if peak is None else f", peak {peak:.2f} GB"))
        if args.compare:
            diff = table_differences(pathlib.Path(r["folder"]), args.compare)
            r["tables_equal_to"] = None if diff else str(args.compare)
            print(f"  tables vs {args.compare}: " + ("equal" if not diff else f"{len(diff)} cells"))
            for line in diff[:20]:
                print(f"    {line}")
    if "no budget" in results:
        a, b = results["no budget"], results["budget"]
        print(
            f"peak RSS no budget / budget: {a['peak_rss_gb'] / b['peak_rss_gb']:.2f}x; "
            f"wall {a['wall_s'] / b['wall_s']:.2f}x"
        )
    b = results["budget"]
    print(f"goal: peak under {GOAL_GB} GB: {b['peak_rss_gb'] < GOAL_GB}")
    print(f"goal: wall under {GOAL_S:.0f} s: {b['wall_s'] < GOAL_S}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    if args.compare and any(r.get("tables_equal_to") is None for r in results.values()):
        raise SystemExit(f"tables differ from {args.compare}")


if __name__ == "__main__":
    main()
