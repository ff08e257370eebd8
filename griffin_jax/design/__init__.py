"""Design points: core geometry, borrowing windows, designs, prior-art presets and Griffin."""

from griffin_jax.design._core import EXPLOITS, SYNCS, Core, Design, Window, validate_window
from griffin_jax.design._griffin import (
    ALTERNATIVE_EXPLOITS,
    CATEGORIES,
    CATEGORY_EXPLOIT,
    DEFAULT_CORE,
    Accelerator,
    DerivedGriffin,
    check_category,
    default_mode_window,
    derived_griffin,
    griffin,
    griffin_modes,
    griffin_noreuse,
    griffin_wired_window,
    parse_derived,
    reuse_window,
    validate_mode,
    wired_input,
)
from griffin_jax.design._point import BOX_GRID, DesignPoint, box_grid
from griffin_jax.design._presets import (
    PRESET_REGISTRY,
    PRESETS,
    bit_tactical_like,
    cambricon_x_like,
    cnvlutin_like,
    custom,
    dense,
    dense_gated,
    griffin_balanced,
    griffin_v1,
    l_shape,
    preset,
    preset_names,
    register_preset,
    sparten_like,
    stc_2to4,
    t_shape,
    tensordash_like,
    tensordash_t,
)
from griffin_jax.design._shapes import (
    SHAPE_REGISTRY,
    box,
    register_shape,
    shape,
    time_queue,
    window_from_spec,
)


def __getattr__(name):
    # derived from the preset registry when read, so later registrations appear
    if name in ("PRIOR_PRESETS", "GRIFFIN_PRESETS"):
        from griffin_jax.design import _presets

        return getattr(_presets, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EXPLOITS",
    "SYNCS",
    "Core",
    "Design",
    "DesignPoint",
    "BOX_GRID",
    "box_grid",
    "Window",
    "validate_window",
    "ALTERNATIVE_EXPLOITS",
    "CATEGORIES",
    "CATEGORY_EXPLOIT",
    "DEFAULT_CORE",
    "Accelerator",
    "DerivedGriffin",
    "check_category",
    "default_mode_window",
    "derived_griffin",
    "griffin",
    "griffin_modes",
    "griffin_noreuse",
    "griffin_balanced",
    "griffin_v1",
    "griffin_wired_window",
    "parse_derived",
    "reuse_window",
    "validate_mode",
    "wired_input",
    "GRIFFIN_PRESETS",
    "PRESETS",
    "PRESET_REGISTRY",
    "preset_names",
    "register_preset",
    "SHAPE_REGISTRY",
    "box",
    "register_shape",
    "shape",
    "time_queue",
    "window_from_spec",
    "PRIOR_PRESETS",
    "bit_tactical_like",
    "cambricon_x_like",
    "cnvlutin_like",
    "custom",
    "dense",
    "dense_gated",
    "l_shape",
    "preset",
    "sparten_like",
    "stc_2to4",
    "t_shape",
    "tensordash_t",
    "tensordash_like",
]
