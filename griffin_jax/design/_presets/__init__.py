"""Named prior-art presets and the Griffin hybrid, all built from the same parts (docs/model.md
5): one file per preset, each registered in ``PRESET_REGISTRY`` (``_registry``).

Fairness rule: every preset built from one ``core`` has the same peak, ``core.multipliers`` INT8
MACs per cycle (default 8 x 8 DPUs x 16 lanes = 1024). ``sparten_like`` keeps that count with one
lane per DPU and more DPUs. Each preset is an *approximation* of the published mechanism inside
this project's borrowing model; its docstring says what is kept and what is not.

``PRESETS`` (name -> builder), ``PRIOR_PRESETS`` and ``GRIFFIN_PRESETS`` are read from the
registry when accessed, so presets registered later (``register_preset``) appear in them.
"""

from griffin_jax.design._griffin import DEFAULT_CORE, griffin
from griffin_jax.design._presets._registry import (
    PRESET_REGISTRY,
    custom,
    preset,
    preset_names,
    register_preset,
)

# isort: off
# (registration order: the order of PRESETS, CLI defaults and tables)
from griffin_jax.design._presets.dense_core import dense
from griffin_jax.design._presets.cnvlutin import cnvlutin_like
from griffin_jax.design._presets.cambricon_x import cambricon_x_like
from griffin_jax.design._presets.bit_tactical import bit_tactical_like
from griffin_jax.design._presets.tensordash import tensordash_like
from griffin_jax.design._presets.sparten import sparten_like
from griffin_jax.design._presets.sparse_tensor_core import stc_2to4
from griffin_jax.design._presets.griffin_variants import griffin_balanced, griffin_v1

# isort: on
from griffin_jax.design._shapes import l_shape, t_shape

PRESETS = PRESET_REGISTRY.as_mapping()


def __getattr__(name):
    # derived name lists follow later registrations
    if name == "PRIOR_PRESETS":
        return PRESET_REGISTRY.names(kind="prior")
    if name == "GRIFFIN_PRESETS":
        return PRESET_REGISTRY.names(kind="griffin")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_CORE",
    "PRESETS",
    "PRESET_REGISTRY",
    "PRIOR_PRESETS",
    "GRIFFIN_PRESETS",
    "preset",
    "preset_names",
    "register_preset",
    "custom",
    "dense",
    "cnvlutin_like",
    "cambricon_x_like",
    "bit_tactical_like",
    "tensordash_like",
    "sparten_like",
    "stc_2to4",
    "griffin",
    "griffin_v1",
    "griffin_balanced",
    "l_shape",
    "t_shape",
]
