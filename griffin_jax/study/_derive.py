"""Griffin derived by the design-space exploration (docs/model.md 5.2).

The rule, fixed before any result was seen:

1. **Wiring.** Every candidate wiring (the AW box grid that fits the core, explicit extra
   windows, and the rounded result of the gradient search when asked) is built as fixed AW
   hardware (``design.custom``) and run on the dual-sparse (``AW``) workloads. Its score is the
   geometric mean over those workloads of total TOPS/W (``CostReport.tops_per_w``: SRAM
   included). The best dual-sparse design has the highest score; scores within a relative
   ``TIE_REL`` of the best tie, and a tie goes to the smaller total area (then the earlier
   candidate).
2. **Modes.** Griffin is that wiring as reconfigurable hardware (``design.griffin``), with
   resource reuse (``griffin``) and without it (``griffin_noreuse``). For each, in each
   category it runs the mode with the highest score on that category's workloads among the
   candidates (``mode_designs``) that the hardware runs under ``design.validate_mode``: for
   every exploit the category may run (its own and ``ALTERNATIVE_EXPLOITS``: W-only models in W
   or AW mode, A-only in A or AW), every box of the grid, the wiring itself, the exploit's
   default window and, with reuse, the W ``reuse_window`` (dense: the empty window). The
   hardware, hence the area, is the same for every candidate, so a tie goes to the window with
   fewer offsets (then the earlier candidate). At evaluation Griffin still picks, per network,
   the least-energy mode of its ``mode_choices`` (the derived mode first).
3. **Balanced.** ``griffin_balanced`` is the wiring whose Griffin (default modes) has
   the highest geometric mean over the four categories of its score relative to the dense
   core's score in the category; ties as in 1.

A category's workloads are the networks generated (or made, for the digits masks) as models of
it, with the operands the category keeps dense made all-nonzero (``cost.category_masks``),
as the claims report treats them.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable, Mapping, Sequence

from griffin_jax.cost._evaluate import evaluate
from griffin_jax.cost._tech import load_tech
from griffin_jax.design._core import Core, Design, Window
from griffin_jax.design._griffin import (
    ALTERNATIVE_EXPLOITS,
    CATEGORY_EXPLOIT,
    DEFAULT_CORE,
    default_mode_window,
    griffin,
    griffin_modes,
    reuse_window,
    validate_mode,
)
from griffin_jax.design._point import BOX_GRID, box_grid
from griffin_jax.design._presets import custom, dense
from griffin_jax.sim._options import SimOptions
from griffin_jax.study._plots._rows import pareto_front
from griffin_jax.workloads._workload import CATEGORIES

GRID = BOX_GRID  # the package's one default grid (design.box_grid)
# Relative score difference under which two designs tie (then: smaller area wins).
TIE_REL = 1e-9
# Columns of the wiring table (``Derivation.rows``), in order.
WIRING_COLUMNS = (
    "wiring",
    "offsets",
    "n_offsets",
    "source",
    "hardware",
    "category",
    "mode",
    "mode_window",
    "area_mm2",
    "area_core_mm2",
    "tops_per_w",
    "tops_per_w_core",
    "tops_per_mm2",
    "edp",
    "speedup",
    "ratio_vs_dense",
    "best_dual",
    "balanced",
    "balanced_score",
)


def _geomean(xs) -> float:
    xs = list(xs)
    return math.exp(math.fsum(math.log(x) for x in xs) / len(xs))


def pick_best(scores: Sequence[float], areas: Sequence[float], rel: float = TIE_REL) -> int:
    """Index of the highest score; scores within relative ``rel`` of it tie, and a tie goes to
    the smallest area, then the lowest index. ``scores``, ``areas``: equal-length, non-empty."""
    if not scores or len(scores) != len(areas):
        raise ValueError("pick_best needs equal-length, non-empty scores and areas")
    top = max(scores)
    tied = [i for i, s in enumerate(scores) if s >= top - rel * abs(top)]
    return min(tied, key=lambda i: (areas[i], i))


def offsets_label(window: Window) -> str:
    """Offsets as ``"dt,dl,dg;..."`` (empty window: ``"none"``)."""
    return ";".join(f"{a},{b},{c}" for a, b, c in window.as_tuples()) or "none"


def wiring_candidates(
    core: Core,
    time=GRID["time"],
    lane=GRID["lane"],
    group=GRID["group"],
    extra: Sequence[Window] = (),
) -> list:
    """The AW box windows of ``time x lane x group`` that fit ``core`` (``design.box_grid``:
    lane reach < lanes, a group reach needs a neighbour column), then each of ``extra`` (an
    explicit window that does not fit raises ``ValueError``), without duplicates, in that
    order."""
    out = [p.window() for p in box_grid(core, ("AW",), time, lane, group)]
    for i, w in enumerate(extra):
        try:
            Design(core=core, exploit="AW", window=w)
        except ValueError as err:
            raise ValueError(f"extra wiring {i} ({w.label()}): {err}") from None
        if w not in out:
            out.append(w)
    return out


def mode_designs(
    core: Core,
    wired: Window,
    category: str,
    reuse: bool = True,
    time=GRID["time"],
    lane=GRID["lane"],
    group=GRID["group"],
) -> list:
    """Modes (``Design`` s) Griffin wired with ``wired`` can run in ``category``: for each
    exploit the category may run (``CATEGORY_EXPLOIT``, then ``ALTERNATIVE_EXPLOITS``), every
    box of the grid, the wiring itself, the exploit's default mode window and, with ``reuse``,
    the W ``reuse_window``, kept when ``validate_mode`` accepts it (dense: the empty window)."""
    hardware = Design(core=core, exploit="AW", window=wired)
    out = []
    for exploit in (CATEGORY_EXPLOIT[category], *ALTERNATIVE_EXPLOITS[category]):
        if exploit == "none":
            out.append(Design(core=core, exploit="none"))
            continue
        cands = [p.window() for p in box_grid(core, (exploit,), time, lane, group)]
        cands += [wired, default_mode_window(wired, exploit)]
        if reuse and exploit == "W":
            cands.append(reuse_window(wired))
        for w in cands:
            if not w.size:
                continue
            try:
                d = Design(core=core, exploit=exploit, window=w)
                validate_mode(hardware, d, category, reuse)
            except ValueError:
                continue
            if d not in out:
                out.append(d)
    return out


def mode_candidates(
    core: Core,
    wired: Window,
    category: str,
    time=GRID["time"],
    lane=GRID["lane"],
    group=GRID["group"],
) -> list:
    """Mode windows of the category's own exploit that Griffin wired with ``wired`` runs
    without reuse (``mode_designs`` restricted to them; dense: the empty window)."""
    exploit = CATEGORY_EXPLOIT[category]
    designs = mode_designs(core, wired, category, False, time, lane, group)
    return [d.window for d in designs if d.exploit == exploit]


@dataclasses.dataclass(frozen=True)
class Figures:
    """One accelerator in one category: geometric means over the category's workloads
    (``edp``: energy x delay in pJ ns); ``mode``: the modes it ran (``CostReport.mode``, ``/``
    between distinct ones)."""

    tops_per_w: float
    tops_per_w_core: float
    speedup: float
    area_mm2: float
    area_core_mm2: float
    tops_per_mm2: float = math.nan
    edp: float = math.nan
    mode: str = ""


def category_reports(
    accels: Sequence, category: str, workloads: Sequence, tech, sim: SimOptions | None = None
) -> list:
    """Per accelerator, its network ``CostReport`` on each of ``category``'s workloads
    (``Workload`` s, each made a model of ``category`` by ``for_category``), one ``evaluate``
    call per network so that every distinct operating design is scheduled once per layer."""
    per = [evaluate(accels, category, wl, tech, sim=sim) for wl in workloads]
    return [[p[i] for p in per] for i in range(len(accels))]


def category_figures(
    accels: Sequence, category: str, workloads: Sequence, tech, sim: SimOptions | None = None
) -> list:
    """``Figures`` of each accelerator on ``category``'s workloads (``category_reports``)."""
    return [figures(reps) for reps in category_reports(accels, category, workloads, tech, sim)]


