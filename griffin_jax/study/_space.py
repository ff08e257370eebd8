"""Design spaces: the grids of design points an experiment sweeps."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from griffin_jax.design._core import EXPLOITS, Core, Design
from griffin_jax.design._point import DesignPoint


def grid_points(
    core: Core,
    exploits: Sequence[str] = EXPLOITS,
    time: Iterable[int] = (1, 2),
    lane: Iterable[int] = (0, 1),
    group: Iterable[int] = (0, 1),
    sync: str = "core",
    windows: Iterable[Sequence[Sequence[int]]] = (),
    boxes: Iterable[Sequence[int]] = (),
) -> list[DesignPoint]:
    """Every exploit x (box grid ``time x lane x group``, listed ``boxes``, explicit ``windows``).

    Grid and listed boxes that the core cannot hold (``lane >= lanes``; ``group > 0`` for
    exploits without a neighbour along the group axis, or under ``sync="group"``) are skipped,
    so one grid serves every core. An explicit window is something the user asked for by name:
    one that does not fit raises ``ValueError`` instead. ``exploit="none"`` appears once (no
    window). Returns the points in a stable order without duplicate windows per exploit.
    """
    for e in exploits:
        if e not in EXPLOITS:
            raise ValueError(f"exploits: unknown exploit {e!r}; known: {EXPLOITS}")
    shapes = list(itertools.product(time, lane, group)) + [tuple(b) for b in boxes]
    for b in shapes:
        if len(b) != 3 or b[0] < 1 or b[1] < 0 or b[2] < 0:
            raise ValueError(f"box {b}: needs (time >= 1, lane >= 0, group >= 0)")
    out: list[DesignPoint] = []
    seen = set()
    for e in exploits:
        if e == "none":
            cands = [DesignPoint("none")]
        else:
            cands = [p for p in (DesignPoint(e, *b) for b in shapes) if p.fits(core, sync)]
            for k, offs in enumerate(windows):
                p = DesignPoint(e, offsets=offs)
                try:
                    p.check(core, sync)
                except ValueError as err:
                    raise ValueError(f"windows[{k}] for exploit {e}: {err}") from None
                cands.append(p)
        for p in cands:
            key = (p.exploit, p.window().as_tuples())
            if key not in seen:
                seen.add(key)
                out.append(p)
    return out


def box_space(
    core: Core,
    exploits: Sequence[str] = EXPLOITS,
    time: Iterable[int] = (1, 2),
    lane: Iterable[int] = (0, 1),
    group: Iterable[int] = (0, 1),
    sync: str = "core",
    windows: Iterable[Sequence[Sequence[int]]] = (),
) -> list[Design]:
    """The designs of ``grid_points`` (same arguments and rules) on ``core``."""
    return [
        p.design(core, sync) for p in grid_points(core, exploits, time, lane, group, sync, windows)
    ]
