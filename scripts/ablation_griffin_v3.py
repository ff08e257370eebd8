"""Griffin v3, ablated: what moved claim (b) by cause (docs/model.md 5.3, docs/claims.md).

    PYTHONPATH=$PWD python scripts/ablation_griffin_v3.py [--out DIR]
        [--networks resnet50 mobilenet_v2 bert_base] [--quick]

Every variant runs in this one process on the same workloads (the paper experiment's networks
beside the digits masks, every layer, exact schedules, the 8 x 8 x 16 core), each distinct design
scheduled once per layer (``ablation_cost_v3.memo_schedules``), so what moves between columns is
the change and nothing else. The causes:

* ``wiring``: the stored derivation's wiring instead of the previous one (``box(1,0,0)``, the
  result under cost model v2);
* ``cost_v3``: cost model v3 (per-cycle registers and clock, metadata-widened banks) instead of
  v2, for Griffin and its comparators alike;
* ``modes``: the best mode per category (``Accelerator.choices``) instead of one fixed mode;
* ``reuse``: the W-mode resource reuse (``reuse_window``) instead of modes inside the wiring.

Variants: ``v2`` (none of them), each cause alone, and ``v3`` (all). For each it reports the
claims' R1 and R2 rows per category (Griffin's total TOPS/W over its comparator's) and the mode
Griffin ran per category. Writes ``ablation_griffin.md`` and ``ablation_griffin.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from ablation_cost_v3 import CHANGES, claim_workloads, memo_schedules, tech_for  # noqa: E402

import griffin_jax as gj  # noqa: E402
from griffin_jax.design import Window, derived_griffin  # noqa: E402
from griffin_jax.experiments._spec import DesignSet  # noqa: E402
from griffin_jax.study import claims_report  # noqa: E402
from griffin_jax.study._claims import claim_rows  # noqa: E402

CAUSES = ("wiring", "cost_v3", "modes", "reuse")
VARIANTS = {"v2": (), **{c: (c,) for c in CAUSES}, "v3": CAUSES}
PREVIOUS_WIRING = Window.box(1, 0, 0)  # the derivation's result under cost model v2
NETWORKS = ("resnet50", "mobilenet_v2", "bert_base")


def griffin_of(on, core):
    """The Griffin of a variant: the stored wiring with its derived modes, or the previous
    wiring with its default modes; reuse and the mode choice as the variant says."""
    reuse, choose = "reuse" in on, "modes" in on
    if "wiring" in on:
        stored = derived_griffin()
        modes = stored.mode_designs(core, reuse)
        if not choose:  # one fixed mode per category: the category's own exploit
            modes = {c: d for c, d in modes.items() if d.exploit == gj.design.CATEGORY_EXPLOIT[c]}
        g = gj.griffin(core, stored.wired, modes, name="griffin", reuse=reuse, choose=False)
        if choose:  # the derived modes first, then the other runnable ones (as gj.griffin())
            g = dataclasses.replace(
                g, choices=gj.design.griffin_modes(core, stored.wired, reuse, modes)[1]
            )
        return g
    return gj.griffin(core, PREVIOUS_WIRING, name="griffin", reuse=reuse, choose=choose)


def claims(on, core, wls) -> tuple:
    tech = tech_for(CHANGES if "cost_v3" in on else ())
    designs = DesignSet(
        box_time=(), box_lane=(), box_group=(), boxes=((1, 1, 0), (2, 1, 0), (3, 0, 0), (2, 1, 1))
    ).candidates(core)
    g = griffin_of(on, core)
    designs["griffin"] = [g]
    rep = claims_report(wls, designs, tech)
    score = {(r["design"], r["category"]): r["tops_per_w"] for r in rep.table}
    cats = list(dict.fromkeys(wl.category for wl in wls))
    out = []
    for r in claim_rows(designs, score, cats, rep.tolerance):
        if r["reading"] in ("R1", "R2"):
            out.append(
                {
                    "reading": r["reading"],
                    "category": r["category"],
                    "ours": r["ours"],
                    "status": r["status"],
                    "comparator": r["comparator"],
                }
            )
    return out, _modes_run(rep, g.name)


def _modes_run(rep, name) -> dict:
    """The modes Griffin ran per category over the networks (from the claims' reports)."""
    out = {}
    for (_, category), reports in rep.reports:
        for r in reports:
            if r.name == name:
                out.setdefault(category, set()).add(r.mode)
    return {c: "/".join(sorted(m)) for c, m in out.items()}


def markdown(result: dict) -> str:
    names = list(result["variants"])
    lines = [
        "Claims (R1, R2): Griffin's total TOPS/W over the comparator's, status m(atches) / "
        "d(iffers); the comparator in brackets where it differs from the first column's.",
        "",
        "| reading | category | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    keyed = {}
    for v in names:
        for r in result["variants"][v]["claims"]:
            keyed.setdefault((r["reading"], r["category"]), {})[v] = r
    for (reading, cat), by in keyed.items():
        base = by[names[0]]["comparator"]
        cells = []
        for v in names:
            r = by[v]
            comp = "" if r["comparator"] == base else f" ({r['comparator']})"
            cells.append(f"{r['ours']:.3f} {r['status'][0]}{comp}")
        lines.append(f"| {reading} | {cat} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| variant | causes on | modes Griffin ran (per category) | seconds |",
        "|---|---|---|---|",
    ]
    for v in names:
        modes = result["variants"][v]["modes"]
        run = "; ".join(f"{c}: {m}" for c, m in modes.items()) or "-"
        on = ", ".join(VARIANTS[v]) or "none"
        lines.append(f"| {v} | {on} | {run} | {result['seconds'][v]:.0f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=pathlib.Path, default=pathlib.Path("outputs/ablation_griffin")
    )
    parser.add_argument("--networks", nargs="*", default=list(NETWORKS), help="beside digits")
    parser.add_argument("--quick", action="store_true", help="digits only (a test)")
    args = parser.parse_args(argv)
    core = gj.design.DEFAULT_CORE
    wls = claim_workloads(args.quick, args.networks)
    t0 = time.perf_counter()
    result = {"variants": {}, "seconds": {}, "settings": vars(args) | {"out": str(args.out)}}
    result["stored_wiring"] = derived_griffin().wired.label()
    with memo_schedules():
        for name, on in VARIANTS.items():
            t = time.perf_counter()
            rows, modes = claims(on, core, wls)
            result["variants"][name] = {"claims": rows, "modes": modes}
            result["seconds"][name] = time.perf_counter() - t
            print(f"{name}: {result['seconds'][name]:.0f} s", flush=True)
    result["seconds"]["total"] = time.perf_counter() - t0
    args.out.mkdir(parents=True, exist_ok=True)
    header = (
        f"Griffin v3 ablation (`scripts/ablation_griffin_v3.py`), stored wiring "
        f"`{result['stored_wiring']}`, previous `{PREVIOUS_WIRING.label()}`, networks "
        f"{', '.join(args.networks) if not args.quick else 'digits only'} + digits masks, every "
        f"layer, exact; {result['seconds']['total']:.0f} s.\n\n"
    )
    (args.out / "ablation_griffin.md").write_text(header + markdown(result))
    (args.out / "ablation_griffin.json").write_text(json.dumps(result, indent=1, default=float))
    print(header + markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
