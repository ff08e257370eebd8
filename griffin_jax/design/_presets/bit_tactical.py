"""Bit-Tactical (Delmas Lascorz et al., ASPLOS 2019): offline weight scheduling."""

from griffin_jax.design._core import Design
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset
from griffin_jax.design._shapes import l_shape


@register_preset("bit_tactical_like", source="Delmas Lascorz et al., Bit-Tactical, ASPLOS 2019")
def bit_tactical_like(core=None, lookahead: int = 2, lookaside: int = 5) -> Accelerator:
    """Bit-Tactical (ASPLOS'19) front end: weights are scheduled offline (static W) into an
    L-shaped window of lookahead 2 and lookaside 5, so each multiplier needs an 8-input
    activation mux (1 own + 2 + 5) and the weight memory holds the pre-scheduled weights plus
    ``ceil(log2 8) = 3`` bits of selector metadata. The bit-serial back end is not modelled."""
    core = core_or_default(core)
    side = min(lookaside, core.lanes - 1)
    return Accelerator(
        name="bit_tactical_like",
        hardware=Design(core=core, exploit="W", window=l_shape(lookahead, side)),
        mechanism=f"Bit-Tactical: static weight schedule, L-shape h={lookahead} d={side}",
    )
