"""Argument checks shared by the public entry points (one wording for one kind of mistake)."""

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
