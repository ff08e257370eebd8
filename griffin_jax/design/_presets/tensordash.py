"""TensorDash (Mahmoud et al., MICRO 2020): dynamic dual-side scheduling."""

from griffin_jax.design._core import Design
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset
from griffin_jax.design._shapes import t_shape


@register_preset("tensordash_like", source="Mahmoud et al., TensorDash, MICRO 2020")
def tensordash_like(core=None) -> Accelerator:
    """TensorDash (MICRO'20): an 8-input multiplexer per multiplier input and a hardware
    scheduler that moves both operands of an effectual pair together. Approximated as exploit
    AW, dynamic (one scheduler per DPU), with the 8-input ``t_shape()`` window on both operand
    sides and shared step pointer."""
    return Accelerator(
        name="tensordash_like",
        hardware=Design(core=core_or_default(core), exploit="AW", window=t_shape()),
        mechanism="TensorDash: dynamic dual-side scheduling over an 8-input T window",
    )
