"""The design-space study: accelerators x workloads x model categories -> tidy tables.

A study evaluates a list of ``Entry`` (an ``Accelerator`` plus how it was made: a grid point of
the box space, a named preset, or Griffin) on workloads (networks whose layers are GEMM masks)
under each model category, with exact cycles from the scheduler and area/energy from the cost
model. It returns two tables as lists of flat dict rows:

- ``results``: one row per design x network x category x layer (one instance of the layer;
  ``multiplicity`` says how many the network has);
- ``summary``: one row per design x network x category (layers combined with multiplicity).

Nothing here reads configs or writes files: the CLI does that.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable, Sequence

from griffin_jax import workloads
from griffin_jax.cost._area import COMPONENTS
from griffin_jax.cost._energy import ENERGY_COMPONENTS
from griffin_jax.cost._evaluate import evaluate
from griffin_jax.design._core import Core, Design
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._point import box_grid
from griffin_jax.design._presets import PRESET_REGISTRY, custom, preset
from griffin_jax.sim._options import SimOptions
from griffin_jax.workloads._workload import CATEGORIES, check_category


@dataclasses.dataclass(frozen=True)
class Entry:
    """One accelerator of a study and where it came from.

    ``kind``: "space" (a grid point), "preset" (a prior-art preset) or "griffin";
    ``box``: ``(time, lane, group)`` of a grid point's box window, else ``None``.
    """

    accel: Accelerator
    kind: str
    box: tuple | None = None


def Workload(network: str, layers) -> workloads.Workload:  # noqa: N802 (was a class)
    """Deprecated: ``workloads.Workload(name, layers)`` is the one workload type; a callable
    ``layers(category)`` makes it lazy, per category."""
    warnings.warn(
        "study.Workload is deprecated: use griffin_jax.workloads.Workload(name, layers) (the "
        "one workload type; layers may be a callable of the category)",
        DeprecationWarning,
        stacklevel=2,
    )
    return workloads.Workload(network, layers)


def grid_entries(
    core: Core,
    exploits=("A", "W", "AW"),
    time=None,
    lane=None,
    group=None,
    sync: str = "core",
    windows=(),
    boxes=(),
) -> list[Entry]:
    """Every point of ``design.box_grid`` (same arguments, defaults and rules) as a study entry;
    the dense
    core is named ``dense_grid``, explicit windows carry no ``box``."""
    out = []
    for p in box_grid(core, exploits, time, lane, group, sync, windows, boxes):
        if p.exploit == "none":
            out.append(Entry(custom("dense_grid", core, "none"), "space", (0, 0, 0)))
        else:
            name = p.design(core, sync).label()  # ":group" marks sync="group"
            out.append(
                Entry(
                    p.accelerator(core, sync, name, "custom fixed design"),
                    "space",
                    p.box if p.is_box else None,
                )
            )
    return out


def preset_entries(names: Sequence[str] | None = None, core: Core | None = None) -> list[Entry]:
    """Named presets (default: every registered one; ``griffin`` included when listed) as study
    entries, kind ``griffin`` for the registry's Griffin variants, else ``preset``."""
    out = []
    for name in PRESET_REGISTRY.names() if names is None else names:
        if name not in PRESET_REGISTRY:
            raise ValueError(f"presets: {PRESET_REGISTRY.unknown(name)}")
        kind = "griffin" if PRESET_REGISTRY.entry(name).kind == "griffin" else "preset"
        out.append(Entry(preset(name, core), kind))
    return out


def digits_study_workload(variant: str = "p75", n_images: int | None = 64):
    """The embedded default: the shipped digits CNN's real masks (``workloads.load("digits")``),
    fitted to each category by ``Workload.for_category``."""
    return workloads.load("digits", variant=variant, n_images=n_images)


def network_study_workload(name: str, seed: int = 0, batch: int = 1, **kwargs):
    """A layer table with generated masks per category (``workloads.load(name, seed=...,
    batch=...)``: documented default densities, clustered activations)."""
    return workloads.load(name, seed=seed, batch=batch, **kwargs)


def _design_columns(entry: Entry, category: str) -> dict:
    mode: Design = entry.accel.mode(category)
    box = entry.box or (-1, -1, -1)
    return {
        "design": entry.accel.name,
        "kind": entry.kind,
        "exploit": mode.exploit,
        "window": mode.window.label(),
        "sync": mode.sync,
        "box_time": box[0],
        "box_lane": box[1],
        "box_group": box[2],
        "rows": mode.core.rows,
        "cols": mode.core.cols,
        "lanes": mode.core.lanes,
    }


def area_column(component: str) -> str:
    """The summary column of one area component (mm^2)."""
    return f"area_{component}_mm2"


def energy_column(component: str) -> str:
    """The summary column of one energy component (pJ)."""
    return f"energy_{component}_pj"


def _metric_columns(report) -> dict:
    """Cycles and every cost figure, total and core-only (docs/model.md 4.3), then each area
    component ``area_<component>_mm2`` (keys ``cost.COMPONENTS``) and each energy component
    ``energy_<component>_pj`` (keys ``cost.ENERGY_COMPONENTS``): they sum to ``area_mm2`` and
    ``energy_pj``, so a breakdown chart can be drawn from the summary alone."""
    row = report.as_row()
    out = {"cycles": int(report.cycles), "dense_cycles": int(report.dense_cycles)}
    out.update({k: float(v) for k, v in row.items() if k not in ("design", "category", "cycles")})
    parts = {area_column(k): float(report.area[k]) for k in COMPONENTS}
    parts.update({energy_column(k): float(report.energy[k]) for k in ENERGY_COMPONENTS})
    clash = sorted(set(parts) & set(out))
    if clash:  # a component named e.g. "core" would overwrite a total silently
        raise ValueError(f"cost component columns {clash} clash with the totals' columns")
    out.update(parts)
    return out


