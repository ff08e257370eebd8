"""One bounded YAML reader for every file the package parses itself (technology configs, the
derived Griffin file, a sweep job's recorded config).

``yaml.safe_load`` runs no code, but it still trusts the size of what it reads: a kilobyte of
nested aliases (the "billion laughs") composes in microseconds into a graph whose expansion
(any walk over it, a ``repr`` in an error message) never ends, a recursive alias makes a
cyclic value, and deep nesting overflows Python's stack. ``safe_load`` here refuses all three
before anything is constructed: the text is capped at ``max_bytes``, the node graph is
measured with every alias expanded (at most ``max_nodes`` nodes, no cycles) and nesting
deeper than ``max_depth`` is refused. Every refusal, and every YAML syntax error, is a
``ValueError`` that names the file and never quotes its values.
"""

from __future__ import annotations

import os

import yaml

MAX_BYTES = 8 * 1024 * 1024
MAX_NODES = 1_000_000
MAX_DEPTH = 64


class _Loader(yaml.SafeLoader):
    """The safe loader; ``_measure`` checks the composed graph before construction."""


def _measure(root, label: str, max_nodes: int, max_depth: int) -> None:
    """Expanded node count of the graph under ``root`` (an alias counts as many nodes as its
    target expands to), refusing cycles, depth past ``max_depth`` and more than ``max_nodes``."""
    sizes: dict = {}
    active: set = set()

    def size(node, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ValueError(f"{label}: a YAML alias refers to a node that contains it")
        if depth > max_depth:
            raise ValueError(f"{label}: YAML nested deeper than {max_depth} levels")
        active.add(key)
        n = 1
        if isinstance(node, yaml.SequenceNode):
            for child in node.value:
                n += size(child, depth + 1)
                if n > max_nodes:
                    break
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                n += size(k, depth + 1) + size(v, depth + 1)
                if n > max_nodes:
                    break
        active.discard(key)
        if n > max_nodes:
            raise ValueError(
                f"{label}: YAML expands to more than {max_nodes} nodes (aliases included)"
            )
        sizes[key] = n
        return n

    size(root, 0)


def safe_load(
    text,
    label: str = "YAML",
    *,
    max_bytes: int = MAX_BYTES,
    max_nodes: int = MAX_NODES,
    max_depth: int = MAX_DEPTH,
):
    """Parse one YAML document (``str`` or ``bytes``) like ``yaml.safe_load``, within the bounds
    of the module docstring; ``ValueError`` naming ``label`` otherwise."""
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise ValueError(f"{label}: {len(text)} bytes, more than the {max_bytes}-byte limit")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{label}: not UTF-8 text") from None
    if not isinstance(text, str):
        raise ValueError(f"{label}: YAML text must be str or bytes, got {type(text).__name__}")
    if len(text) > max_bytes:
        raise ValueError(f"{label}: {len(text)} characters, more than the {max_bytes} limit")
    loader = None
    try:
        loader = _Loader(text)  # its reader refuses control characters already
        root = loader.get_single_node()
        if root is None:
            return None
        _measure(root, label, max_nodes, max_depth)
        return loader.construct_document(root)
    except yaml.YAMLError as err:
        raise ValueError(f"{label}: not valid YAML: {_first_line(err)}") from None
    except RecursionError:
        raise ValueError(f"{label}: YAML nested too deeply") from None
    finally:
        if loader is not None:
            loader.dispose()


def _first_line(err: yaml.YAMLError) -> str:
    # The problem and its position, without the quoted source snippet.
    mark = getattr(err, "problem_mark", None)
    problem = getattr(err, "problem", None) or str(err).splitlines()[0]
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{problem}{where}"


def read(path, *, max_bytes: int = MAX_BYTES, **bounds):
    """``safe_load`` of the file at ``path``: at most ``max_bytes`` are read; an unreadable
    file is a ``ValueError`` naming it."""
    label = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read(max_bytes + 1)
    except OSError as err:
        raise ValueError(f"{label}: cannot read: {err.strerror or err}") from None
    if len(raw) > max_bytes:
        raise ValueError(f"{label}: more than the {max_bytes}-byte limit")
    return safe_load(raw, label, max_bytes=max_bytes, **bounds)
