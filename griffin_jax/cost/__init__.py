"""Hardware cost model: area, energy and efficiency of accelerators (docs/model.md section 4).

    import griffin_jax as gj
    from griffin_jax import cost
    tech = cost.load_tech("horowitz45")            # or "scaled16"
    accels = [gj.design.preset(n) for n in ("dense", "tensordash_like", "griffin")]
    reports = cost.evaluate(accels, "AW", [("fc", a_mask, w_mask, 1)], tech)
    reports[0].area, reports[0].energy, reports[0].tops_per_w, reports[0].tops_per_mm2

Every cost formula is written once, here, and accepts plain numbers or JAX arrays (the search's
relaxation calls the same functions with continuous window terms):

* ``_prices.py``: ``Prices``, the per-cell figures of a ``Tech`` (a new priced cell: one field);
* ``_area.py``: ``WindowTerms`` -> ``build_inventory`` (what a design builds) ->
  ``area_components`` (a new area component: one key there);
* ``_energy.py``: ``layer_counts`` (events + schedule -> ``Counts``) -> ``energy_components``
  (a new energy component: one key there, and its count in ``Counts`` if new);
* ``_evaluate.py``: the one per-layer loop (``evaluate``) over a ``workloads.Workload``; a
  report keeps its summed ``Counts``, so ``reprice`` / ``energy_of`` price it again at other
  prices (differentiably) without simulating.
"""

from griffin_jax.cost._area import (
    COMPONENTS,
    Inventory,
    WindowTerms,
    act_fan_in,
    area_breakdown,
    area_components,
    build_inventory,
    fan_ins,
    inventory,
    selector_levels,
    tree_adder_widths,
    wgt_fan_in,
    window_terms,
)
from griffin_jax.cost._energy import (
    ENERGY_COMPONENTS,
    Counts,
    Schedule,
    busy_dpu_cycles,
    bypass_path_energy,
    energy_components,
    extra_tree_cycles,
    group_offset_products,
    group_to_dpu_cycles,
    layer_counts,
    layer_energy,  # deprecated (warns): cost.layer_costs / cost.evaluate, energy_components
    mux_bypass_energy,
    mux_select_energy,
)
from griffin_jax.cost._evaluate import (
    CostReport,
    Pricing,
    category_masks,
    combine,
    energy_of,
    evaluate,
    evaluate_layer,
    layer_costs,
    reprice,
    sum_counts,
)
from griffin_jax.cost._events import (
    Events,
    compact_24,
    frame_selector_bits,
    layer_events,
    selector_bits,
)
from griffin_jax.cost._prices import Prices, prices
from griffin_jax.cost._tech import (
    Tech,
    available_techs,
    load_tech,
    scale_tech,
    tech_from_dict,
)

__all__ = [
    "COMPONENTS",
    "ENERGY_COMPONENTS",
    "CostReport",
    "Counts",
    "Events",
    "Inventory",
    "Prices",
    "Pricing",
    "Schedule",
    "Tech",
    "WindowTerms",
    "act_fan_in",
    "area_breakdown",
    "area_components",
    "available_techs",
    "build_inventory",
    "busy_dpu_cycles",
    "category_masks",
    "combine",
    "compact_24",
    "energy_components",
    "energy_of",
    "evaluate",
    "evaluate_layer",
    "extra_tree_cycles",
    "fan_ins",
    "frame_selector_bits",
    "group_offset_products",
    "group_to_dpu_cycles",
    "inventory",
    "layer_costs",
    "layer_counts",
    "layer_energy",
    "layer_events",
    "load_tech",
    "bypass_path_energy",
    "mux_bypass_energy",
    "mux_select_energy",
    "prices",
    "reprice",
    "scale_tech",
    "selector_bits",
    "selector_levels",
    "sum_counts",
    "tech_from_dict",
    "tree_adder_widths",
    "wgt_fan_in",
    "window_terms",
]
