"""The structural check a pickle passes before it is unpickled: its opcodes walked, never run.

``check_opcodes`` reads one pickle's opcode stream (``pickletools.genops``), refuses opcodes
outside an allow-list (instance construction, the copyreg extension registry, out-of-band
buffers), replays the pickle machine's stack on symbols (containers as graph nodes, memo
references as shared edges) and refuses cycles, nesting deeper than ``MAX_DEPTH`` and more than
``max_items`` container entries counted as a tree, all before the real unpickler runs (hashing a
200k-deep tuple key inside it would overflow the C stack). The checkpoint reader
(``_torch_pickle``) calls it on every pickle it reads.
"""

from __future__ import annotations

import io
import pickletools

# ASSUMPTION: torch state dicts nest a handful of levels (dict -> tensor -> args -> persistent id
# -> view); 100 leaves room for nested checkpoints while staying far below both Python's recursion
# limit and the depth at which hashing a nested tuple overflows the C stack.
MAX_DEPTH = 100
# ASSUMPTION: a state-dict pickle holds about ten container entries per tensor; 2**22 admits
# ~400k tensors, beyond any checkpoint this package reads, and bounds flattening shared sub-dicts.
MAX_ITEMS = 1 << 22


class CheckpointError(ValueError):
    """A checkpoint that is malformed, truncated, or outside what this reader accepts."""


class UnsafePickleError(CheckpointError):
    """A pickle that names a global outside the allow-list (it was not called)."""


_LEAF, _EMPTY = "leaf", (True, 0)
# What each allowed opcode does to the symbolic stack of ``_replay``: ``_LEAF`` pushes a leaf;
# ``(new, n)`` takes n entries (-1: up to the mark) into a new node (new) or into the container
# below them; "other" opcodes are handled by name.
_OPCODE_KINDS = {
    **dict.fromkeys(
        """INT BININT BININT1 BININT2 LONG LONG1 LONG4 STRING BINSTRING SHORT_BINSTRING
        BINBYTES SHORT_BINBYTES UNICODE BINUNICODE SHORT_BINUNICODE NONE NEWTRUE NEWFALSE FLOAT
        BINFLOAT GLOBAL PERSID""".split(),
        _LEAF,
    ),
    **dict.fromkeys(["EMPTY_LIST", "EMPTY_DICT", "EMPTY_TUPLE"], _EMPTY),
    **dict.fromkeys(["LIST", "TUPLE", "DICT"], (True, -1)),
    **dict.fromkeys(["TUPLE1", "BINPERSID"], (True, 1)),
    **dict.fromkeys(["TUPLE2", "REDUCE"], (True, 2)),
    "TUPLE3": (True, 3),
    **dict.fromkeys(["APPEND", "BUILD"], (False, 1)),
    "SETITEM": (False, 2),
    **dict.fromkeys(["APPENDS", "SETITEMS"], (False, -1)),
    **dict.fromkeys(
        """STACK_GLOBAL MARK POP POP_MARK DUP PUT BINPUT LONG_BINPUT MEMOIZE GET BINGET
        LONG_BINGET PROTO FRAME STOP""".split(),
        "other",
    ),
}


