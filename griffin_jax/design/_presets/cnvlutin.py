"""Cnvlutin (Albericio et al., ISCA 2016): zero-activation skipping."""

from griffin_jax.design._core import Design
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset
from griffin_jax.design._shapes import time_queue


@register_preset("cnvlutin_like", source="Albericio et al., Cnvlutin, ISCA 2016")
def cnvlutin_like(core=None, depth: int = 7) -> Accelerator:
    """Cnvlutin (ISCA'16) skips zero activations: activations are stored as nonzero + offset and
    each lane consumes its own stream, fetching the matching weights by offset. Approximated as
    exploit A with a per-lane time lookahead ``(1,0) .. (depth,0)`` (no lane crossing; lanes
    resynchronise through the shared step pointer after at most ``depth + 1`` steps) and an
    8-input weight mux by default."""
    return Accelerator(
        name="cnvlutin_like",
        hardware=Design(core=core_or_default(core), exploit="A", window=time_queue(depth)),
        mechanism=f"Cnvlutin: zero-activation skipping, per-lane time lookahead of {depth}",
    )
