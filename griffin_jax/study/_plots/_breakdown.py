"""The breakdown chart: where the energy and the area of a few designs go, component by
component, core parts apart from the SRAM buffers (the plot a reviewer asks for first)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from griffin_jax.cost._area import COMPONENTS, CORE_COMPONENTS
from griffin_jax.cost._energy import CORE_ENERGY_COMPONENTS, ENERGY_COMPONENTS
from griffin_jax.study._plots._rows import (
    CATEGORY_ORDER,
    _check_categories,
    _check_fields,
    _check_rows,
    _key,
    _num,
    _only_network,
)
from griffin_jax.study._plots._style import (
    _CATEGORY_TITLE,
    _FONT,
    _MM2,
    Plot,
    _figure,
    _save,
    _style_axes,
)
from griffin_jax.study._study import area_column, category_overview, energy_column

# Stacks must add up to the totals the other charts use; a sum that misses by more than this
# means the rows lack a component (written by an older model) and the chart would mislead.
_SUM_REL_TOL = 1e-6
# Core components are coloured, SRAM components grey and hatched (they are in the total only).
_CORE_COLORS = (
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:olive",
    "tab:cyan",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
)
_MEMORY_COLORS = ("0.55", "0.72", "0.86", "0.45", "0.65", "0.8")
_MEMORY_HATCH = "////"


def _component_colors() -> dict:
    """One colour per component name over both lists, so a part named alike in the area and
    the energy lists (adder trees, muxes, ...) has one colour in both panels."""
    core = list(dict.fromkeys(CORE_COMPONENTS + CORE_ENERGY_COMPONENTS))
    memory = [
        k
        for k in dict.fromkeys(COMPONENTS + ENERGY_COMPONENTS)
        if k not in CORE_COMPONENTS + CORE_ENERGY_COMPONENTS
    ]
    out = {k: (_CORE_COLORS[i % len(_CORE_COLORS)], None) for i, k in enumerate(core)}
    out.update(
        {k: (_MEMORY_COLORS[i % len(_MEMORY_COLORS)], _MEMORY_HATCH) for i, k in enumerate(memory)}
    )
    return out


def _selection(rows: list, designs) -> list:
    """``[(category, label, design)]`` in the order to draw, one bar per (category, design)."""
    if designs is None:
        designs = category_overview(rows)
    if isinstance(designs, (str, Mapping)):
        raise ValueError("designs must be a sequence of design names or of overview rows")
    known = {(str(r["category"]), str(r["design"])) for r in rows}
    cats = [c for c in CATEGORY_ORDER if any(k[0] == c for k in known)]
    picked: dict = {}
    for d in designs:
        if isinstance(d, Mapping):
            _check_fields([d], designs="design")
            where = [str(d["category"])] if "category" in d else cats
            role = str(d.get("role", d["design"]))
        else:
            where, role = cats, str(d)
        name = str(d["design"] if isinstance(d, Mapping) else d)
        hits = [c for c in where if (c, name) in known]
        if not hits:
            raise ValueError(f"designs: no rows of {name!r} in categories {where}")
        for c in hits:
            roles = picked.setdefault((c, name), [])
            if role not in roles:
                roles.append(role)
    order = {c: i for i, c in enumerate(CATEGORY_ORDER)}
    keys = sorted(picked, key=lambda k: order[k[0]])  # stable: the given order per category
    out = []
    for cat, name in keys:
        roles = [r for r in picked[(cat, name)] if r != name]
        out.append((cat, f"{' / '.join(roles)}\n{name}" if roles else name, name))
    return out


def _breakdown_data(rows, designs, network) -> dict:
    rows = _only_network(_check_rows(rows), network)
    area_cols = [area_column(k) for k in COMPONENTS]
    energy_cols = [energy_column(k) for k in ENERGY_COMPONENTS]
    _check_fields(
        rows,
        design="design",
        category="category",
        network="network",
        **{f"column {c}": c for c in ("area_mm2", "energy_pj", "tops_per_w", *area_cols)},
        **{f"column {c}": c for c in energy_cols},
    )
    _check_categories(rows)
    bars = []
    for cat, label, name in _selection(rows, designs):
        members = [r for r in rows if str(r["category"]) == cat and str(r["design"]) == name]
        if len({_key(r) for r in members}) > 1:
            raise ValueError(
                f"designs: {name!r} names several cores in {cat!r}; keep one core's rows"
            )
        # Every network of the category pooled: energy over all of them per op over all of
        # them (a weighted mean, so the stacks still add up); area is the design's, the same
        # on every network.
        ops = math.fsum(_num(r, "tops_per_w") * _num(r, "energy_pj") for r in members)
        energy = {
            k: math.fsum(_num(r, energy_column(k)) for r in members) / ops
            for k in ENERGY_COMPONENTS
        }
        area = {k: _num(members[0], area_column(k)) for k in COMPONENTS}
        energy_pj = math.fsum(_num(r, "energy_pj") for r in members)
        _check_sum("energy", math.fsum(energy.values()) * ops, energy_pj, name, cat)
        _check_sum("area", math.fsum(area.values()), _num(members[0], "area_mm2"), name, cat)
        bars.append(
            {
                "category": cat,
                "label": label,
                "design": name,
                "networks": sorted({str(r["network"]) for r in members}),
                "ops": ops,
                "energy": energy,
                "area": area,
                "energy_per_op": math.fsum(energy.values()),
                "energy_core_per_op": math.fsum(energy[k] for k in CORE_ENERGY_COMPONENTS),
                "area_mm2": math.fsum(area.values()),
                "area_core_mm2": math.fsum(area[k] for k in CORE_COMPONENTS),
            }
        )
    return {
        "energy_components": list(ENERGY_COMPONENTS),
        "core_energy_components": list(CORE_ENERGY_COMPONENTS),
        "area_components": list(COMPONENTS),
        "core_area_components": list(CORE_COMPONENTS),
        "bars": bars,
    }


def _check_sum(what: str, parts: float, total: float, name: str, category: str) -> None:
    if not math.isclose(parts, total, rel_tol=_SUM_REL_TOL, abs_tol=1e-12):
        raise ValueError(
            f"{what}: the components of {name!r} on {category!r} sum to {parts:.6g}, the "
            f"total is {total:.6g} (rows written by another cost model?)"
        )


def breakdown_plot(
    rows: Sequence[Mapping],
    path,
    *,
    designs: Sequence | None = None,
    network=None,
) -> Plot:
    """Stacked energy and area by component of a few designs: one row of panels per model
    category, energy on the left, area on the right, one horizontal bar per design.

    Energy is shown per dense-equivalent operation (pJ/op, ops = ``tops_per_w * energy_pj``):
    every design of a network does the same ops, so bars compare directly, and a bar's length
    is ``1 / TOPS/W`` (its core part ``1 / TOPS/W core``), the figures of the other charts.
    Core components are coloured and stacked first; SRAM components (in the total figures only)
    are grey and hatched after them, and the core-only subtotal is written beside each bar.
    Components come from ``cost.COMPONENTS`` and ``cost.ENERGY_COMPONENTS``, so a new one
    appears without editing this chart.

    Args:
      rows: ``summary`` rows with the component columns ``area_<component>_mm2`` and
        ``energy_<component>_pj`` (``run_study`` writes them). Several networks of a category
        are pooled: energy summed over them per op summed over them.
      designs: what to draw: rows of ``category_overview`` (``category``, ``design`` and
        ``role``: one bar per category and design, labelled by role) or design names (a bar in
        every category that has the design). Default: ``category_overview(rows)``, the dense
        core, the best grid design, the best prior design and Griffin of each category.
      network: draw one network only.
    Returns: ``Plot``; ``data["bars"]`` lists per bar its ``category``, ``label``, ``design``,
      ``energy`` (pJ/op per energy component), ``area`` (mm^2 per area component), ``ops``,
      the totals ``energy_per_op`` / ``area_mm2`` and the core-only ``energy_core_per_op`` /
      ``area_core_mm2``.
    """
    data = _breakdown_data(rows, designs, network)
    return Plot(_save(_draw_breakdown(data, network), path), data)


def _bar_positions(bars) -> tuple:
    """y of each bar (first on top) and ``(y, category)`` of each category's heading: the
    categories stacked in one axes with a heading slot above each (one axes per panel, not one
    per category, keeps the layout and tick passes few)."""
    ys, heads, y = [], [], 0.0
    for i, b in enumerate(bars):
        if i == 0 or b["category"] != bars[i - 1]["category"]:
            y -= 0.4 if i else 0.0
            heads.append((y, b["category"]))
            y -= 1.0
        ys.append(y)
        y -= 1.0
    return ys, heads


def _draw_breakdown(data, network):
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    bars = data["bars"]
    ys, heads = _bar_positions(bars)
    fig = _figure((7.0, 1.9 + 0.2 * (len(bars) + 1.4 * len(heads))))
    axes = fig.subplots(1, 2, sharey=True)
    colors = _component_colors()
    panels = (
        ("energy", "energy_per_op", "energy_core_per_op", "energy per dense-equivalent op (pJ)"),
        ("area", "area_mm2", "area_core_mm2", f"area ({_MM2})"),
    )
    for ax, (field, total, core, unit) in zip(axes, panels):
        components = data[f"{field}_components"]
        core_parts = set(data[f"core_{field}_components"])
        # Core parts first, so the core-only subtotal is where the hatching starts.
        ordered = [k for k in components if k in core_parts]
        ordered += [k for k in components if k not in core_parts]
        left = [0.0] * len(bars)
        handles = []
        for k in ordered:
            widths = [b[field][k] for b in bars]
            color, hatch = colors[k]
            # One collection per component (not one patch per bar): a few draw calls a panel.
            boxes = [
                [(x0, y - 0.35), (x0 + w, y - 0.35), (x0 + w, y + 0.35), (x0, y + 0.35)]
                for x0, w, y in zip(left, widths, ys)
            ]
            style = {"facecolor": color, "hatch": hatch, "edgecolor": "white", "linewidth": 0.3}
            ax.add_collection(PolyCollection(boxes, **style), autolim=False)
            handles.append(Patch(label=k + ("" if k in core_parts else " (SRAM)"), **style))
            left = [a + w for a, w in zip(left, widths)]
        top = max(b[total] for b in bars)
        for y, b in zip(ys, bars):
            ax.text(
                b[total] + top * 0.015,
                y,
                f"{b[total]:.3g} (core {b[core]:.3g})",
                va="center",
                fontsize=_FONT["note"],
                in_layout=False,
            )
        heading = ax.get_yaxis_transform()  # x in axes fractions, y in data
        for y, cat in heads:
            ax.text(
                0.005,
                y,
                _CATEGORY_TITLE[cat],
                transform=heading,
                va="center",
                fontsize=_FONT["label"],
                fontweight="bold",
                in_layout=False,
            )
            if y != heads[0][0]:
                ax.axhline(y + 0.7, color="0.7", linewidth=0.5)
        ax.set_xlim(0, top * 1.6)  # room for the totals written after the bars
        _style_axes(ax, unit, "", "")
        fig.legend(
            handles=handles,
            loc="outside lower left" if field == "energy" else "outside lower right",
            ncols=3,
            fontsize=_FONT["note"] - 0.5,
            frameon=False,
            title=f"{field} components (hatched grey: SRAM, in the total only)",
            title_fontsize=_FONT["note"],
        )
    axes[0].set_yticks(ys, [b["label"] for b in bars])
    axes[0].tick_params(axis="y", labelsize=_FONT["note"], length=0)
    axes[1].tick_params(axis="y", length=0)
    axes[0].set_ylim(min(ys) - 0.6, heads[0][0] + 0.6)
    where = f" on {network}" if network is not None else ""
    fig.suptitle(
        f"Where the energy and the area go{where}: the dense core, the best grid and prior "
        "designs and Griffin\nbars: total with SRAM; beside them the total and the core-only "
        "subtotal",
        fontsize=_FONT["title"],
    )
    return fig
