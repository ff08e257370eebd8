"""Validation of the prior presets against their published figures (docs/model.md section 7).

Every row of ``study/data/published.csv`` names a preset, a metric, a published number and the
conditions to reproduce it (the ``[category=..; a=..; w=..]`` tag of ``how_matched``). For each
row ``validate`` builds the workload the tag describes with the generators of
``griffin_jax.workloads``, runs the preset and its baseline through ``cost.evaluate`` and puts our
figure beside the published one:

- ``speedup``: baseline cycles / preset cycles;
- ``energy_efficiency_gain``, ``perf_per_watt_gain``: TOPS/W ratio (the same dense-equivalent
  ops, so the energy ratio), total for a whole-accelerator scope, core-only for compute-only;
- ``edp_gain``: ratio of energy x cycles (same scope rule);
- ``area_overhead``, ``power_overhead``: preset / baseline - 1 (total area and power unless the
  scope is compute-only; docs/model.md 4.3).

A row agrees when ``|ours / published - 1| <= TOLERANCE`` (for a bound: ours on the right side
of the bound, widened by the same tolerance); otherwise it deviates and its ``reason`` says what
differs between the paper's setup and ours. Nothing here is fitted to the published numbers.
"""

from __future__ import annotations

import csv
import itertools
import math
import pathlib
import re
from collections.abc import Callable, Sequence

import numpy as np

from griffin_jax import workloads
from griffin_jax.cost._evaluate import CostReport, evaluate
from griffin_jax.design._core import Core
from griffin_jax.design._presets import PRESET_REGISTRY, preset
from griffin_jax.sim._options import SimOptions
from griffin_jax.workloads._workload import GemmLayer

PUBLISHED_CSV = pathlib.Path(__file__).parent / "data" / "published.csv"
TOLERANCE = 0.25  # the acceptance band: within 25% of the published figure
VALIDATION_COLUMNS = (
    "preset",
    "metric",
    "conditions",
    "published",
    "source",
    "ours",
    "ratio",
    "verdict",
    "reason",
)
METRICS = (
    "speedup",
    "energy_efficiency_gain",
    "perf_per_watt_gain",
    "edp_gain",
    "area_overhead",
    "power_overhead",
)
_TAG = re.compile(r"^\s*\[([^\]]*)\]")


