"""Designs as data: the core geometry, the borrowing window and the design point.

All three are frozen dataclasses registered as JAX pytrees. Geometry, exploit and sync are
*static* (changing them recompiles); the window's offsets are *leaves* held in padded arrays with
a valid mask, so designs that differ only in their window share one compiled program as long as
their windows fit the same capacity (a power of two, see ``Window.capacity``).
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Sequence

import jax
import numpy as np

EXPLOITS = ("none", "A", "W", "AW")
SYNCS = ("core", "group")
MAX_LANES = 64


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _bucket(n: int, floor: int = 8) -> int:
    """Smallest power of two >= max(n, floor): the padded size that decides recompiles."""
    size = floor
    while size < n:
        size *= 2
    return size


def schedule_groups(core: "Core", exploit: str) -> int:
    """Groups of multipliers that follow one schedule (docs/model.md table 3.1): a column for
    ``A``, a row for ``W``, a DPU for ``AW``; 1 for the dense core."""
    return {"none": 1, "A": core.cols, "W": core.rows, "AW": core.rows * core.cols}[exploit]


def group_axis(core: "Core", exploit: str) -> int:
    """Length of the axis ``dg`` moves along (docs/model.md table 3.1): columns for ``A``,
    rows for ``W``, the columns of one row for ``AW`` (DPUs borrow only within their row);
    1 for the dense core, which never borrows."""
    return {"none": 1, "A": core.cols, "W": core.rows, "AW": core.cols}[exploit]


@dataclasses.dataclass(frozen=True)
class Core:
    """A ``rows`` x ``cols`` grid of dot-product units with ``lanes`` multipliers each.

    Rows map to output channels (n), columns to output pixels (m), lanes to the reduction (k).
    """

    rows: int
    cols: int
    lanes: int

    def __post_init__(self):
        for name in ("rows", "cols", "lanes"):
            object.__setattr__(self, name, _positive_int(f"Core.{name}", getattr(self, name)))
        if self.lanes > MAX_LANES:
            raise ValueError(f"Core.lanes must be <= {MAX_LANES}, got {self.lanes}")

    @property
    def multipliers(self) -> int:
        return self.rows * self.cols * self.lanes


class Window:
    """An ordered list of borrowing offsets ``(dt, dl, dg)`` (spec section 3.2).

    The own slot ``(0, 0, 0)`` is implicit and always first; it is not stored. Every stored offset
    has ``dt >= 1`` and no duplicates; ``|dl| < lanes`` is checked against a core by ``Design``.

    Pytree leaves: ``offsets`` int32 ``[capacity, 3]`` and ``valid`` bool ``[capacity]``; padding
    rows are ``(0, 0, 0)`` and invalid. ``capacity`` is a power of two >= 8 so that windows of
    similar sizes share one compiled program.
    """

    __slots__ = ("offsets", "valid")

    def __init__(self, offsets, valid):
        object.__setattr__(self, "offsets", offsets)
        object.__setattr__(self, "valid", valid)

    def __setattr__(self, name, value):
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def from_offsets(cls, offsets: Iterable[Sequence[int]], capacity: int | None = None) -> "Window":
        """Window from an explicit priority-ordered list of ``(dt, dl)`` or ``(dt, dl, dg)``."""
        triples = []
        for i, off in enumerate(offsets):
            off = tuple(off)
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
            if (dt, dl, dg) in triples:
                raise ValueError(f"window offset {i} {off} is a duplicate")
            triples.append((dt, dl, dg))
        n = len(triples)
        cap = _bucket(n) if capacity is None else int(capacity)
        if cap < n:
            raise ValueError(f"window capacity {cap} is smaller than its {n} offsets")
        arr = np.zeros((cap, 3), np.int32)
        if n:
            arr[:n] = np.asarray(triples, np.int32)
        valid = np.zeros((cap,), bool)
        valid[:n] = True
        return cls(arr, valid)

    @classmethod
    def box(cls, time: int = 1, lane: int = 0, group: int = 0) -> "Window":
        """The canonical box: dt = 1..time, then dg in (0,-1,+1,...), then dl in (0,-1,+1,...)."""
        for name, v in (("time", time), ("lane", lane), ("group", group)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError(f"Window.box {name} must be an int >= 0, got {v!r}")

        def signed(d):
            out = [0]
            for i in range(1, d + 1):
                out += [-i, i]
            return out

        return cls.from_offsets(
            [(dt, dl, dg) for dt in range(1, time + 1) for dg in signed(group) for dl in signed(lane)]
        )

    @classmethod
    def empty(cls) -> "Window":
        return cls.from_offsets([])

    # -- views ----------------------------------------------------------------------------------
    def as_tuples(self) -> tuple[tuple[int, int, int], ...]:
        """The offsets as Python tuples (host-side; not traceable)."""
        arr = np.asarray(self.offsets)
        ok = np.asarray(self.valid)
        return tuple(tuple(int(v) for v in arr[i]) for i in range(arr.shape[0]) if ok[i])

    @property
    def capacity(self) -> int:
        return int(np.shape(self.offsets)[0])

    @property
    def size(self) -> int:
        return len(self.as_tuples())

    @property
    def depth(self) -> int:
        """Lookahead depth D = max dt (0 for the empty window)."""
        return max((t[0] for t in self.as_tuples()), default=0)

    @property
    def group_reach(self) -> int:
        """Largest ``|dg|`` of the window (0 when it never borrows across groups)."""
        return max((abs(t[2]) for t in self.as_tuples()), default=0)

    @property
    def fan_in(self) -> int:
        """Operand mux fan-in F = 1 + number of offsets."""
        return 1 + self.size

    @property
    def has_group_offsets(self) -> bool:
        return any(t[2] != 0 for t in self.as_tuples())

    def padded(self, capacity: int) -> "Window":
        return Window.from_offsets(self.as_tuples(), capacity=capacity)

    def __repr__(self):
        return f"Window({list(self.as_tuples())})"

    def __eq__(self, other):
        return isinstance(other, Window) and self.as_tuples() == other.as_tuples()

    def __hash__(self):
        return hash(self.as_tuples())

    def label(self) -> str:
        """A short, stable name: ``box(t,l,g)`` when it is one, else the offset list."""
        tup = self.as_tuples()
        if not tup:
            return "none"
        d1 = max(t[0] for t in tup)
        d2 = max(abs(t[1]) for t in tup)
        d3 = max(abs(t[2]) for t in tup)
        if Window.box(d1, d2, d3).as_tuples() == tup:
            return f"box({d1},{d2},{d3})"
        return ";".join(f"{a},{b},{c}" for a, b, c in tup)


jax.tree_util.register_pytree_node(
    Window,
    lambda w: ((w.offsets, w.valid), None),
    lambda _, leaves: Window(*leaves),
)


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
        # Under jit/vmap the window leaves are tracers; they were validated when built.
        if not isinstance(self.window.offsets, jax.core.Tracer):
            validate_window(self.window, self.core.lanes, self.sync)

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


jax.tree_util.register_dataclass(
    Design, data_fields=["window"], meta_fields=["core", "exploit", "sync"]
)
