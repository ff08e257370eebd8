"""The sensitivity study's result: its rows, the fragile ones, and its markdown summary."""

from __future__ import annotations

import dataclasses
import math

from griffin_jax.study._claims import ClaimsReport
from griffin_jax.study._sensitivity._inputs import SENSITIVITY_INPUTS

SENSITIVITY_COLUMNS = (
    "input",
    "nominal",
    "low",
    "high",
    "claim",
    "reading",
    "category",
    "ratio_nominal",
    "ratio_low",
    "ratio_high",
    "elasticity",
    "elasticity_fd",
    "fragile",
)


@dataclasses.dataclass(frozen=True)
class SensitivityReport:
    """``rows``: one dict per (input, claim row), columns ``SENSITIVITY_COLUMNS``; ``claims``:
    the nominal claims report; ``factors``: the factor range of the continuous inputs;
    ``samples``: points sampled between low and high for the fragile flag; ``notes``: what could
    not be measured (e.g. a geometry that cannot hold every design)."""

    rows: tuple
    claims: ClaimsReport = dataclasses.field(compare=False, repr=False)
    factors: tuple = (0.5, 2.0)
    samples: int = 0
    notes: tuple = ()

    def fragile(self) -> list:
        """The fragile rows."""
        return [r for r in self.rows if r["fragile"]]

    def markdown(self) -> str:
        """A short summary: what was moved, then which claims are fragile under which input."""
        lo, hi = self.factors
        names = list(dict.fromkeys(r["input"] for r in self.rows))
        lines = [
            f"Geometry `{self.claims.geometry}`, technology `{self.claims.tech}`. Continuous "
            f"inputs move x{lo:g}..x{hi:g} (and {self.samples} points between); discrete "
            "inputs take their low/high alternative (elasticity NaN). A claim is fragile when "
            "its ratio crosses 1 (its direction changes) anywhere in an input's range; "
            "comparators are chosen again at every point.",
            "",
            "| input | how it is moved | source |",
            "|---|---|---|",
        ]
        for n in names:
            i = SENSITIVITY_INPUTS[n]
            lines.append(f"| {n} | {i.how} | {i.source} |")
        lines.append("")
        lines += [f"Note: {n}." for n in self.notes] + ([""] if self.notes else [])
        frag = self.fragile()
        if not frag:
            lines.append("No claim changes direction inside these ranges.")
        else:
            ties = [r for r in frag if abs(math.log(r["ratio_nominal"])) < 0.01]
            tie_note = (
                f" {len(ties)} of the {len(frag)} fragile rows are near-ties (nominal ratio "
                "within 1% of 1), whose direction any small change flips."
                if ties
                else ""
            )
            lines += [
                "Fragile claims (the nominal ratio, and the ratios at the input's low and high "
                f"end; the flip may also lie at a sampled point between).{tie_note}",
                "",
                "| claim | reading | category | input | ratio nominal | low | high |",
                "|---|---|---|---|---|---|---|",
            ]
            for r in frag:
                lines.append(
                    f"| {r['claim']} | {r['reading'] or '-'} | {r['category']} | {r['input']} "
                    f"| {r['ratio_nominal']:.3f} | {r['ratio_low']:.3f} | "
                    f"{r['ratio_high']:.3f} |"
                )
        off = [
            r
            for r in self.rows
            if abs(r["elasticity"]) > 0.01
            and not abs(r["elasticity_fd"] - r["elasticity"]) <= 0.05 * abs(r["elasticity"])
        ]
        if off:
            pairs = sorted({(r["input"], r["category"]) for r in off})
            lines += [
                "",
                f"Gradient and finite difference differ by more than 5% in {len(off)} rows "
                f"({', '.join(f'{i} on {c}' for i, c in pairs)}): a derivative that is not "
                "smooth there (docs/model.md 8).",
            ]
        lines += ["", "Largest elasticities |d log ratio / d log input| per claim:", ""]
        by_claim = {}
        for r in self.rows:
            if math.isfinite(r["elasticity"]):
                key = (r["claim"], r["reading"], r["category"])
                by_claim.setdefault(key, []).append(r)
        for (claim, reading, cat), rs in by_claim.items():
            top = sorted(rs, key=lambda r: -abs(r["elasticity"]))[:3]
            tops = ", ".join(f"{r['input']} {r['elasticity']:+.3f}" for r in top)
            lines.append(f"- {claim} {reading or ''} {cat}: {tops}")
        return "\n".join(lines)