def figures(reps: Sequence) -> Figures:
    """``Figures`` of one accelerator's reports over a category's workloads."""
    return Figures(
        tops_per_w=_geomean(r.tops_per_w for r in reps),
        tops_per_w_core=_geomean(r.tops_per_w_core for r in reps),
        speedup=_geomean(r.speedup for r in reps),
        area_mm2=reps[0].area_mm2,
        area_core_mm2=reps[0].area_core_mm2,
        tops_per_mm2=_geomean(r.tops_per_mm2 for r in reps),
        edp=_geomean(r.energy_pj * r.time_ns for r in reps),
        mode="/".join(dict.fromkeys(r.mode for r in reps)),
    )


VARIANTS = (("griffin", True), ("griffin_noreuse", False))


def wiring_points(rows: Sequence) -> list:
    """Plot rows of the wirings (``study.pareto_plot``): per wiring and category, its Griffin
    (default modes, with reuse) with ``mm2_per_tops`` (the inverse of TOPS/mm^2: lower is
    better) and ``tops_per_w``; kind ``griffin`` for the derived wiring, ``space`` for the
    others."""
    return [
        {
            "design": r["wiring"],
            "category": r["category"],
            "kind": "griffin" if r["best_dual"] else "space",
            "exploit": "AW",
            "mm2_per_tops": 1.0 / r["tops_per_mm2"],
            "tops_per_w": r["tops_per_w"],
        }
        for r in rows
        if r["hardware"] == "griffin default modes"
    ]


