"""The discrete design space a search explores: box windows on one core, bounds, rounding.

A point is ``(exploit, time, lane, group)``: a fixed accelerator that runs
``Design(core, exploit, Window.box(time, lane, group))`` (docs/model.md 3.2's canonical box family,
``sync="core"``). The continuous relaxation of a point is ``theta = (d1, d2, d3)``, the box's
time depth, lane reach and group reach as floats, one box of bounds per exploit.

Counting rules (how the grid maps onto distinct designs):

* ``exploit="none"`` (the dense core) has no window: every grid point of ``none`` is the same
  design, stored as ``(none, 0, 0, 0)``.
* An exploit whose group axis has a single group (``A`` with one column, ``W`` with one row,
  ``AW`` with one column: docs/model.md table 3.1) has no neighbour to borrow from; its group
  reach is
  fixed to 0 and its ``group > 0`` points are skipped, as ``griffin_jax.study`` box grids do.
* Lane reach must stay below the core's lane count (``|dl| < L``, docs/model.md 3.2): a bound beyond
  it is rejected, not clamped.

``Space.grid_size`` is the nominal product of the axes; ``Space.size`` counts distinct designs
after these rules, and is the denominator for "share of the space evaluated".
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterator

import numpy as np

from griffin_jax.design._core import EXPLOITS, Core, group_axis
from griffin_jax.design._griffin import DEFAULT_CORE
from griffin_jax.design._point import BOX_GRID, DesignPoint, box_grid

PARAMS = ("time", "lane", "group")

# The search's default bounds: the package's one grid (``design.BOX_GRID``) widened along time
# and lane, because a search earns its keep only where it can reach designs the grid does not
# hold. The points themselves are enumerated by ``design.box_grid`` (one grid function).
SEARCH_RANGE = {
    "time": (BOX_GRID["time"][0], 7),
    "lane": (BOX_GRID["lane"][0], 3),
    "group": (BOX_GRID["group"][0], BOX_GRID["group"][-1]),
}


def _range(name: str, value) -> tuple[int, int]:
    try:
        lo, hi = value
    except (TypeError, ValueError):
        raise ValueError(
            f"Space.{name} must be a (low, high) pair of ints, got {value!r}"
        ) from None
    for v in (lo, hi):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(
                f"Space.{name} must be a (low, high) pair of ints, got {value!r}"
            ) from None
    if lo > hi:
        raise ValueError(f"Space.{name}: low {lo} > high {hi}")
    return int(lo), int(hi)


@dataclasses.dataclass(frozen=True)
class Space:
    """Exploit x box(time, lane, group) on one core (see the module doc for the counting rules).

    Fields:
      core: the fixed core (default 8 x 8 DPUs x 16 lanes).
      exploits: subset of ``("none", "A", "W", "AW")``, no duplicates.
      time: inclusive ``(low, high)`` lookahead depth, ``low >= 1``.
      lane: inclusive lane reach, ``0 <= low``, ``high < core.lanes``.
      group: inclusive group reach, ``0 <= low``.
    """

    core: Core = DEFAULT_CORE
    exploits: tuple = ("none", "A", "W", "AW")
    time: tuple = SEARCH_RANGE["time"]
    lane: tuple = SEARCH_RANGE["lane"]
    group: tuple = SEARCH_RANGE["group"]

    def __post_init__(self):
        if not isinstance(self.core, Core):
            raise ValueError(f"Space.core must be a Core, got {type(self.core).__name__}")
        ex = tuple(self.exploits) if not isinstance(self.exploits, str) else (self.exploits,)
        if not ex:
            raise ValueError("Space.exploits must name at least one exploit")
        for e in ex:
            if e not in EXPLOITS:
                raise ValueError(f"Space.exploits: unknown exploit {e!r}; known: {EXPLOITS}")
        if len(set(ex)) != len(ex):
            raise ValueError(f"Space.exploits has duplicates: {ex}")
        object.__setattr__(self, "exploits", ex)
        for name in PARAMS:
            object.__setattr__(self, name, _range(name, getattr(self, name)))
        if self.time[0] < 1:
            raise ValueError(
                f"Space.time: low must be >= 1 (box time 0 is the empty window), got {self.time}"
            )
        if self.lane[0] < 0 or self.group[0] < 0:
            bad = "lane" if self.lane[0] < 0 else "group"
            raise ValueError(f"Space.{bad}: low must be >= 0, got {getattr(self, bad)}")
        if self.lane[1] >= self.core.lanes:
            raise ValueError(
                f"Space.lane: high {self.lane[1]} must be < core lanes {self.core.lanes} (|dl| < L)"
            )

    # -- bounds ---------------------------------------------------------------------------------
    @property
    def sparse_exploits(self) -> tuple:
        """Exploits with a window to search (every one but ``none``)."""
        return tuple(e for e in self.exploits if e != "none")

    def bounds(self, exploit: str) -> tuple[np.ndarray, np.ndarray]:
        """float32 ``[3]`` lower and upper bounds of ``theta = (time, lane, group)``."""
        self._check_exploit(exploit, sparse=True)
        g_hi = self.group[1] if group_axis(self.core, exploit) > 1 else 0
        g_lo = min(self.group[0], g_hi)
        lo = np.array([self.time[0], self.lane[0], g_lo], np.float32)
        hi = np.array([self.time[1], self.lane[1], g_hi], np.float32)
        return lo, hi

    def project(self, exploit: str, theta):
        """Clip ``theta [..., 3]`` onto the exploit's bounds (works on numpy and JAX arrays)."""
        lo, hi = self.bounds(exploit)
        if isinstance(theta, np.ndarray):
            return np.clip(theta, *(np.broadcast_to(b, np.shape(theta)) for b in (lo, hi)))
        import jax.numpy as jnp

        return jnp.clip(theta, *(jnp.broadcast_to(b, jnp.shape(theta)) for b in (lo, hi)))

    # -- points ---------------------------------------------------------------------------------
    def _check_exploit(self, exploit, sparse=False):
        allowed = self.sparse_exploits if sparse else self.exploits
        if exploit not in allowed:
            raise ValueError(f"exploit must be one of {allowed} in this space, got {exploit!r}")

    def canonical(self, exploit: str, time: int = 0, lane: int = 0, group: int = 0) -> DesignPoint:
        """The distinct design a grid point stands for (module doc), or ``ValueError``."""
        self._check_exploit(exploit)
        if exploit == "none":
            return DesignPoint("none")
        lo, hi = self.bounds(exploit)
        vals = (time, lane, group)
        for name, v, _a, _b in zip(PARAMS, vals, lo, hi):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ValueError(f"{name} must be an int, got {v!r}")
        if group_axis(self.core, exploit) == 1 and self.group[0] <= group <= self.group[1]:
            group = 0  # no neighbour group: every group reach is the same design
        for name, v, a, b in zip(PARAMS, (time, lane, group), lo, hi):
            if not a <= v <= b:
                raise ValueError(f"{name} = {v} is outside [{int(a)}, {int(b)}] for {exploit}")
        return DesignPoint(exploit, int(time), int(lane), int(group))

    def points(self) -> tuple[DesignPoint, ...]:
        """Every distinct design of the space, in a stable order (``design.box_grid`` over the
        per-exploit bounds)."""
        out = []
        for e in self.exploits:
            if e == "none":
                out.append(DesignPoint("none"))
                continue
            lo, hi = self.bounds(e)
            axes = [range(int(a), int(b) + 1) for a, b in zip(lo, hi)]
            out += box_grid(self.core, (e,), *axes)
        return tuple(out)

    def __iter__(self) -> Iterator[DesignPoint]:
        return iter(self.points())

    @property
    def size(self) -> int:
        """Number of distinct designs (the rules of the module doc applied)."""
        return len(self.points())

    @property
    def grid_size(self) -> int:
        """Nominal grid: exploits x time x lane x group values."""
        n = [b - a + 1 for a, b in (self.time, self.lane, self.group)]
        return len(self.exploits) * math.prod(n)

    def __contains__(self, point) -> bool:
        if not isinstance(point, DesignPoint):
            return False
        try:
            return self.canonical(point.exploit, point.time, point.lane, point.group) == point
        except ValueError:
            return False

    # -- rounding -------------------------------------------------------------------------------
    def round(self, exploit: str, theta) -> DesignPoint:
        """The nearest valid integer design to ``theta [3]`` (projected, then rounded half up)."""
        t = self.project(exploit, np.asarray(theta, np.float64).reshape(3))
        t = np.floor(t + 0.5).astype(int)
        return self.canonical(exploit, *(int(v) for v in t))

    def neighbours(self, exploit: str, theta) -> tuple[DesignPoint, ...]:
        """The valid integer designs at the corners of the unit cell around ``theta [3]``
        (floor / ceil per axis, at most 8), nearest first (Euclidean; ties in a stable order)."""
        t = self.project(exploit, np.asarray(theta, np.float64).reshape(3))
        axes = [sorted({int(math.floor(v)), int(math.ceil(v))}) for v in t]
        corners = {self.canonical(exploit, *c) for c in itertools.product(*axes)}
        return tuple(
            sorted(corners, key=lambda p: (float(np.sum((np.array(p.theta) - t) ** 2)), p))
        )
