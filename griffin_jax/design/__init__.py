"""Design points: core geometry, borrowing windows, designs, prior-art presets and Griffin."""

from griffin_jax.design._core import EXPLOITS, SYNCS, Core, Design, Window, validate_window
from griffin_jax.design._griffin import (
    CATEGORIES,
    CATEGORY_EXPLOIT,
    DEFAULT_CORE,
    Accelerator,
    check_category,
    default_mode_window,
    griffin,
    griffin_wired_window,
    validate_mode,
    wired_input,
)
from griffin_jax.design._point import DesignPoint
from griffin_jax.design._presets import (
    PRESETS,
    PRIOR_PRESETS,
    bit_tactical_like,
    cambricon_x_like,
    cnvlutin_like,
    custom,
    dense,
    l_shape,
    preset,
    sparten_like,
    stc_2to4,
    t_shape,
    tensordash_like,
)

__all__ = [
    "EXPLOITS", "SYNCS", "Core", "Design", "DesignPoint", "Window", "validate_window",
    "CATEGORIES", "CATEGORY_EXPLOIT", "DEFAULT_CORE", "Accelerator", "check_category",
    "default_mode_window", "griffin", "griffin_wired_window", "validate_mode", "wired_input",
    "PRESETS", "PRIOR_PRESETS", "bit_tactical_like", "cambricon_x_like", "cnvlutin_like",
    "custom", "dense", "l_shape", "preset", "sparten_like", "stc_2to4", "t_shape",
    "tensordash_like",
]