def load_published(path=None) -> list[dict]:
    """The rows of ``published.csv`` (or ``path``) as dicts of strings, in file order."""
    with open(path or PUBLISHED_CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    for i, r in enumerate(rows):
        for k in ("preset", "metric", "published"):
            if not r.get(k):
                raise ValueError(f"published row {i}: field {k!r} is empty")
    return rows


def parse_tag(how_matched: str) -> dict | None:
    """``{"category", "a", "w", "stand_in"}`` from the ``[category=..; a=..; w=..]`` tag that
    opens ``how_matched``; None when there is none (rows needing no workload)."""
    m = _TAG.match(how_matched or "")
    if m is None:
        return None
    out = {"stand_in": False}
    for part in m.group(1).split(";"):
        part = part.strip()
        if "=" in part:
            k, v = (s.strip() for s in part.split("=", 1))
            out[k] = v
        elif part.startswith("stand-in"):
            out["stand_in"] = True
    if "category" not in out:
        raise ValueError(f"how_matched: tag {m.group(0)!r} has no category")
    workloads.check_category(out["category"])
    out.setdefault("a", "dense")
    out.setdefault("w", "dense")
    return out


def _side_kwargs(side: str, spec: str) -> dict:
    """Generator options for one operand spec: dense, a density, an N:M pattern or a profile."""
    if spec == "dense":
        return {}
    if spec in workloads.PROFILES:
        return {f"{side}_profile": spec}
    if ":" in spec:
        if side != "w":
            raise ValueError(f"how_matched: an N:M pattern is for weights, got a={spec!r}")
        n, m = workloads.parse_nm(spec)
        return {"w_pattern": spec, "w_density": n / m}
    try:
        return {f"{side}_density": float(spec)}
    except ValueError:
        raise ValueError(f"how_matched: cannot read {side}={spec!r}") from None


def _row_subset(a: np.ndarray, max_rows: int | None) -> np.ndarray:
    """At most ``max_rows`` rows of ``a``, evenly strided (a downscaled M: fewer pixels/tokens;
    striding keeps the clustered activation maps' spread of dense and sparse regions)."""
    if max_rows is None or a.shape[0] <= max_rows:
        return a
    idx = np.linspace(0, a.shape[0] - 1, max_rows).round().astype(np.int64)
    return a[idx]


def tag_layers(
    tag: dict, network: str, *, seed: int = 0, max_layers=None, max_rows=None
) -> list[GemmLayer]:
    """The GEMM layers of ``network`` under a parsed tag (first ``max_layers`` layers, each with
    at most ``max_rows`` rows of activations). Multiplicity = ``groups * count``."""
    kw = {**_side_kwargs("a", tag["a"]), **_side_kwargs("w", tag["w"])}
    cat = tag["category"]
    out = []
    gen = workloads.network_layers(network, cat, seed, **kw)
    for layer in itertools.islice(gen, max_layers):
        out.append(layer.replace(a_mask=_row_subset(layer.a_mask, max_rows)))
    return out


def _scope(row: dict) -> str:
    """The scope to compare in: core-only for a compute-only figure, else total (memory in)."""
    return "core" if row.get("scope", "").strip().lower().startswith("compute") else "total"


def _bound(row: dict) -> str | None:
    c = (row.get("conditions", "") + " " + row.get("note", "")).lower()
    if "upper bound" in c:
        return "upper"
    if "lower bound" in c:
        return "lower"
    return None


def _one_sided(row: dict) -> bool:
    return "one-sided" in row.get("baseline", "")


def _energy(r: CostReport, scope: str) -> float:
    return r.energy_core_pj if scope == "core" else r.energy_pj


def _area(r: CostReport, scope: str) -> float:
    return r.area_core_mm2 if scope == "core" else r.area_mm2


def metric_value(metric: str, mine: CostReport, base: CostReport, scope: str) -> float:
    """Our figure of ``metric`` for ``mine`` against ``base`` (both on the same layers)."""
    if metric == "speedup":
        return base.cycles / mine.cycles
    if metric in ("energy_efficiency_gain", "perf_per_watt_gain"):
        # Same dense-equivalent ops on both: the TOPS/W ratio is the energy ratio.
        return (mine.ops / _energy(mine, scope)) / (base.ops / _energy(base, scope))
    if metric == "edp_gain":
        return (_energy(base, scope) * base.cycles) / (_energy(mine, scope) * mine.cycles)
    if metric == "area_overhead":
        return _area(mine, scope) / _area(base, scope) - 1.0
    if metric == "power_overhead":
        p_mine = _energy(mine, scope) / mine.cycles
        p_base = _energy(base, scope) / base.cycles
        return p_mine / p_base - 1.0
    raise ValueError(f"metric: {metric!r} is not one of {METRICS}")


def verdict(ours: float, published: float, bound: str | None = None) -> tuple[float, str]:
    """``(ratio, verdict)``: ratio = ours / published; "agrees" within ``TOLERANCE`` (for an
    upper bound: ours <= published * (1 + TOLERANCE); lower: ours >= published * (1 -
    TOLERANCE)), else "deviates"; an unmeasured figure (NaN) deviates."""
    ratio = ours / published if published != 0 else float("nan")
    if math.isnan(ours) or math.isnan(ratio):
        return ratio, "deviates"
    if bound == "upper":
        ok = ours <= published * (1 + TOLERANCE)
    elif bound == "lower":
        ok = ours >= published * (1 - TOLERANCE)
    else:
        ok = abs(ratio - 1.0) <= TOLERANCE
    return ratio, "agrees" if ok else "deviates"


def _differences(row: dict, tag: dict | None, scaled: bool) -> list[str]:
    """What differs between the paper's setup and ours, read from the row's own text."""
    text = " ".join(row.get(k, "") for k in ("conditions", "baseline", "scope", "note"))
    low = text.lower()
    out = []
    if tag is None and row["metric"] not in ("area_overhead", "power_overhead"):
        out.append("no workload tag: the published setup has no counterpart among our designs")
    if "bit-serial" in low or "back end" in low:
        out.append("bit-serial back end not modelled (our preset is the front end only)")
    if "diannao" in low:
        out.append(
            "different baseline (DianNao / DaDianNao chip; ours: dense on the same geometry)"
        )
    if "fp32" in low or "bfloat16" in low or "fp multipliers" in low:
        out.append("INT8 vs FP datapath")
    if "training" in low:
        out.append("training sparsity (forward and backward) vs our inference GEMMs")
    if "gpu" in low or "a100" in low:
        out.append("GPU end-to-end (non-GEMM work, board power) not modelled")
    if "off-chip" in low or re.search(r"\bdram\b", low):
        out.append("off-chip DRAM not modelled")
    if "fpga" in low:
        out.append("FPGA prototype vs our ASIC cost model")
    if "derived" in low:
        out.append("published figure DERIVED from two numbers")
    if "peak rate" in low or "buffer sizes" in low:
        out.append("chips differ in peak rate and buffer sizes; ours share one geometry")
    if tag is not None and tag.get("stand_in"):
        out.append("generated masks stand in for the paper's networks")
    if "vector-wise" in low:
        out.append("vector-wise pattern and sparse-software baseline, not 2:4 vs dense")
    if scaled and row["metric"] != "area_overhead":
        out.append("downscaled workload (fewer layers or activation rows per layer)")
    return out


def _reason(row: dict, tag, scaled: bool, verdict_: str, memory_share=None) -> str:
    if verdict_ == "agrees":
        return ""
    diffs = _differences(row, tag, scaled)
    if memory_share is not None:
        # A whole-chip overhead depends on how much of the chip is memory, which differs.
        diffs.append(
            f"SRAM is {memory_share:.0%} of our baseline's total area (core.* buffers); "
            "the paper's chip has its own memory share"
        )
    diffs = diffs or ["no difference in setup identified"]
    note = row.get("note", "").strip()
    return "; ".join(diffs) + (f" | paper note: {note}" if note else "")


def _conditions(row, tag, scope, base_name, networks, max_layers, max_rows) -> str:
    if row["metric"] == "area_overhead" and tag is None:
        return f"design property (no workload); baseline={base_name}; scope={scope}"
    if tag is None:
        what = f"dense category on {','.join(networks) or 'nothing'}"
    else:
        what = (
            f"category={tag['category']}; a={tag['a']}; w={tag['w']}; networks={','.join(networks)}"
        )
    layers = "all" if max_layers is None else str(max_layers)
    rows = "all" if max_rows is None else str(max_rows)
    return (
        f"{what}; layers={layers}; rows<={rows}; baseline={base_name}; "
        f"scope={scope}; mean over networks"
    )


def validate(
    rows: Sequence[dict] | None = None,
    tech="horowitz45",
    core: Core | None = None,
    *,
    max_layers: int | None = None,
    max_rows: int | None = 64,
    seed: int = 0,
    sim: SimOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[dict]:
    """One validation row per published row: ``VALIDATION_COLUMNS`` plus ``scope``, ``bound``
    ("upper", "lower" or "" for a point value), ``ours_other`` (the figure in the other
    scope), ``baseline`` and ``networks``.

    Args:
      rows: published rows (``load_published()`` by default).
      tech: a ``Tech`` or a config name; core: the geometry every preset is built on.
      max_layers: only the first layers of each network (None: all); max_rows: at most this many
        activation rows per layer, evenly strided (None: the full M). Both only shrink the work.
      seed: the mask generators' seed; sim: scheduler options for ``cost.evaluate``.
    Returns: a list of dicts, in the order of ``rows``.
    """
    rows = load_published() if rows is None else list(rows)
    cache: dict = {}

    def run(tag_key, network, names):
        key = (tag_key, network)
        have = cache.setdefault(key, {})
        todo = [n for n in names if n not in have]
        if todo:
            if tag_key == "area":
                # Area is a property of the design: any layer gives it; a small dense GEMM.
                tag = {"category": "dense"}
                ones = np.ones((64, 64), np.bool_)
                layers = [GemmLayer("area_probe", ones, ones, 1, "area_probe", "dense")]
            else:
                # No tag: a dense-rate workload (power at full load), dense category.
                names3 = ("category", "a", "w")
                tag = dict(zip(names3, tag_key or ("dense", "dense", "dense")))
                layers = tag_layers(
                    tag, network, seed=seed, max_layers=max_layers, max_rows=max_rows
                )
            accels = [preset(n, core) for n in todo]
            for n, rep in zip(todo, evaluate(accels, tag["category"], layers, tech, sim=sim)):
                have[n] = rep
            if progress is not None:
                progress(f"{network}/{tag['category']}/{','.join(todo)}")
        return have

    scaled = max_layers is not None or max_rows is not None
    out = []
    for i, row in enumerate(rows):
        name, metric = row["preset"], row["metric"]
        if name not in PRESET_REGISTRY:
            raise ValueError(f"published row {i}: {PRESET_REGISTRY.unknown(name)}")
        if metric not in METRICS:
            raise ValueError(f"published row {i}: metric {metric!r} is not one of {METRICS}")
        published = float(row["published"])
        tag = parse_tag(row.get("how_matched", ""))
        scope = _scope(row)
        other = "total" if scope == "core" else "core"
        networks = [n for n in row.get("networks", "").split(";") if n]
        base_names = ["cnvlutin_like", "cambricon_x_like"] if _one_sided(row) else ["dense"]
        ours = ours_other = float("nan")
        memory_share = None
        base_name = base_names[0]
        if metric in ("area_overhead", "power_overhead") and tag is None:
            power = metric == "power_overhead"
            networks = (networks or ["vgg16"]) if power else []
            vals = []
            for net in networks or ["area_probe"]:
                have = run(None if power else "area", net, [name, *base_names])
                vals.append(
                    [metric_value(metric, have[name], have[base_name], s) for s in (scope, other)]
                )
            ours, ours_other = (float(np.mean(v)) for v in zip(*vals))
            b = have[base_name]
            memory_share = None if power else 1.0 - b.area_core_mm2 / b.area_mm2
        elif tag is not None and networks and "vector-wise" not in row.get("structured", ""):
            key = (tag["category"], tag["a"], tag["w"])
            vals = []
            for net in networks:
                have = run(key, net, [name, *base_names])
                # One-sided baseline: the faster of the candidates on this network.
                b = min(base_names, key=lambda n: have[n].cycles)
                base_name = b if len(base_names) == 1 else "faster of " + "/".join(base_names)
                vals.append([metric_value(metric, have[name], have[b], s) for s in (scope, other)])
            # The papers report averages over their networks: the mean of per-network figures.
            ours, ours_other = (float(np.mean(v)) for v in zip(*vals))
        bound = _bound(row)
        ratio, verd = verdict(ours, published, bound)
        out.append(
            {
                "preset": name,
                "metric": metric,
                "conditions": _conditions(
                    row, tag, scope, base_name, networks, max_layers, max_rows
                ),
                "published": published,
                "source": row.get("source", ""),
                "ours": ours,
                "ratio": ratio,
                "verdict": verd,
                "reason": _reason(row, tag, scaled, verd, memory_share),
                "scope": scope,
                "bound": bound or "",
                "ours_other": ours_other,
                "baseline": base_name,
                "networks": ";".join(networks),
            }
        )
    return out


SWEEP_DENSITIES = ((0.8, 0.8), (0.56, 0.34), (0.4, 0.2))  # (a, w): light, default, heavy


def density_sweep(
    name: str = "tensordash_like",
    networks: Sequence[str] = ("resnet50", "vgg16", "bert_base"),
    points: Sequence[tuple[float, float]] = SWEEP_DENSITIES,
    tech="horowitz45",
    core: Core | None = None,
    *,
    max_layers: int | None = None,
    max_rows: int | None = 64,
    seed: int = 0,
    sim: SimOptions | None = None,
) -> list[dict]:
    """``name`` vs dense in the AW category at each ``(a_density, w_density)`` of ``points``:
    one row per point with the mean over ``networks`` of speedup and TOPS/W gain (total and
    core-only). Context for figures whose papers' densities are unknown (TensorDash)."""
    out = []
    for a_d, w_d in points:
        tag = {"category": "AW", "a": str(a_d), "w": str(w_d)}
        vals = []
        for net in networks:
            layers = tag_layers(tag, net, seed=seed, max_layers=max_layers, max_rows=max_rows)
            mine, base = evaluate(
                [preset(name, core), preset("dense", core)], "AW", layers, tech, sim=sim
            )
            vals.append(
                [
                    metric_value("speedup", mine, base, "total"),
                    metric_value("energy_efficiency_gain", mine, base, "total"),
                    metric_value("energy_efficiency_gain", mine, base, "core"),
                ]
            )
        sp, e_tot, e_core = (float(np.mean(v)) for v in zip(*vals))
        out.append(
            {
                "preset": name,
                "a_density": a_d,
                "w_density": w_d,
                "networks": ";".join(networks),
                "speedup": sp,
                "energy_efficiency_gain": e_tot,
                "energy_efficiency_gain_core": e_core,
            }
        )
    return out


def validation_markdown(rows: Sequence[dict], header: str = "", sweep=()) -> str:
    """A markdown page: the table, then one paragraph per deviating row."""
    lines = [header.rstrip(), ""] if header else []
    lines += [
        "| preset | metric | scope | published | ours | ours (other scope) | ratio | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['preset']} | {r['metric']} | {r['scope']} | {r['published']:.4g} | "
            f"{r['ours']:.4g} | {r['ours_other']:.4g} | {r['ratio']:.3g} | {r['verdict']} |"
        )
    if sweep:
        lines += [
            "",
            f"## {sweep[0]['preset']} vs dense over densities (AW, mean over "
            f"{sweep[0]['networks'].replace(';', ', ')})",
            "",
            "| a_density | w_density | speedup | TOPS/W gain (total) | TOPS/W gain (core) |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {p['a_density']} | {p['w_density']} | {p['speedup']:.3g} | "
            f"{p['energy_efficiency_gain']:.3g} | {p['energy_efficiency_gain_core']:.3g} |"
            for p in sweep
        ]
    dev = [r for r in rows if r["verdict"] == "deviates"]
    if dev:
        lines += ["", "## Deviations", ""]
        for r in dev:
            lines += [
                f"**{r['preset']} {r['metric']}** (published {r['published']:.4g}, ours "
                f"{r['ours']:.4g}; {r['conditions']}): {r['reason']}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


__all__ = [
    "PUBLISHED_CSV",
    "TOLERANCE",
    "VALIDATION_COLUMNS",
    "SWEEP_DENSITIES",
    "density_sweep",
    "load_published",
    "metric_value",
    "parse_tag",
    "tag_layers",
    "validate",
    "validation_markdown",
    "verdict",
]