def run_study(
    entries: Sequence[Entry],
    workloads: Sequence[Workload],
    categories: Sequence[str] = CATEGORIES,
    tech="horowitz45",
    *,
    metadata: dict | None = None,
    progress: Callable[[str], None] | None = None,
    sim: SimOptions | None = None,
) -> tuple[list, list]:
    """Evaluate every entry on every workload under every category.

    Returns ``(results, summary)`` row lists (see module doc); ``metadata`` columns are added to
    every row. ``progress(label)`` is called after each (workload, category, layer). ``sim``:
    scheduler options (chunk, devices, sample, seed) for ``gemm_activity_batch``.
    """
    if not entries:
        raise ValueError("entries must hold at least one accelerator")
    for c in categories:
        check_category(c)
    accels = [e.accel for e in entries]
    meta = dict(metadata or {})
    results, summary = [], []
    for wl in workloads:
        for category in categories:
            results += _network_rows(
                wl, category, entries, accels, tech, sim, meta, progress, summary
            )
    return results, summary


def _network_rows(wl, category, entries, accels, tech, sim, meta, progress, summary) -> list:
    """One network under one category: its layer rows (returned) and its summary rows
    (appended to ``summary``), through the one per-layer loop of ``cost.evaluate``."""
    rows, n_layers = [], [0]

    def on_layer(layer, reports):
        n_layers[0] += 1
        for e, rep in zip(entries, reports):
            rows.append(
                {
                    **_design_columns(e, category),
                    "category": category,
                    "network": wl.network,
                    "layer": layer.name,
                    "multiplicity": layer.multiplicity,
                    **_metric_columns(rep),
                    **meta,
                }
            )
        if progress is not None:
            progress(f"{wl.network}/{category}/{layer.name}")

    try:
        nets = evaluate(accels, category, wl, tech, sim=sim, on_layer=on_layer)
    except ValueError as e:
        raise ValueError(f"workload {wl.network!r}, category {category!r}: {e}") from None
    for e, net in zip(entries, nets):
        summary.append(
            {
                **_design_columns(e, category),
                "category": category,
                "network": wl.network,
                "layers": n_layers[0],
                **_metric_columns(net),
                **meta,
            }
        )
    return rows


def best_by(
    rows: Sequence[dict],
    metric: str = "tops_per_w",
    *,
    group=("network", "category"),
    where: Callable[[dict], bool] | None = None,
    maximize: bool = True,
) -> list:
    """The best row of each group (e.g. per network x category) by ``metric``."""
    if rows and metric not in rows[0]:
        raise ValueError(f"metric: {metric!r} is not a column; columns: {sorted(rows[0])}")
    best: dict = {}
    for r in rows:
        if where is not None and not where(r):
            continue
        key = tuple(r[g] for g in group)
        v = float(r[metric])
        if math.isnan(v):
            continue
        if key not in best or (v > best[key][metric] if maximize else v < best[key][metric]):
            best[key] = r
    return [best[k] for k in sorted(best)]


def category_overview(summary: Sequence[dict]) -> list:
    """Per network x category: the dense core, the best grid design and the best prior preset
    by total power efficiency, then every Griffin variant of the run side by side (``griffin``
    and ``griffin_noreuse`` by default; the short table the CLI prints; core-only figures of
    the same designs beside it). Rows read back from CSV (numbers as strings) are accepted."""
    out = []
    keys = sorted(
        {(r["network"], r["category"]) for r in summary},
        key=lambda k: (k[0], CATEGORIES.index(k[1])),
    )
    for net, cat in keys:
        rows = [r for r in summary if r["network"] == net and r["category"] == cat]

        def pick(pred):
            cands = [r for r in rows if pred(r)]
            return max(cands, key=lambda r: float(r["tops_per_w"])) if cands else None

        dense = pick(lambda r: r["design"] == "dense")
        space = pick(lambda r: r["kind"] == "space")
        prior = pick(lambda r: r["kind"] == "preset" and r["design"] != "dense")
        griffins = [("griffin", r) for r in rows if r["kind"] == "griffin"]
        base = float(dense["tops_per_w"]) if dense else float("nan")
        for label, r in (
            ("dense", dense),
            ("best grid", space),
            ("best prior", prior),
            *griffins,
        ):
            if r is None:
                continue
            out.append(
                {
                    "network": net,
                    "category": cat,
                    "role": label,
                    "design": r["design"],
                    "speedup": r["speedup"],
                    "tops_per_w": r["tops_per_w"],
                    "vs_dense": float(r["tops_per_w"]) / base,
                    "tops_per_w_core": r["tops_per_w_core"],
                    "vs_dense_core": float(r["tops_per_w_core"]) / float(dense["tops_per_w_core"])
                    if dense
                    else float("nan"),
                    "area_mm2": r["area_mm2"],
                    "area_core_mm2": r["area_core_mm2"],
                }
            )
    return out


__all__ = [
    "Entry",
    "Workload",
    "grid_entries",
    "preset_entries",
    "digits_study_workload",
    "network_study_workload",
    "run_study",
    "best_by",
    "category_overview",
]
