"""Hardware cost model: area, energy and efficiency of accelerators (MODEL.md section 4).

    import griffin_jax as gj
    from griffin_jax import cost
    tech = cost.load_tech("horowitz45")            # or "scaled16"
    accels = [gj.design.preset(n) for n in ("dense", "tensordash_like", "griffin")]
    reports = cost.evaluate(accels, "AW", [("fc", a_mask, w_mask, 1)], tech)
    reports[0].area, reports[0].energy, reports[0].tops_per_w, reports[0].tops_per_mm2
"""

from griffin_jax.cost._area import (
    COMPONENTS,
    Inventory,
    act_fan_in,
    area_breakdown,
    inventory,
    tree_adder_widths,
    wgt_fan_in,
)
from griffin_jax.cost._energy import (
    ENERGY_COMPONENTS,
    Schedule,
    busy_dpu_cycles,
    extra_tree_cycles,
    group_offset_products,
    layer_energy,
    mux_bypass_energy,
    mux_select_energy,
)
from griffin_jax.cost._evaluate import (
    CostReport,
    category_masks,
    combine,
    evaluate,
    evaluate_layer,
    layer_costs,
)
from griffin_jax.cost._events import Events, compact_24, layer_events, selector_bits
from griffin_jax.cost._tech import Tech, available_techs, load_tech, scale_tech, tech_from_dict

__all__ = [
    "COMPONENTS", "ENERGY_COMPONENTS", "CostReport", "Events", "Inventory", "Schedule", "Tech",
    "act_fan_in", "area_breakdown", "available_techs", "busy_dpu_cycles", "extra_tree_cycles", "category_masks",
    "combine", "compact_24", "evaluate", "evaluate_layer", "group_offset_products", "inventory",
    "layer_costs", "layer_energy", "layer_events", "load_tech", "mux_bypass_energy",
    "mux_select_energy", "scale_tech", "selector_bits", "tech_from_dict", "tree_adder_widths",
    "wgt_fan_in",
]
