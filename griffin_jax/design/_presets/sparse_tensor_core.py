"""NVIDIA's sparse tensor core (Ampere, 2:4 structured weights)."""

from griffin_jax.design._core import Design, Window
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets._registry import core_or_default, register_preset


@register_preset("stc_2to4", source="NVIDIA A100 Tensor Core GPU architecture whitepaper, 2020")
def stc_2to4(core=None) -> Accelerator:
    """NVIDIA's sparse tensor core (Ampere, 2:4 structured sparsity). Weights pruned 2-of-4
    along K are stored as the two kept values per group of four plus a 2-bit index each; every
    multiplier has a 4:1 activation mux that picks the matching activation, so the core covers
    2 L positions of K per step.

    Exact rule used by the cost model: if EVERY aligned group of four consecutive ``k`` (per
    output channel; the last group may be shorter) holds at most two nonzero weights, the layer
    runs on the compacted reduction ``K' = sum over groups of min(2, group length)`` with
    ``ceil(K'/L)`` steps per tile and compressed weights; otherwise it runs dense (``T`` steps,
    dense weights, muxes on their fixed input). Activation sparsity is never exploited."""
    return Accelerator(
        name="stc_2to4",
        hardware=Design(core=core_or_default(core), exploit="W", window=Window.empty()),
        structured="2:4",
        mechanism="NVIDIA sparse tensor core: fixed 2:1 compaction of 2:4-structured weights",
    )
