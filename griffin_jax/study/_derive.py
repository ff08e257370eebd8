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
    reuse_window,
    validate_mode,
)
from griffin_jax.design._point import BOX_GRID, box_grid
from griffin_jax.design._presets import custom, dense
from griffin_jax.sim._options import SimOptions
from griffin_jax.study._derivation import (
    TIE_REL,
    VARIANTS,
    WIRING_COLUMNS,
    Derivation,
    Figures,
    _geomean,
    offsets_label,
)
from griffin_jax.workloads._workload import CATEGORIES

GRID = BOX_GRID  # the package's one default grid (design.box_grid)


def pick_best(scores: Sequence[float], areas: Sequence[float], rel: float = TIE_REL) -> int:
    """Index of the highest score; scores within relative ``rel`` of it tie, and a tie goes to
    the smallest area, then the lowest index. ``scores``, ``areas``: equal-length, non-empty."""
    if not scores or len(scores) != len(areas):
        raise ValueError("pick_best needs equal-length, non-empty scores and areas")
    top = max(scores)
    tied = [i for i, s in enumerate(scores) if s >= top - rel * abs(top)]
    return min(tied, key=lambda i: (areas[i], i))


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


def _search_wiring(workloads, core, tech, options: Mapping, sim) -> tuple:
    """The gradient search for a wiring, its best point rounded to a window, and a summary.
    ``options["objective"]``: ``"dual"`` (default: ``search.run_search`` over AW boxes, total
    TOPS/W of the AW workloads, rule 1's score) or ``"balanced"`` (``search.search_griffin``:
    Griffin over the four categories, rule 3's score)."""
    from griffin_jax.search import Space, run_search, search_griffin
    from griffin_jax.workloads._workload import Workload

    opts = {
        "time": (1, 7),
        "lane": (0, 3),
        "group": (0, 2),
        "steps": 30,
        "restarts": 3,
        "objective": "dual",
    }
    opts.update(options)
    if opts["objective"] not in ("dual", "balanced"):
        raise ValueError(
            f"search objective must be 'dual' or 'balanced', got {opts['objective']!r}"
        )
    lane_hi = min(opts["lane"][1], core.lanes - 1)
    lane = (min(opts["lane"][0], lane_hi), lane_hi)
    seed, steps, restarts = int(opts.get("seed", 0)), int(opts["steps"]), int(opts["restarts"])
    summary = {"objective": opts["objective"], "steps": steps, "restarts": restarts, "seed": seed}
    if opts["objective"] == "balanced":
        res = search_griffin(
            workloads,
            core,
            tech,
            time_range=tuple(opts["time"]),
            lane_range=lane,
            group_range=tuple(opts["group"]),
            seed=seed,
            steps=steps,
            restarts=restarts,
            sim=sim,
        )
        b = res.bounds
        summary.update(
            space=f"Griffin wiring x time {b['time']} x lane {b['lane']} x group {b['group']}",
            n_exact=res.n_exact,
            best=res.best.label(),
        )
        return res.best, summary
    space = Space(
        core=core,
        exploits=("AW",),
        time=tuple(opts["time"]),
        lane=lane,
        group=tuple(opts["group"]),
    )
    mix = [Workload(wl.name, tuple(wl.for_category("AW")), "AW") for wl in workloads]
    res = run_search(mix, "tops_per_w", space, seed=seed, steps=steps, restarts=restarts, tech=tech)
    summary.update(
        space=f"AW x time {space.time} x lane {space.lane} x group {space.group}",
        n_exact=res.n_exact,
        best=None if res.best is None else res.best.label,
    )
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
      search: also run a gradient search and add its rounded best as a candidate; a mapping
        gives its options (``time``, ``lane``, ``group`` ranges, ``steps``, ``restarts``,
        ``seed``, ``objective``: ``"dual"``, ``search.run_search`` on total TOPS/W over the AW
        workloads, or ``"balanced"``, ``search.search_griffin`` over the four categories).
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
            workloads, core, tech, search if isinstance(search, Mapping) else {}, sim
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


__all__ = [
    "GRID",
    "category_figures",
    "category_reports",
    "derive_griffin",
    "figures",
    "mode_candidates",
    "mode_designs",
    "pick_best",
    "rederive",
    "wiring_candidates",
]
