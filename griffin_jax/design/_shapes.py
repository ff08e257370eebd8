"""Window shapes by name: the box family and the published shapes the presets use.

A shape is a function ``f(**params) -> Window`` registered in ``SHAPE_REGISTRY``; a new shape is
one function and one ``register_shape`` call. ``shape(name, **params)`` builds one, and
``window_from_spec("l_shape(2, 5)")`` reads the same from text (config files, the CLI's
``design.shapes``), allowing only literal ``int`` arguments: no expression of the text is ever
evaluated.
"""

from __future__ import annotations

import ast

from griffin_jax._registry import Registry
from griffin_jax.design._core import Window


def _check(entry) -> None:
    if not callable(entry.value):
        raise ValueError(f"window shape {entry.name!r}: the registered value must be callable")


SHAPE_REGISTRY = Registry("window shape", check=_check)


def register_shape(name: str, build=None, *, replace: bool = False):
    """Register ``build(**params) -> Window`` as shape ``name`` (usable as a decorator)."""
    return SHAPE_REGISTRY.register(name, build, replace=replace)


def shape(name: str, *args, **params) -> Window:
    """The window of registered shape ``name`` with ``params``; ``ValueError`` naming the shape
    for unknown names or bad parameters."""
    build = SHAPE_REGISTRY.get(name)
    try:
        win = build(*args, **params)
    except TypeError as err:  # wrong parameter names or count
        raise ValueError(f"window shape {name!r}: {err}") from None
    if not isinstance(win, Window):
        raise ValueError(f"window shape {name!r} returned {type(win).__name__}, not a Window")
    return win


def window_from_spec(spec: str) -> Window:
    """A window from ``"name"`` or ``"name(arg, ..., key=arg)"`` with int literals, e.g.
    ``"box(2, 1, 0)"``, ``"l_shape(lookahead=2, lookaside=5)"``, ``"t_shape"``."""
    if not isinstance(spec, str) or len(spec) > 200:
        raise ValueError(f"window spec must be a short string like 'box(2, 1)', got {spec!r:.60}")
    try:
        node = ast.parse(spec.strip(), mode="eval").body
    except SyntaxError:
        raise ValueError(f"window spec {spec!r}: not 'name' or 'name(int, ...)'") from None
    if isinstance(node, ast.Name):
        return shape(node.id)
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
        raise ValueError(f"window spec {spec!r}: not 'name' or 'name(int, ...)'")

    def literal(v):
        if isinstance(v, ast.UnaryOp) and isinstance(v.op, ast.USub):
            return -literal(v.operand)
        if isinstance(v, ast.Constant) and type(v.value) is int:
            return v.value
        raise ValueError(f"window spec {spec!r}: arguments must be int literals")

    args = [literal(a) for a in node.args]
    kwargs = {k.arg: literal(k.value) for k in node.keywords if k.arg is not None}
    if len(kwargs) != len(node.keywords):
        raise ValueError(f"window spec {spec!r}: no ** arguments")
    return shape(node.func.id, *args, **kwargs)


@register_shape("box")
def box(time: int = 1, lane: int = 0, group: int = 0) -> Window:
    """The canonical box (docs/model.md 3.2): dt = 1..time, then dg in (0, -1, +1, ...), then
    dl in (0, -1, +1, ...)."""
    return Window.box(time, lane, group)


@register_shape("time")
def time_queue(depth: int = 1) -> Window:
    """A per-lane time queue ``(1,0), ..., (depth,0)``: each lane looks ahead in its own lane
    only (Cnvlutin-style)."""
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"time queue depth must be an int >= 1, got {depth!r}")
    return Window.from_offsets([(t, 0) for t in range(1, depth + 1)])


@register_shape("l_shape")
def l_shape(lookahead: int = 2, lookaside: int = 5) -> Window:
    """Bit-Tactical's L: ``(1,0) .. (h,0)`` then ``(1,-1) .. (1,-d)`` (docs/model.md 3.2)."""
    for name, v in (("lookahead", lookahead), ("lookaside", lookaside)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"l_shape {name} must be an int >= 0, got {v!r}")
    return Window.from_offsets(
        [(t, 0) for t in range(1, lookahead + 1)] + [(1, -s) for s in range(1, lookaside + 1)]
    )


@register_shape("t_shape")
def t_shape() -> Window:
    """Our 8-input T: a lookaside bar at ``dt = 1`` over lanes -2..+2 and a time stem at the own
    lane down to ``dt = 3``; priority: the stem first (stay in lane), then the bar nearest-first.

    TensorDash's exact connectivity is not reproduced (its paper was not available to us); only
    its published budget, an 8-input mux per multiplier input, and a T-like reach are kept."""
    return Window.from_offsets([(1, 0), (2, 0), (3, 0), (1, -1), (1, 1), (1, -2), (1, 2)])
