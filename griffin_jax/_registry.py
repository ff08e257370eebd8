"""Named extension points: one ``Registry`` per kind of thing a user adds by name.

The package has four: presets (``design.PRESET_REGISTRY``), networks
(``workloads.NETWORK_REGISTRY``), window shapes (``design.SHAPE_REGISTRY``) and experiments
(``experiments.EXPERIMENT_REGISTRY``). Adding one is one entry: a function (in any file, the
package's or the user's) registered under a name with its metadata. Everything that lists
them (``__all__``-style tuples such as ``PRESETS``, the CLI's defaults and checks, the claims'
comparator sets, the generated docs tables) reads the registry instead of keeping its own list,
so a new entry shows up everywhere at once (docs/architecture.md, "Where a change goes").

Only the standard library here: every layer may import it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclasses.dataclass(frozen=True)
class Entry:
    """One registered thing: its ``name``, the ``value`` (usually a builder function), a one-line
    ``summary`` (the first line of the value's docstring unless given) and free ``meta`` data
    that the registry's consumers read (e.g. a preset's ``kind``)."""

    name: str
    value: Any
    summary: str = ""
    meta: Mapping = dataclasses.field(default_factory=dict)

    def __getattr__(self, key):
        # meta fields read as attributes (entry.kind), so consumers need no dict lookups
        meta = object.__getattribute__(self, "meta")
        if key in meta:
            return meta[key]
        raise AttributeError(f"{type(self).__name__} {self.name!r} has no field {key!r}")


def _summary(value) -> str:
    doc = getattr(value, "__doc__", None) or ""
    return doc.strip().split("\n\n")[0].replace("\n", " ").strip()


class Registry:
    """Entries of one kind, in registration order.

    ``register(name, value, **meta)`` adds one (or, without ``value``, returns a decorator);
    ``entry(name)`` / ``get(name)`` look one up (``ValueError`` naming the nearest known name);
    ``names(**where)`` lists the names whose meta data match ``where``. Registering a name twice
    is an error unless ``replace=True``: a silent shadowing of a built-in entry would change
    every report that uses it.
    """

    def __init__(self, kind: str, required: tuple = (), check: Callable | None = None):
        self.kind = kind
        self._required = tuple(required)
        self._check = check
        self._entries: dict[str, Entry] = {}

    def register(self, name: str, value=None, *, replace: bool = False, summary=None, **meta):
        """Add ``value`` under ``name`` (or return a decorator that does). ``meta`` must hold the
        registry's required fields. Returns ``value``."""
        if value is None:
            return lambda v: self.register(name, v, replace=replace, summary=summary, **meta)
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(
                f"{self.kind} name must be an identifier (letters, digits, _), got {name!r}"
            )
        if name in self._entries and not replace:
            raise ValueError(
                f"{self.kind} {name!r} is already registered (pass replace=True to replace it)"
            )
        missing = [k for k in self._required if k not in meta]
        if missing:
            raise ValueError(f"{self.kind} {name!r}: missing metadata {missing}")
        entry = Entry(name, value, _summary(value) if summary is None else str(summary), dict(meta))
        if self._check is not None:
            self._check(entry)
        self._entries[name] = entry
        return value

    def unregister(self, name: str) -> None:
        """Remove ``name`` (for tests and interactive sessions)."""
        self.entry(name)
        del self._entries[name]

    def entry(self, name) -> Entry:
        if isinstance(name, str) and name in self._entries:
            return self._entries[name]
        raise ValueError(self.unknown(name))

    def get(self, name):
        """The registered value of ``name``."""
        return self.entry(name).value

    def unknown(self, name) -> str:
        """The message for an unknown name: the nearest known one, or every known name."""
        known = list(self._entries)
        near = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
        hint = f"did you mean {near[0]!r}?" if near else f"known: {', '.join(known)}"
        return f"unknown {self.kind} {name!r}; {hint}"

    def names(self, **where) -> tuple:
        """Registered names in order; with ``where``, only entries whose meta match every
        item (a callable value is a predicate on the meta value)."""
        out = []
        for name, e in self._entries.items():
            ok = True
            for k, want in where.items():
                have = e.meta.get(k)
                ok = ok and (want(have) if callable(want) else have == want)
            if ok:
                out.append(name)
        return tuple(out)

    def entries(self) -> tuple:
        return tuple(self._entries.values())

    def as_mapping(self) -> Mapping:
        """A read-only name -> value view that follows later registrations."""
        return _LiveMapping(self)

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {list(self._entries)})"


class _LiveMapping(Mapping):
    """``Registry.as_mapping``: names to values, read from the registry at every access."""

    def __init__(self, registry: Registry):
        self._registry = registry

    def __getitem__(self, name):
        if name not in self._registry:
            raise KeyError(name)
        return self._registry.get(name)

    def __iter__(self):
        return iter(self._registry)

    def __len__(self):
        return len(self._registry)

    def __repr__(self):
        return repr(dict(self))
