"""Design spaces: the study's names for the package's one design grid (``design.box_grid``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from griffin_jax.design._core import Core, Design
from griffin_jax.design._point import box_grid

# The study's grid of ``DesignPoint`` s is the package's one grid (same arguments, defaults and
# rules: ``design.box_grid``).
grid_points = box_grid


def box_space(
    core: Core,
    exploits: Sequence[str] = ("A", "W", "AW"),
    time: Iterable[int] | None = None,
    lane: Iterable[int] | None = None,
    group: Iterable[int] | None = None,
    sync: str = "core",
    windows: Iterable[Sequence[Sequence[int]]] = (),
) -> list[Design]:
    """The designs of ``box_grid`` (same arguments, defaults and rules) on ``core``."""
    return [
        p.design(core, sync) for p in box_grid(core, exploits, time, lane, group, sync, windows)
    ]