@dataclasses.dataclass(frozen=True)
class Derivation:
    """The derivation's result.

    Fields:
      core, tech: where it was derived.
      wirings: the candidate wirings, in evaluation order.
      sources: per wiring, ``"grid"``, ``"extra"`` or ``"search"``.
      wired: the best dual-sparse design's wiring; ``modes``: ``((category, Design), ...)``
        the modes of ``griffin`` (with reuse); ``modes_noreuse``: those of
        ``griffin_noreuse``.
      balanced: ``griffin_balanced``'s wiring.
      rows: the wiring table (``WIRING_COLUMNS``): per wiring, the fixed AW hardware on the AW
        workloads, then its Griffin (with and without reuse, default modes) in every category.
      mode_rows: per variant and category, every mode candidate of the derived wiring.
      search: the gradient search's summary (``None`` when it did not run).
      evals, modes_of: the reports the rules were applied to and the mode candidates evaluated
        (what ``rederive`` prices again).
    """

    core: Core
    tech: str
    wirings: tuple
    sources: tuple
    wired: Window
    modes: tuple
    balanced: Window
    rows: tuple
    mode_rows: tuple
    search: Mapping | None = None
    modes_noreuse: tuple = ()
    evals: Mapping = dataclasses.field(default_factory=dict, compare=False, repr=False)
    modes_of: tuple = dataclasses.field(default=(), compare=False, repr=False)

    def accelerator(self, name: str = "griffin", reuse: bool = True):
        """The derived Griffin (``design.griffin`` with the derived wiring and modes; without
        ``reuse``, ``griffin_noreuse``)."""
        modes = dict(self.modes if reuse or not self.modes_noreuse else self.modes_noreuse)
        g = griffin(self.core, self.wired, modes, name=name, reuse=reuse, choose=False)
        # the derived modes first, then the other runnable modes, as gj.griffin() offers them
        return dataclasses.replace(g, choices=griffin_modes(self.core, self.wired, reuse, modes)[1])

    def numbers(self) -> dict:
        """The key figures: scores of the derived wiring and the runner-up, the EDP-optimal
        wiring, the Pareto front of wirings (TOPS/W vs TOPS/mm^2 as fixed AW hardware), both
        Griffins per category, the balanced wiring's score."""
        aw = [r for r in self.rows if r["hardware"] == "AW fixed"]
        ranked = sorted(aw, key=lambda r: -r["tops_per_w"])
        best = next(r for r in aw if r["best_dual"])
        runner = next((r for r in ranked if r is not best), None)
        edp = min(aw, key=lambda r: (r["edp"], r["area_mm2"]))
        points = wiring_points(self.rows)
        fronts = {
            c: [
                p["design"]
                for p in pareto_front(
                    [p for p in points if p["category"] == c], "mm2_per_tops", "tops_per_w"
                )
            ]
            for c in CATEGORIES
        }
        bal = next(
            r
            for r in self.rows
            if r["balanced"] and r["category"] == "AW" and r["hardware"] != "AW fixed"
        )

        def figures(variant):
            chosen = {
                r["category"]: r for r in self.mode_rows if r["chosen"] and r["variant"] == variant
            }
            return {
                c: {
                    "mode": chosen[c]["mode"],
                    "mode_window": chosen[c]["mode_window"],
                    "tops_per_w": chosen[c]["tops_per_w"],
                    "ratio_vs_dense": chosen[c]["ratio_vs_dense"],
                }
                for c in CATEGORIES
                if c in chosen
            }

        griffin_rows = [r for r in self.mode_rows if r["variant"] == "griffin"]
        return {
            "wirings": len(self.wirings),
            "best_dual": {
                "wiring": best["wiring"],
                "tops_per_w": best["tops_per_w"],
                "area_mm2": best["area_mm2"],
            },
            "runner_up": None
            if runner is None
            else {
                "wiring": runner["wiring"],
                "tops_per_w": runner["tops_per_w"],
                "area_mm2": runner["area_mm2"],
            },
            "edp_best": {"wiring": edp["wiring"], "edp": edp["edp"]},
            "pareto": fronts,
            "griffin": figures("griffin"),
            "griffin_noreuse": figures("griffin_noreuse"),
            "griffin_area_mm2": griffin_rows[0]["area_mm2"] if griffin_rows else None,
            "balanced": {"wiring": bal["wiring"], "score": bal["balanced_score"]},
        }

    def to_dict(self, **meta) -> dict:
        """The stored form (``design.parse_derived`` reads it back); ``meta`` adds provenance
        (command, date, workloads, sim options)."""

        def offs(w):
            return [list(o) for o in w.as_tuples()]

        c = self.core
        out = {
            "wired": offs(self.wired),
            "wired_label": self.wired.label(),
            "modes": {cat: offs(d.window) for cat, d in self.modes},
            "mode_exploits": {cat: d.exploit for cat, d in self.modes},
            "mode_labels": {cat: f"{d.exploit} {d.window.label()}" for cat, d in self.modes},
        }
        if self.modes_noreuse:
            out["modes_noreuse"] = {cat: offs(d.window) for cat, d in self.modes_noreuse}
            out["mode_exploits_noreuse"] = {cat: d.exploit for cat, d in self.modes_noreuse}
        return {
            **out,
            "balanced": {"wired": offs(self.balanced), "label": self.balanced.label()},
            "core": {
                "rows": c.rows,
                "cols": c.cols,
                "lanes": c.lanes,
                "act_kb": c.act_kb,
                "wgt_kb": c.wgt_kb,
                "out_kb": c.out_kb,
            },
            "tech": self.tech,
            "candidates": [
                {"label": w.label(), "source": s} for w, s in zip(self.wirings, self.sources)
            ],
            "search": None if self.search is None else dict(self.search),
            **meta,
            "numbers": self.numbers(),
        }