def _replay(ops, what: str, max_items: int) -> list[list[int]]:
    """Replay the pickle machine on symbols and return its object graph: a stack entry is
    ``None`` (a leaf: scalar, global, persistent id) or a node id, and ``kids[node]`` lists the
    nodes it may hold. Every edge the real objects can have is here (a call's result holds its
    arguments, BUILD's target its state), so depths measured on it bound the real ones."""
    kids: list[list[int]] = []
    height: list[int] = []  # a lower bound of each node's depth, to fail early on deep nesting
    stack: list[int | None] = []
    marks: list[int] = []
    memo: dict[int, int | None] = {}
    items = 0

    def fail(why):
        raise CheckpointError(f"{what}: {why}")

    def pop(n):  # n items above the innermost mark
        if len(stack) - n < (marks[-1] if marks else 0):
            fail("unreadable pickle (stack underflow)")
        out = stack[len(stack) - n :]
        del stack[len(stack) - n :]
        return out

    def pop_mark():
        if not marks:
            fail("unreadable pickle (no MARK)")
        start = marks.pop()
        out = stack[start:]
        del stack[start:]
        return out

    for op, arg, _ in ops:
        name = op.name
        kind = _OPCODE_KINDS.get(name)
        if kind is None:
            raise UnsafePickleError(f"{what}: refused pickle opcode {name}")
        if kind is _LEAF:
            stack.append(None)
            continue
        if kind is _EMPTY:  # the commonest container opcodes, kept short
            kids.append([])
            height.append(1)
            stack.append(len(kids) - 1)
            continue
        members = None  # the entries a new node or a mutated target gains
        if type(kind) is tuple:
            new, n = kind
            members = pop_mark() if n < 0 else pop(n) if n else ()
        elif name == "STACK_GLOBAL":
            pop(2)
            stack.append(None)
        elif name == "MARK":
            if len(marks) >= MAX_DEPTH:  # each open mark is a container being built
                fail(f"marks nest deeper than {MAX_DEPTH} levels")
            marks.append(len(stack))
        elif name == "POP":
            if marks and marks[-1] == len(stack):
                marks.pop()
            else:
                pop(1)
        elif name == "POP_MARK":
            pop_mark()
        elif name in ("DUP", "PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"):
            if len(stack) <= (marks[-1] if marks else 0):
                fail(f"unreadable pickle ({name} on an empty stack)")
            if name == "DUP":
                stack.append(stack[-1])
            else:
                memo[len(memo) if name == "MEMOIZE" else arg] = stack[-1]
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            if arg not in memo:
                fail(f"unreadable pickle (memo key {arg} missing)")
            stack.append(memo[arg])
        # PROTO, FRAME and STOP leave the stack alone
        if members is None:
            continue
        items += len(members)
        if items > max_items:
            fail(f"more than max_items={max_items} container entries")
        nodes = [m for m in members if m is not None]
        h = 1 + max((height[m] for m in nodes), default=0)
        if h > MAX_DEPTH:
            fail(f"objects nest deeper than {MAX_DEPTH} levels")
        if new:
            kids.append(nodes)
            height.append(h)
            stack.append(len(kids) - 1)
        else:
            if len(stack) <= (marks[-1] if marks else 0) or stack[-1] is None:
                fail(f"unreadable pickle ({name} on a scalar or a global)")
            kids[stack[-1]].extend(nodes)
            height[stack[-1]] = max(height[stack[-1]], h)
    return kids


def _check_graph(kids: list[list[int]], what: str, max_depth: int, max_items: int) -> None:
    """Refuse cycles, paths longer than ``max_depth`` and graphs that hold more than
    ``max_items`` entries when walked as a tree (iterative DFS, linear in edges).

    The tree size counts a shared object once per reference: objects are built once (shared by
    identity), but any consumer that walks the result (flattening, printing, comparing) pays the
    tree size, so ``x[i+1] = [x[i], x[i]]`` nested 24 times is refused here, not after minutes."""
    state = [0] * len(kids)  # 0 unseen, 1 on the current path, 2 done
    tree = [0] * len(kids)  # entries below each finished node, counted as a tree (capped)
    for root in range(len(kids)):
        if state[root]:
            continue
        state[root] = 1
        path = [(root, 0)]
        while path:
            node, i = path[-1]
            if i == len(kids[node]):
                state[node] = 2
                tree[node] = min(len(kids[node]) + sum(tree[k] for k in kids[node]), max_items + 1)
                if tree[node] > max_items:
                    raise CheckpointError(
                        f"{what}: walked as a tree, the objects hold more "
                        f"than max_items={max_items} entries (shared "
                        "references multiply)"
                    )
                path.pop()
                continue
            path[-1] = (node, i + 1)
            kid = kids[node][i]
            if state[kid] == 1:
                raise CheckpointError(f"{what}: the pickle's objects form a cycle")
            if state[kid] == 0:
                if len(path) >= max_depth:
                    raise CheckpointError(f"{what}: objects nest deeper than {max_depth} levels")
                state[kid] = 1
                path.append((kid, 0))


def check_opcodes(stream: io.BytesIO, what: str, max_items: int) -> None:
    """Walk one pickle's opcodes (no execution) from the stream's position and rewind; refuses
    opcodes outside ``_OPCODE_KINDS``, pickles that do not parse up to STOP, and object graphs
    with a cycle, more than ``MAX_DEPTH`` levels or more than ``max_items`` container entries."""
    start = stream.tell()
    try:
        kids = _replay(pickletools.genops(stream), what, max_items)
    except CheckpointError:
        raise
    except Exception as e:  # noqa: BLE001 - malformed opcode stream
        raise CheckpointError(f"{what}: unreadable pickle ({type(e).__name__}: {e})") from None
    _check_graph(kids, what, MAX_DEPTH, max_items)
    stream.seek(start)
