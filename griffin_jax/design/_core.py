"""Designs as data: the core geometry, the borrowing window and the design point.

``Core`` and ``Design`` are frozen dataclasses (``Design`` a pytree whose fields are all static
metadata); ``Window`` is a plain immutable value (a tuple of offsets). Compile buckets are the
simulator's business: ``griffin_jax.sim`` pads windows into arrays so that designs differing
only in their window share one compiled program.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence

import jax
import numpy as np

EXPLOITS = ("none", "A", "W", "AW")
SYNCS = ("core", "group")
MAX_LANES = 64
_INT32 = 2**31
# Window bounds (docs/model.md 3.2). A window never needs more than a layer can use: an offset
# with dt >= T (the tile's steps) never finds work, so any box deeper than MAX_WINDOW_TIME gives
# the results of box(MAX_WINDOW_TIME) on every layer of K < 2**16 x lanes; |dl| < lanes <= 64;
# and the simulator pads every window to a power of two of offsets, so a window is at most
# MAX_WINDOW_OFFSETS offsets (box(7, 3, 2), the largest searched, has 245).
MAX_WINDOW_TIME = 2**16
MAX_WINDOW_OFFSETS = 2**16


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def schedule_groups(core: Core, exploit: str) -> int:
    """Groups of multipliers that follow one schedule (docs/model.md table 3.1): a column for
    ``A``, a row for ``W``, a DPU for ``AW``; 1 for the dense core."""
    return {"none": 1, "A": core.cols, "W": core.rows, "AW": core.rows * core.cols}[exploit]


def group_axis(core: Core, exploit: str) -> int:
    """Length of the axis ``dg`` moves along (docs/model.md table 3.1): columns for ``A``,
    rows for ``W``, the columns of one row for ``AW`` (DPUs borrow only within their row);
    1 for the dense core, which never borrows."""
    return {"none": 1, "A": core.cols, "W": core.rows, "AW": core.cols}[exploit]


@dataclasses.dataclass(frozen=True)
class Core:
    """A ``rows`` x ``cols`` grid of dot-product units with ``lanes`` multipliers each.

    Rows map to output channels (n), columns to output pixels (m), lanes to the reduction (k).
    ``act_kb``, ``wgt_kb``, ``out_kb``: capacities of the core's activation, weight and output
    SRAM buffers in KB of dense 8-bit values (docs/model.md 4.1: a design that stores compressed
    operands grows its buffers by the metadata bits per value). One default for every design
    built on a core; the defaults are argued in docs/model.md 4.1.
    """

    rows: int
    cols: int
    lanes: int
    act_kb: float = 128.0
    wgt_kb: float = 128.0
    out_kb: float = 32.0

    def __post_init__(self):
        for name in ("rows", "cols", "lanes"):
            object.__setattr__(self, name, _positive_int(f"Core.{name}", getattr(self, name)))
        for name in ("act_kb", "wgt_kb", "out_kb"):
            v = getattr(self, name)
            if (
                isinstance(v, bool)
                or not isinstance(v, (int, float, np.integer, np.floating))
                or not math.isfinite(v)
                or v <= 0
            ):
                raise ValueError(f"Core.{name} must be a positive number of KB, got {v!r}")
            object.__setattr__(self, name, float(v))
        if self.lanes > MAX_LANES:
            raise ValueError(f"Core.lanes must be <= {MAX_LANES}, got {self.lanes}")
        # The simulator counts one tile's multiplier slots in int32.
        for name in ("rows", "cols"):
            if getattr(self, name) >= _INT32:
                raise ValueError(f"Core.{name} must be < 2**31, got {getattr(self, name)}")
        if self.multipliers >= _INT32:
            raise ValueError(f"Core rows x cols x lanes must be < 2**31, got {self.multipliers}")

    @property
    def multipliers(self) -> int:
        return self.rows * self.cols * self.lanes


def _as_offset(i: int, off) -> tuple[int, int, int]:
    """One ``(dt, dl[, dg])`` entry as a checked int triple (``ValueError`` naming it)."""
    try:
        off = tuple(off)
    except TypeError:
        raise ValueError(f"window offset {i} must be (dt, dl[, dg]) ints, got {off!r}") from None
    if len(off) == 2:
        off = off + (0,)
    if len(off) != 3 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in off
    ):
        raise ValueError(f"window offset {i} must be (dt, dl[, dg]) ints, got {off!r}")
    dt, dl, dg = (int(v) for v in off)
    if dt < 1:
        raise ValueError(
            f"window offset {i} {off}: dt must be >= 1 (the own slot is implicit and "
            "an offset with dt = 0 could never find work)"
        )
    if max(abs(dt), abs(dl), abs(dg)) >= _INT32:
        raise ValueError(f"window offset {i} {off}: every entry must fit int32 (< 2**31)")
    return dt, dl, dg


class Window:
    """An ordered list of borrowing offsets ``(dt, dl, dg)`` (docs/model.md section 3.2).

    The own slot ``(0, 0, 0)`` is implicit and always first; it is not stored. Every stored offset
    has ``dt >= 1`` and no duplicates; ``|dl| < lanes`` is checked against a core by ``Design``.

    A plain, hashable value (a tuple of int triples): how windows are padded into arrays and
    bucketed for compilation is the simulator's business (``griffin_jax.sim``). Build one with
    ``box``, ``from_offsets`` or ``empty``.
    """

    __slots__ = ("_offsets",)

    def __init__(self, offsets=()):
        # O(n): a set finds duplicates; the count is checked before more offsets are read
        triples, seen = [], set()
        for i, off in enumerate(offsets):
            if i >= MAX_WINDOW_OFFSETS:
                raise ValueError(
                    f"a window holds at most MAX_WINDOW_OFFSETS = {MAX_WINDOW_OFFSETS} offsets"
                )
            off = _as_offset(i, off)
            if off in seen:
                raise ValueError(f"window offset {i} {off} is a duplicate")
            seen.add(off)
            triples.append(off)
        object.__setattr__(self, "_offsets", tuple(triples))

    def __setattr__(self, name, value):
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def from_offsets(cls, offsets: Iterable[Sequence[int]], capacity=None) -> Window:
        """Window from an explicit priority-ordered list of ``(dt, dl)`` or ``(dt, dl, dg)``.

        ``capacity`` is no longer accepted (the simulator buckets windows itself); passing it
        raises ``ValueError``.
        """
        if capacity is not None:
            raise ValueError(
                f"Window.from_offsets: capacity ({capacity!r}) is no longer a window property; "
                "the simulator chooses compile buckets itself, so drop the argument"
            )
        if isinstance(offsets, (str, bytes)) or not isinstance(offsets, Iterable):
            raise ValueError(
                f"Window.from_offsets: offsets must be a sequence of (dt, dl[, dg]), got "
                f"{type(offsets).__name__}"
            )
        return cls(offsets)

    @classmethod
    def box(cls, time: int = 1, lane: int = 0, group: int = 0) -> Window:
        """The canonical box: dt = 1..time, then dg in (0,-1,+1,...), then dl in (0,-1,+1,...).

        Bounded by what a layer can use (``ValueError`` past it, before anything is built):
        ``time <= MAX_WINDOW_TIME``, ``lane < MAX_LANES`` and at most ``MAX_WINDOW_OFFSETS``
        offsets in all, ``time x (2 lane + 1) x (2 group + 1)``.
        """
        for name, v in (("time", time), ("lane", lane), ("group", group)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"Window.box {name} must be an int >= 0, got {v!r}")
        time, lane, group = int(time), int(lane), int(group)
        if time > MAX_WINDOW_TIME:
            raise ValueError(
                f"Window.box time must be <= {MAX_WINDOW_TIME} (a lookahead past a layer's "
                f"steps finds no more work), got {time}"
            )
        if lane >= MAX_LANES:
            raise ValueError(f"Window.box lane must be < {MAX_LANES} (|dl| < lanes), got {lane}")
        if group >= _INT32:
            raise ValueError(f"Window.box group must be < 2**31, got {group}")
        size = time * (2 * lane + 1) * (2 * group + 1)
        if size > MAX_WINDOW_OFFSETS:
            raise ValueError(
                f"Window.box({time}, {lane}, {group}) has {size} offsets; a window holds at most "
                f"{MAX_WINDOW_OFFSETS}"
            )

        def signed(d):
            out = [0]
            for i in range(1, d + 1):
                out += [-i, i]
            return out

        return cls(
            [
                (dt, dl, dg)
                for dt in range(1, time + 1)
                for dg in signed(group)
                for dl in signed(lane)
            ]
        )

    @classmethod
    def empty(cls) -> Window:
        return cls()

    # -- views ----------------------------------------------------------------------------------
    def as_tuples(self) -> tuple[tuple[int, int, int], ...]:
        """The offsets as Python int triples, in priority order."""
        return self._offsets

    @property
    def size(self) -> int:
        return len(self._offsets)

    @property
    def depth(self) -> int:
        """Lookahead depth D = max dt (0 for the empty window)."""
        return max((t[0] for t in self._offsets), default=0)

    @property
    def group_reach(self) -> int:
        """Largest ``|dg|`` of the window (0 when it never borrows across groups)."""
        return max((abs(t[2]) for t in self._offsets), default=0)

    @property
    def fan_in(self) -> int:
        """Operand mux fan-in F = 1 + number of offsets."""
        return 1 + self.size

    @property
    def has_group_offsets(self) -> bool:
        return any(t[2] != 0 for t in self._offsets)

    def __repr__(self):
        return f"Window({list(self._offsets)})"

    def __eq__(self, other):
        return isinstance(other, Window) and self._offsets == other._offsets

    def __hash__(self):
        return hash(self._offsets)

    def __reduce__(self):
        return (Window, (self._offsets,))

    def label(self) -> str:
        """A short, stable name: ``box(t,l,g)`` when it is one, else the offset list."""
        tup = self._offsets
        if not tup:
            return "none"
        d1 = max(t[0] for t in tup)
        d2 = max(abs(t[1]) for t in tup)
        d3 = max(abs(t[2]) for t in tup)
        if (
            len(tup) == d1 * (2 * d2 + 1) * (2 * d3 + 1)
            and d1 <= MAX_WINDOW_TIME
            and d2 < MAX_LANES
            and Window.box(d1, d2, d3) == self
        ):
            return f"box({d1},{d2},{d3})"
        return ";".join(f"{a},{b},{c}" for a, b, c in tup)


@dataclasses.dataclass(frozen=True)
class Design:
    """A sparse core design point: a core, what it exploits, its window and its sync domain.

    ``exploit``: "none" (dense), "A" (activation zeros), "W" (weight zeros), "AW" (both).
    ``sync``: "core" (one shared step pointer) or "group" (one per group, idealised decoupling;
    only for windows without group offsets).
    """

    core: Core
    exploit: str = "AW"
    window: Window = dataclasses.field(default_factory=Window.empty)
    sync: str = "core"

    def __post_init__(self):
        if not isinstance(self.core, Core):
            raise ValueError(f"Design.core must be a Core, got {type(self.core).__name__}")
        if self.exploit not in EXPLOITS:
            raise ValueError(f"Design.exploit must be one of {EXPLOITS}, got {self.exploit!r}")
        if self.sync not in SYNCS:
            raise ValueError(f"Design.sync must be one of {SYNCS}, got {self.sync!r}")
        if not isinstance(self.window, Window):
            raise ValueError(f"Design.window must be a Window, got {type(self.window).__name__}")
        validate_window(self.window, self.core.lanes, self.sync)
        if self.exploit == "none" and self.window.size:
            # The dense core never borrows; a window would only be charged (muxes, trees).
            raise ValueError(
                f"Design.window must be empty for exploit 'none' (the dense core never "
                f"borrows), got {self.window.label()}"
            )
        if self.window.has_group_offsets and group_axis(self.core, self.exploit) == 1:
            raise ValueError(
                f"Design.window has dg offsets but exploit {self.exploit!r} on this core has "
                "one group on the dg axis: the neighbour never exists"
            )

    @property
    def groups(self) -> int:
        """Number of schedule groups G for this exploit (docs/model.md table 3.1)."""
        return schedule_groups(self.core, self.exploit)

    def label(self) -> str:
        return f"{self.exploit}:{self.window.label()}" + (":group" if self.sync == "group" else "")


def validate_window(window: Window, lanes: int, sync: str = "core") -> None:
    """Raise ``ValueError`` (naming ``window``) if the window cannot run on ``lanes`` lanes."""
    for dt, dl, dg in window.as_tuples():
        if abs(dl) >= lanes:
            raise ValueError(
                f"window offset {(dt, dl, dg)}: |dl| must be < lanes ({lanes}); "
                "lanes wrap inside the DPU, so a larger reach would alias"
            )
    if sync == "group" and window.has_group_offsets:
        raise ValueError("sync='group' needs a window without group (dg) offsets")


# Every field is static metadata (the window too: it is a hashable value): a Design is a pytree
# with no leaves, so it can be passed through jit as a static description. The simulator never
# traces over windows; it pads them into arrays per compile bucket itself.
jax.tree_util.register_dataclass(
    Design, data_fields=[], meta_fields=["core", "exploit", "window", "sync"]
)