def _search_wiring(workloads, core, tech, options: Mapping) -> tuple:
    """The gradient search over AW boxes on the AW workloads (total TOPS/W of the mix); its
    best point rounded to a window, and a summary."""
    from griffin_jax.search import Space, run_search
    from griffin_jax.workloads._workload import Workload

    opts = {"time": (1, 7), "lane": (0, 3), "group": (0, 2), "steps": 30, "restarts": 3}
    opts.update(options)
    lane_hi = min(opts["lane"][1], core.lanes - 1)
    space = Space(
        core=core,
        exploits=("AW",),
        time=tuple(opts["time"]),
        lane=(min(opts["lane"][0], lane_hi), lane_hi),
        group=tuple(opts["group"]),
    )
    mix = [Workload(wl.name, tuple(wl.for_category("AW")), "AW") for wl in workloads]
    res = run_search(
        mix,
        "tops_per_w",
        space,
        seed=int(opts.get("seed", 0)),
        steps=int(opts["steps"]),
        restarts=int(opts["restarts"]),
        tech=tech,
    )
    summary = {
        "space": f"AW x time {space.time} x lane {space.lane} x group {space.group}",
        "steps": int(opts["steps"]),
        "restarts": int(opts["restarts"]),
        "seed": int(opts.get("seed", 0)),
        "n_exact": res.n_exact,
        "best": None if res.best is None else res.best.label,
    }
    return (None if res.best is None else res.best.window()), summary


