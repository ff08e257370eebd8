"""The main job's plots phase: the figures before and after the plotting rework, timed in one run.

Old path: ``griffin_jax/study/_plots.py`` as it was at ``--baseline`` (a git revision before the
split into ``study/_plots/``; adjustText placement, a full canvas draw to freeze the layout,
200 dpi), drawing what the main job drew: ``pareto.png``, ``pareto_core.png``, ``bars.png``,
``bars_core.png``, ``speedup_heatmap.png``. New path: the same five charts with the current
code, and ``study.study_plots`` (those five plus ``breakdown.png``).

Each path runs in a fresh process, as in the main job: ``griffin_jax.study`` (and so JAX) is
imported first, untimed; matplotlib's import is timed, since the job pays it in its plots
phase. The paths alternate for ``--repeat`` rounds on the same summary rows; the script prints
the median wall and CPU seconds of each and the ratios, and checks that the old and new charts
drew the same numbers (``Plot.data``; only the label positions differ). The old path needs
adjustText installed (no longer in the ``plot`` extra).

    python scripts/bench_plots.py outputs/<date>/<time>/summary.csv [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

# The last commit with the single-module plots (adjustText label placement).
BASELINE = "ef0da0c2f672bb5812b2ff0e5137b4913777c2e4"

CHILD = r"""
import hashlib, importlib.util, json, sys, time
import griffin_jax.study as study

mode, summary, out, old_module = sys.argv[1:5]
rows = study.read_csv(summary)
if mode == "old":
    spec = importlib.util.spec_from_file_location("old_plots", old_module)
    charts = importlib.util.module_from_spec(spec)
    sys.modules["old_plots"] = charts  # its dataclass looks its module up
    spec.loader.exec_module(charts)
else:
    charts = study


def five():
    made = [
        charts.pareto_plot(rows, f"{out}/pareto.png"),
        charts.pareto_plot(
            rows, f"{out}/pareto_core.png", x="area_core_mm2", y="tops_per_w_core"
        ),
        charts.category_bars(rows, f"{out}/bars.png"),
        charts.category_bars(rows, f"{out}/bars_core.png", metric="tops_per_w_core"),
        charts.speedup_heatmap(rows, f"{out}/speedup_heatmap.png"),
    ]
    return [hashlib.sha256(repr(p.data).encode()).hexdigest() for p in made]


wall, cpu = time.perf_counter(), time.process_time()
if mode == "all":
    study.study_plots(rows, out)
    digests = None
else:
    digests = five()
print(json.dumps({
    "wall_s": time.perf_counter() - wall,
    "cpu_s": time.process_time() - cpu,
    "digests": digests,
}))
"""


def _child(mode: str, summary: str, out: str, old_module: str) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, summary, out, old_module],
        capture_output=True,
        text=True,
        env=env,
    )
    if proc.returncode:
        raise SystemExit(f"{mode} path failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _old_module(revision: str, folder: str) -> str:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run(
        ["git", "show", f"{revision}:griffin_jax/study/_plots.py"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if proc.returncode:
        raise SystemExit(f"cannot read the old plots module at {revision}: {proc.stderr}")
    path = os.path.join(folder, "old_plots.py")
    with open(path, "w") as f:
        f.write(proc.stdout)
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("summary", help="summary.csv of one main-job run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of old / new / all")
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the old path")
    args = parser.parse_args(argv)
    summary = os.path.abspath(args.summary)
    with tempfile.TemporaryDirectory() as tmp:
        old_module = _old_module(args.baseline, tmp)
        runs: dict = {"old": [], "new": [], "all": []}
        for i in range(args.repeat):
            for mode in runs:
                runs[mode].append(
                    _child(mode, summary, os.path.join(tmp, f"{mode}{i}"), old_module)
                )
    if runs["old"][0]["digests"] != runs["new"][0]["digests"]:
        raise SystemExit("the old and the new charts drew different numbers")
    med = {
        m: {k: statistics.median(r[k] for r in rs) for k in ("wall_s", "cpu_s")}
        for m, rs in runs.items()
    }
    names = {
        "old": "old path, 5 charts (adjustText, 200 dpi)",
        "new": "new path, same 5 charts",
        "all": "study_plots: 5 charts + breakdown",
    }
    print(f"median of {args.repeat} fresh processes each, matplotlib import included")
    for m, name in names.items():
        print(f"{name:42s}: wall {med[m]['wall_s']:6.2f} s   cpu {med[m]['cpu_s']:6.2f} s")
    for m in ("new", "all"):
        print(
            f"old / {m:3s}: wall {med['old']['wall_s'] / med[m]['wall_s']:.1f}x, "
            f"cpu {med['old']['cpu_s'] / med[m]['cpu_s']:.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
