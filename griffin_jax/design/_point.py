"""One design-point record: an exploit and its window, as a box or an explicit offset list.

The study's grid, the quick experiment and the search all describe their designs with
``DesignPoint``: a box ``Window.box(time, lane, group)`` (docs/model.md 3.2's canonical family)
or, when ``offsets`` is given, an explicit window in priority order. It is a plain record (no
core); ``design`` / ``accelerator`` put it on a core, ``check`` says whether it fits one.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Sequence

from griffin_jax.design._core import (
    EXPLOITS,
    SYNCS,
    Core,
    Design,
    Window,
    group_axis,
    validate_window,
)
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets import custom


def _offsets(value) -> tuple:
    try:
        out = tuple(tuple(int(v) for v in o) for o in value)
    except (TypeError, ValueError):
        raise ValueError(
            f"DesignPoint.offsets must be [dt, dl, dg] triples, got {value!r}"
        ) from None
    if any(len(o) != 3 for o in out):
        raise ValueError(f"DesignPoint.offsets must be [dt, dl, dg] triples, got {value!r}")
    return out


@dataclasses.dataclass(frozen=True, order=True)
class DesignPoint:
    """One design: ``exploit`` and the box ``Window.box(time, lane, group)``, or the explicit
    window ``offsets`` (``((dt, dl, dg), ...)`` in priority order; box fields then 0).

    ``exploit="none"`` (the dense core) has no window and is stored as ``DesignPoint("none")``.
    """

    exploit: str
    time: int = 0
    lane: int = 0
    group: int = 0
    offsets: tuple = ()

    def __post_init__(self):
        if self.exploit not in EXPLOITS:
            raise ValueError(f"DesignPoint.exploit: unknown {self.exploit!r}; known: {EXPLOITS}")
        object.__setattr__(self, "offsets", _offsets(self.offsets))
        if self.offsets and (self.time, self.lane, self.group) != (0, 0, 0):
            raise ValueError("DesignPoint: give either a box (time, lane, group) or offsets")
        if self.exploit == "none" and (
            self.offsets or (self.time, self.lane, self.group) != (0, 0, 0)
        ):
            raise ValueError("DesignPoint: exploit 'none' (the dense core) has no window")

    @property
    def is_box(self) -> bool:
        return not self.offsets and self.exploit != "none"

    @property
    def label(self) -> str:
        if self.exploit == "none":
            return "none"
        if not self.offsets:
            return f"{self.exploit}:box({self.time},{self.lane},{self.group})"
        return f"{self.exploit}:{self.window().label()}"

    @property
    def theta(self) -> tuple[float, float, float]:
        return (float(self.time), float(self.lane), float(self.group))

    @property
    def box(self) -> tuple[int, int, int]:
        """``(time, lane, group)`` extents: the box itself, or the reach of explicit offsets."""
        if not self.offsets:
            return (self.time, self.lane, self.group)
        return (
            max(o[0] for o in self.offsets),
            max(abs(o[1]) for o in self.offsets),
            max(abs(o[2]) for o in self.offsets),
        )

    def window(self) -> Window:
        """The window (empty for ``none``)."""
        if self.exploit == "none":
            return Window.empty()
        if self.offsets:
            return Window.from_offsets(self.offsets)
        return Window.box(self.time, self.lane, self.group)

    def check(self, core: Core, sync: str = "core") -> None:
        """Raise ``ValueError`` if the window cannot run on ``core`` under ``sync``: a lane reach
        ``|dl| >= lanes``, a group offset under ``sync="group"``, or a group offset for an
        exploit whose group axis holds a single group (docs/model.md table 3.1)."""
        if sync not in SYNCS:
            raise ValueError(f"sync: unknown {sync!r}; known: {SYNCS}")
        win = self.window()
        validate_window(win, core.lanes, sync)
        n_groups = group_axis(core, self.exploit)
        if n_groups == 1 and win.has_group_offsets:
            raise ValueError(
                f"{self.label}: a group offset needs a neighbour group, but "
                f"exploit {self.exploit} has one group on a "
                f"{core.rows}x{core.cols} core"
            )

    def fits(self, core: Core, sync: str = "core") -> bool:
        try:
            self.check(core, sync)
        except ValueError:
            return False
        return True

    def design(self, core: Core, sync: str = "core") -> Design:
        return Design(core=core, exploit=self.exploit, window=self.window(), sync=sync)

    def accelerator(
        self,
        core: Core,
        sync: str = "core",
        name: str | None = None,
        mechanism: str = "design point",
    ) -> Accelerator:
        return custom(
            self.label if name is None else name,
            core,
            self.exploit,
            self.window(),
            sync,
            mechanism=mechanism,
        )


# The one default box grid of the package (docs/model.md 5.2's minimum for Griffin's derivation):
# the CLI's design=study, the derivation's wirings and mode windows. search.Space enumerates its
# points with box_grid too, over wider default bounds (search.SEARCH_RANGE) built from this one.
BOX_GRID = {"time": (1, 2, 3, 4), "lane": (0, 1, 2), "group": (0, 1, 2)}


def box_grid(
    core: Core,
    exploits: Sequence[str] = ("A", "W", "AW"),
    time: Iterable[int] | None = None,
    lane: Iterable[int] | None = None,
    group: Iterable[int] | None = None,
    sync: str = "core",
    windows: Iterable[Sequence[Sequence[int]]] = (),
    boxes: Iterable[Sequence[int]] = (),
) -> list[DesignPoint]:
    """Every exploit x (box grid ``time x lane x group``, listed ``boxes``, explicit
    ``windows``): the package's one design grid. ``None`` takes ``BOX_GRID``'s axis.

    Grid and listed boxes that the core cannot hold (``lane >= lanes``; ``group > 0`` for
    exploits without a neighbour along the group axis, or under ``sync="group"``) are skipped,
    so one grid serves every core. An explicit window is something the user asked for by name:
    one that does not fit raises ``ValueError`` instead. ``exploit="none"`` appears once (no
    window). Returns the points in a stable order (exploit, then time, lane, group) without
    duplicate windows per exploit.
    """
    time = BOX_GRID["time"] if time is None else time
    lane = BOX_GRID["lane"] if lane is None else lane
    group = BOX_GRID["group"] if group is None else group
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
