"""Argument checks shared by the public entry points and option records (one wording for one
kind of mistake; messages name the field, so the CLI can map them to its keys)."""

from __future__ import annotations

from collections.abc import Iterable


def nonempty_of(name: str, items, kind, kind_name: str, empty: str) -> list:
    """``items`` as a list, each an instance of ``kind``; raises ``ValueError`` naming ``name``
    (and the first offending index) otherwise. ``kind_name`` with its article ("a Design");
    ``empty``: the message for no items. A bare item, a string or a non-iterable where the
    sequence was expected is refused by name too (not a ``TypeError`` from ``list``)."""
    if (
        isinstance(items, kind)
        or isinstance(items, (str, bytes))
        or not isinstance(items, Iterable)
    ):
        raise ValueError(
            f"{name} must be a sequence of {kind_name[kind_name.find(' ') + 1 :]}, "
            f"got a bare {type(items).__name__} (wrap it in a list)"
        )
    items = list(items)
    if not items:
        raise ValueError(empty)
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise ValueError(f"{name}[{i}] must be {kind_name}, got {type(item).__name__}")
    return items


def is_int(value) -> bool:
    """An int (numpy ints too), not a bool."""
    import numpy as np

    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(name: str, value, low: int | None = None, *, optional: bool = False) -> int | None:
    """``value`` as an int ``>= low``; ``None`` passes when ``optional``; ``ValueError`` naming
    ``name`` otherwise."""
    if optional and value is None:
        return None
    if not is_int(value) or (low is not None and value < low):
        what = "an int" if low is None else f"an int >= {low}"
        raise ValueError(f"{name} must be {'null or ' if optional else ''}{what}, got {value!r}")
    return int(value)


def check_ints(name: str, values, low: int | None = None) -> tuple:
    """A sequence of ints ``>= low`` as a tuple; ``ValueError`` naming ``name`` otherwise."""
    vals = tuple(values)
    if not all(is_int(v) and (low is None or v >= low) for v in vals):
        what = "ints" if low is None else f"ints >= {low}"
        raise ValueError(f"{name} must be a list of {what}, got {list(vals)}")
    return tuple(int(v) for v in vals)


def check_bool(name: str, value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be a bool, got {value!r}")
    return value


def check_choice(name: str, value, choices) -> object:
    """``value`` if it is one of ``choices``; ``ValueError`` naming ``name`` and the choices."""
    if value not in tuple(choices):
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")
    return value
