"""Design spaces: the grids of design points an experiment sweeps."""

from __future__ import annotations

import itertools
from typing import Iterable, Sequence

from griffin_jax.design._core import EXPLOITS, Core, Design, Window, group_axis


def box_space(
    core: Core,
    exploits: Sequence[str] = EXPLOITS,
    time: Iterable[int] = (1, 2),
    lane: Iterable[int] = (0, 1),
    group: Iterable[int] = (0, 1),
    sync: str = "core",
    windows: Iterable[Sequence[Sequence[int]]] = (),
) -> list[Design]:
    """Every exploit x box window (plus any explicit ``windows``) on one core.

    Box parameters that the core cannot hold (``lane >= lanes``; ``group > 0`` for exploits
    without a neighbour along the group axis, or under ``sync="group"``) are skipped rather
    than rejected, so one grid serves every core. ``exploit="none"`` appears once (no window).
    Returns the designs in a stable order without duplicates.
    """
    for e in exploits:
        if e not in EXPLOITS:
            raise ValueError(f"exploits: unknown exploit {e!r}; known: {EXPLOITS}")
    out: list[Design] = []
    seen = set()

    def add(design):
        key = (design.core, design.exploit, design.window, design.sync)
        if key not in seen:
            seen.add(key)
            out.append(design)

    wins = [Window.box(t, l, g) for t, l, g in itertools.product(time, lane, group)]
    wins += [Window.from_offsets(w) for w in windows]
    for e in exploits:
        if e == "none":
            add(Design(core, "none"))
            continue
        n_groups = group_axis(core, e)
        for win in wins:
            tup = win.as_tuples()
            if any(abs(dl) >= core.lanes for _, dl, _ in tup):
                continue
            if any(dg != 0 for *_, dg in tup) and (sync == "group" or n_groups == 1):
                continue
            add(Design(core, e, win, sync))
    return out
