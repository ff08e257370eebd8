"""The Griffin derivation's result and its reports (docs/model.md 5.2): the ``Derivation``
record, its key numbers, the wiring table's columns and plot rows, and its YAML and Markdown
forms. The rules that produce it live in ``_derive``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

from griffin_jax.design._core import Core, Window
from griffin_jax.design._griffin import griffin, griffin_modes
from griffin_jax.study._plots._rows import pareto_front
from griffin_jax.workloads._workload import CATEGORIES

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


def offsets_label(window: Window) -> str:
    """Offsets as ``"dt,dl,dg;..."`` (empty window: ``"none"``)."""
    return ";".join(f"{a},{b},{c}" for a, b, c in window.as_tuples()) or "none"


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


def mean_densities(workload, category: str = "AW") -> dict:
    """Nonzero fractions of a study workload's masks for ``category`` (element-weighted over its
    layers, multiplicities counted): ``{"a_density": ..., "w_density": ...}``."""
    na = da = nw = dw = 0
    for layer in workload.for_category(category):
        m = layer.multiplicity
        na, da = na + m * int(layer.a_mask.sum()), da + m * layer.a_mask.size
        nw, dw = nw + m * int(layer.w_mask.sum()), dw + m * layer.w_mask.size
    return {"a_density": round(na / da, 6), "w_density": round(nw / dw, 6)}


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
    "Derivation",
    "Figures",
    "TIE_REL",
    "VARIANTS",
    "WIRING_COLUMNS",
    "derivation_markdown",
    "derived_yaml",
    "mean_densities",
    "offsets_label",
    "wiring_points",
    "write_derived",
]
