"""TensorDash (Mahmoud et al., MICRO 2020): dynamic dual-side scheduling."""

from griffin_jax.design._core import Design, Window
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset
from griffin_jax.design._shapes import tensordash_t


@register_preset("tensordash_like", source="Mahmoud et al., TensorDash, MICRO 2020")
def tensordash_like(core=None, window: Window | None = None) -> Accelerator:
    """TensorDash (MICRO'20): an 8-input multiplexer per multiplier input and a hardware
    scheduler that moves both operands of an effectual pair together. Approximated as exploit
    AW, dynamic (one scheduler per DPU), shared step pointer, with TensorDash's own T window
    (``tensordash_t()``: lookahead 2, lookaside 5, as the authors' simulator DNNsim builds it).
    ``window=t_shape()`` is the previous model's unsourced depth-3 T, kept for the ablation."""
    window = tensordash_t() if window is None else window
    return Accelerator(
        name="tensordash_like",
        hardware=Design(core=core_or_default(core), exploit="AW", window=window),
        mechanism=f"TensorDash: dynamic dual-side scheduling over an {window.fan_in}-input "
        "T window",
    )
