"""The optimized dense core every sparse design is built on (docs/model.md 5.1)."""

from griffin_jax.design._presets._registry import core_or_default, custom, register_preset


@register_preset("dense", kind="dense", source="the optimized dense core (docs/model.md 5.1)")
def dense(core=None):
    """The optimized dense core: no muxes, no staging, no schedulers; T cycles per tile."""
    return custom(
        "dense",
        core_or_default(core),
        "none",
        mechanism="dense baseline: R x C DPUs of L INT8 multipliers, adder tree, INT32 accumulator",
    )
