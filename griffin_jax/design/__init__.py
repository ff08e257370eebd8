"""Design points: core geometry, borrowing windows, designs (and, later, presets)."""

from griffin_jax.design._core import EXPLOITS, SYNCS, Core, Design, Window, validate_window

__all__ = ["EXPLOITS", "SYNCS", "Core", "Design", "Window", "validate_window"]