def derive_griffin(
    workloads: Sequence,
    core: Core | None = None,
    tech="horowitz45",
    *,
    time=GRID["time"],
    lane=GRID["lane"],
    group=GRID["group"],
    extra: Sequence[Window] = (),
    search: bool | Mapping = False,
    sim: SimOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Derivation:
    """Derive Griffin on ``workloads`` (module doc).

    Args:
      workloads: ``Workload`` s (a lazy one makes each category's masks); every one stands for a
        model of each category.
      core: the baseline geometry (default 8 x 8 x 16).
      tech: ``Tech`` or config name.
      time, lane, group: the AW box grid of candidate wirings (and of mode windows).
      extra: explicit extra candidate wirings.
      search: also run the gradient search (``search.run_search``, total TOPS/W over the AW
        workloads) and add its rounded best as a candidate; a mapping gives its options
        (``time``, ``lane``, ``group`` ranges, ``steps``, ``restarts``, ``seed``).
      sim: ``SimOptions`` for every evaluation (e.g. ``SimOptions(sample=0.05)``).
      progress: called with the name of each phase as it starts (``"search"``, ``"wirings"``,
        then ``"modes <category>"``), e.g. to time the phases.
    Returns: ``Derivation``.
    """
    core = DEFAULT_CORE if core is None else core
    if not isinstance(core, Core):
        raise ValueError(f"core must be a Core, got {type(core).__name__}")
    workloads = list(workloads)
    if not workloads:
        raise ValueError("workloads must hold at least one workload")
    tech = load_tech(tech)
    tick = progress or (lambda label: None)
    wirings = wiring_candidates(core, time, lane, group)
    sources = ["grid"] * len(wirings)
    for w in wiring_candidates(core, (), (), (), extra):
        if w not in wirings:
            wirings.append(w)
            sources.append("extra")
    search_summary = None
    if search:
        tick("search")
        found, search_summary = _search_wiring(
            workloads, core, tech, search if isinstance(search, Mapping) else {}
        )
        search_summary["added"] = found is not None and found not in wirings
        if search_summary["added"]:
            wirings.append(found)
            sources.append("search")
    if not wirings:
        raise ValueError("no candidate wiring fits the core (time, lane, group, extra)")
    labels = [w.label() for w in wirings]
    base = dense(core)
    fixed = [custom(f"AW:{lab}", core, "AW", w) for lab, w in zip(labels, wirings)]
    hybrids = [
        griffin(core, w, name=f"{v}[{lab}]", reuse=r)
        for v, r in VARIANTS
        for lab, w in zip(labels, wirings)
    ]
    evals = {}

    def run(accels, cat):
        for acc, reps in zip(accels, category_reports(accels, cat, workloads, tech, sim)):
            evals[(acc.name, cat)] = reps

    # 1. every wiring as fixed AW hardware, and its Griffins, on the dual-sparse workloads
    tick("wirings")
    run([base, *fixed, *hybrids], "AW")
    wired = wirings[_best_wiring(evals, labels)]
    # 2. every mode candidate of the derived wiring, and every wiring's Griffins elsewhere
    cands = {}
    for cat in ("AW", "dense", "W", "A"):
        tick(f"modes {cat}")
        cands[cat] = {v: mode_designs(core, wired, cat, r, time, lane, group) for v, r in VARIANTS}
        trial = [_trial(core, wired, cat, v, d) for v, _ in VARIANTS for d in cands[cat][v]]
        run(trial if cat == "AW" else [base, *hybrids, *trial], cat)
    return _select(core, tech.name, wirings, sources, search_summary, evals, (wired, cands))


def _trial(core, wired, cat, variant, mode):
    """Griffin ``variant`` wired with ``wired`` running ``mode`` on ``cat``, nothing else."""
    return griffin(
        core,
        wired,
        {cat: mode},
        name=f"{variant}[{cat}:{mode.exploit}:{mode.window.label()}]",
        reuse=dict(VARIANTS)[variant],
        choose=False,
    )


def _best_wiring(evals, labels) -> int:
    figs = [figures(evals[(f"AW:{lab}", "AW")]) for lab in labels]
    return pick_best([f.tops_per_w for f in figs], [f.area_mm2 for f in figs])


def _select(core, tech_name, wirings, sources, search_summary, evals, modes_of) -> Derivation:
    """The derivation's rules (module doc) applied to evaluated reports: ``evals`` maps
    ``(accelerator name, category)`` to its reports over the workloads; ``modes_of``: the
    wiring whose mode candidates were evaluated and those candidates (``{category: {variant:
    [Design, ...]}}``). When the rules pick another wiring (repriced reports, ``rederive``)
    its modes were not evaluated: ``modes`` stay empty."""
    labels = [w.label() for w in wirings]
    n_w = len(wirings)
    best = _best_wiring(evals, labels)
    wired = wirings[best]
    dense_fig = {c: figures(evals[("dense", c)]) for c in CATEGORIES}
    fixed_aw = [figures(evals[(f"AW:{lab}", "AW")]) for lab in labels]
    hybrid_figs = {
        (v, c): [figures(evals[(f"{v}[{lab}]", c)]) for lab in labels]
        for v, _ in VARIANTS
        for c in CATEGORIES
    }
    modes = {v: {} for v, _ in VARIANTS}
    mode_rows = []
    cands_wired, cands = modes_of
    for cat in ("AW", "dense", "W", "A") if wired == cands_wired else ():
        for v, _ in VARIANTS:
            designs = cands[cat][v]
            vf = [figures(evals[(_trial(core, wired, cat, v, d).name, cat)]) for d in designs]
            pick = pick_best([x.tops_per_w for x in vf], [d.window.size for d in designs])
            modes[v][cat] = designs[pick]
            for i, (d, x) in enumerate(zip(designs, vf)):
                mode_rows.append(
                    {
                        "variant": v,
                        "category": cat,
                        "wiring": wired.label(),
                        "mode": x.mode,
                        "mode_window": d.window.label(),
                        "offsets": offsets_label(d.window),
                        "n_offsets": d.window.size,
                        **_figure_columns(x, dense_fig[cat]),
                        "chosen": i == pick,
                    }
                )

    # 3. balanced: geometric mean over the categories of TOPS/W relative to the dense core
    bal_scores = [
        _geomean(
            hybrid_figs[("griffin", c)][i].tops_per_w / dense_fig[c].tops_per_w for c in CATEGORIES
        )
        for i in range(n_w)
    ]
    bal = pick_best(bal_scores, [hybrid_figs[("griffin", "AW")][i].area_mm2 for i in range(n_w)])

    rows = []
    for i, (w, lab) in enumerate(zip(wirings, labels)):
        common = {
            "wiring": lab,
            "offsets": offsets_label(w),
            "n_offsets": w.size,
            "source": sources[i],
            "best_dual": i == best,
            "balanced": i == bal,
            "balanced_score": bal_scores[i],
        }
        entries = [("AW fixed", "AW", fixed_aw[i], w)]
        entries += [
            (f"{v} default modes", c, hybrid_figs[(v, c)][i], _default_window(core, w, c, r))
            for v, r in VARIANTS
            for c in CATEGORIES
        ]
        for hw, cat, x, mode_win in entries:
            rows.append(
                {
                    **common,
                    "hardware": hw,
                    "category": cat,
                    "mode": x.mode,
                    "mode_window": mode_win.label(),
                    **_figure_columns(x, dense_fig[cat]),
                }
            )
    rows = [{k: r[k] for k in WIRING_COLUMNS} for r in rows]
    chosen = bool(modes["griffin"])
    return Derivation(
        core=core,
        tech=tech_name,
        wirings=tuple(wirings),
        sources=tuple(sources),
        wired=wired,
        modes=tuple((c, modes["griffin"][c]) for c in CATEGORIES) if chosen else (),
        balanced=wirings[bal],
        rows=tuple(rows),
        mode_rows=tuple(mode_rows),
        search=search_summary,
        modes_noreuse=tuple((c, modes["griffin_noreuse"][c]) for c in CATEGORIES) if chosen else (),
        evals=types.MappingProxyType(evals),
        modes_of=modes_of,
    )


def _default_window(core, wired, cat, reuse) -> Window:
    return griffin(core, wired, reuse=reuse, choose=False).mode(cat).window


def _figure_columns(x: Figures, dense_fig: Figures) -> dict:
    return {
        "area_mm2": x.area_mm2,
        "area_core_mm2": x.area_core_mm2,
        "tops_per_w": x.tops_per_w,
        "tops_per_w_core": x.tops_per_w_core,
        "tops_per_mm2": x.tops_per_mm2,
        "edp": x.edp,
        "speedup": x.speedup,
        "ratio_vs_dense": x.tops_per_w / dense_fig.tops_per_w,
    }


def rederive(d: Derivation, price) -> Derivation:
    """``d``'s rules applied again to its own reports priced by ``price`` (a function of a
    ``CostReport`` returning it priced otherwise, e.g. ``lambda r: cost.reprice(r, tech)``),
    without simulating: the derivation's own sensitivity (docs/model.md 5.3). A Griffin's mode
    choice (``mode_choices``) stays the one made at ``d``'s prices. When the rules pick another
    wiring, its modes were never evaluated: the result's ``modes`` are empty."""
    if not d.evals:
        raise ValueError("rederive needs a Derivation made by derive_griffin (its reports)")
    evals = {k: [price(r) for r in reps] for k, reps in d.evals.items()}
    return _select(d.core, d.tech, d.wirings, d.sources, d.search, evals, d.modes_of)


def mean_densities(workload, category: str = "AW") -> dict:
    """Nonzero fractions of a study workload's masks for ``category`` (element-weighted over its
    layers, multiplicities counted): ``{"a_density": ..., "w_density": ...}``."""
    na = da = nw = dw = 0
    for layer in evaluate_layers(workload, category):
        m = layer.multiplicity
        na, da = na + m * int(layer.a_mask.sum()), da + m * layer.a_mask.size
        nw, dw = nw + m * int(layer.w_mask.sum()), dw + m * layer.w_mask.size
    return {"a_density": round(na / da, 6), "w_density": round(nw / dw, 6)}


def evaluate_layers(workload, category: str):
    return iter(workload.for_category(category))


def derived_yaml(d: Derivation, header: str = "", **meta) -> str:
    """``d.to_dict(**meta)`` as YAML text with ``header`` as leading comment lines (the format
    ``design.derived_griffin`` reads)."""
    import yaml

    text = yaml.safe_dump(d.to_dict(**meta), sort_keys=False, default_flow_style=None, width=96)
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + text


def write_derived(d: Derivation, path, header: str = "", **meta) -> str:
    """Write ``derived_yaml(d, header, **meta)`` to ``path``; returns the path.
    ``design.derived_griffin(path)`` reads it back."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(derived_yaml(d, header, **meta))
    return str(path)


def derivation_markdown(d: Derivation, header: str = "") -> str:
    """A short Markdown report: the rule, the derived wiring and modes, the top wirings."""
    n = d.numbers()
    lines = [
        "# Griffin, derived by the design-space exploration",
        "",
        header,
        "",
        f"Core {d.core.rows}x{d.core.cols}x{d.core.lanes}, technology `{d.tech}`, "
        f"{len(d.wirings)} candidate wirings (AW hardware). Rule (docs/model.md 5.2): highest "
        "geometric mean of total TOPS/W over the dual-sparse workloads; ties (relative "
        f"{TIE_REL:g}): smaller total area.",
        "",
        f"- **Derived wiring**: `{d.wired.label()}` ({d.wired.size} offsets), "
        f"{n['best_dual']['tops_per_w']:.4f} TOPS/W, {n['best_dual']['area_mm2']:.4f} mm^2.",
    ]
    if n["runner_up"] is not None:
        r = n["runner_up"]
        lines.append(
            f"- Runner-up: `{r['wiring']}`, {r['tops_per_w']:.4f} TOPS/W, {r['area_mm2']:.4f} mm^2."
        )
    lines.append(
        f"- **griffin_balanced**: `{n['balanced']['wiring']}` (geometric mean of TOPS/W over "
        f"dense across the four categories: {n['balanced']['score']:.4f})."
    )
    if d.search is not None:
        lines.append(
            f"- Gradient search ({d.search['space']}): best `{d.search['best']}` after "
            f"{d.search['n_exact']} exact evaluations; "
            + ("added as a candidate." if d.search["added"] else "already a candidate.")
        )
    lines.append(
        f"- EDP-optimal wiring (fixed AW hardware, geometric mean of energy x delay): "
        f"`{n['edp_best']['wiring']}`. Pareto front of the wirings' Griffins (TOPS/W vs "
        "TOPS/mm^2) per category: "
        + "; ".join(f"{c}: " + ", ".join(f"`{w}`" for w in n["pareto"][c]) for c in CATEGORIES)
        + "."
    )
    lines += [
        "",
        "| Griffin | category | mode | mode window | TOPS/W | vs dense | speedup |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in d.mode_rows:
        if r["chosen"]:
            lines.append(
                f"| {r['variant']} | {r['category']} | {r['mode']} | `{r['mode_window']}` | "
                f"{r['tops_per_w']:.4f} | {r['ratio_vs_dense']:.3f} | {r['speedup']:.3f} |"
            )
    aw = sorted((r for r in d.rows if r["hardware"] == "AW fixed"), key=lambda r: -r["tops_per_w"])
    lines += [
        "",
        "Top AW wirings (fixed AW hardware on the dual-sparse workloads):",
        "",
        "| wiring | source | TOPS/W | area mm^2 | speedup |",
        "|---|---|---|---|---|",
    ]
    for r in aw[:8]:
        lines.append(
            f"| `{r['wiring']}` | {r['source']} | {r['tops_per_w']:.4f} | "
            f"{r['area_mm2']:.4f} | {r['speedup']:.3f} |"
        )
    return "\n".join(lines) + "\n"


__all__ = [
    "GRID",
    "TIE_REL",
    "WIRING_COLUMNS",
    "Derivation",
    "Figures",
    "category_figures",
    "derivation_markdown",
    "derive_griffin",
    "mean_densities",
    "mode_candidates",
    "mode_designs",
    "offsets_label",
    "wiring_points",
    "pick_best",
    "rederive",
    "wiring_candidates",
    "write_derived",
]
