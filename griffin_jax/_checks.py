"""Argument checks shared by the public entry points (one wording for one kind of mistake)."""

from __future__ import annotations


def nonempty_of(name: str, items, kind, kind_name: str, empty: str) -> list:
    """``items`` as a list, each an instance of ``kind``; raises ``ValueError`` naming ``name``
    (and the first offending index) otherwise. ``kind_name`` with its article ("a Design");
    ``empty``: the message for no items."""
    items = list(items)
    if not items:
        raise ValueError(empty)
    for i, item in enumerate(items):
        if not isinstance(item, kind):
            raise ValueError(f"{name}[{i}] must be {kind_name}, got {type(item).__name__}")
    return items
