"""A safe reader of PyTorch tensor checkpoints (``torch.save`` files), numpy only, no torch.

Two container formats exist:

- **zip** (torch >= 1.6): a zip archive ``<name>/data.pkl`` + ``<name>/data/<key>`` (one raw
  storage per key, stored uncompressed) + small records (``version``, ``byteorder``, ...);
- **legacy** (torch < 1.6, or ``_use_new_zipfile_serialization=False``): five pickles in a row
  (magic number, protocol version 1001, system info, the object, the sorted list of storage keys)
  followed, for each key in that order, by an 8-byte element count and the storage's raw bytes.

In both, the object pickle names storages through persistent ids
``("storage", <torch.XStorage class>, key, location, numel[, view_metadata])`` and builds tensors
with ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)``.

Unpickling runs arbitrary callables named by the file, so the unpickler here resolves **only** an
allow-list of globals (the rebuild functions, ``collections.OrderedDict`` and the typed storage
classes), each to a harmless local stand-in; every other global (``os.system``, ``builtins.eval``,
...) raises ``UnsafePickleError`` before anything is called. Before that, each pickle's opcodes
are walked without executing them (``pickletools.genops``) and any opcode outside an allow-list
(instance construction, the copyreg extension registry, out-of-band buffers) is refused too.
Tensors are first built as lazy references and only materialised after every storage size,
offset and stride has been checked against the bytes actually present, so truncated or
inconsistent files raise ``CheckpointError`` (both are ``ValueError``) instead of returning
garbage. Only little-endian files are accepted.

Hostile structure is refused before it costs anything: the opcode walk also replays the pickle's
stack symbolically (containers as graph nodes, memo references as shared edges) and refuses cycles,
nesting deeper than ``MAX_DEPTH`` and more than ``max_items`` container entries, all before the
real unpickler runs (hashing a 200k-deep tuple key inside it would overflow the C stack).
Materialisation then shares objects by identity, so a file that references one list twice at
each of 24 levels costs 24 steps, not 2**24, and error messages describe untrusted values with a
bounded summary instead of ``repr`` (which can be exponential on such files).
"""

from __future__ import annotations

import collections
import dataclasses
import io
import math
import os
import pickle
import zipfile

import numpy as np

from griffin_jax.workloads._pickle_opcodes import (
    MAX_DEPTH,
    MAX_ITEMS,
    CheckpointError,
    UnsafePickleError,
    check_opcodes,
)

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization.MAGIC_NUMBER
LEGACY_PROTOCOL = 1001  # torch.serialization.PROTOCOL_VERSION

# torch typed-storage class name -> numpy dtype of the stored bytes. BFloat16 is widened to float32
# when tensors are materialised (numpy has no bfloat16).
STORAGE_DTYPES = {
    "DoubleStorage": "<f8",
    "FloatStorage": "<f4",
    "HalfStorage": "<f2",
    "BFloat16Storage": "<u2",
    "LongStorage": "<i8",
    "IntStorage": "<i4",
    "ShortStorage": "<i2",
    "CharStorage": "|i1",
    "ByteStorage": "|u1",
    "BoolStorage": "|b1",
}


_INT64_LIMIT = 1 << 63  # torch sizes, strides, offsets and storage sizes are int64


def _brief(v, level: int = 0) -> str:
    """A bounded description of an untrusted value for error messages: ``repr`` of a hostile
    structure can take exponential time (shared sub-lists), overflow the stack (deep nesting) or
    refuse outright (ints past 4300 digits)."""
    if isinstance(v, int) and v.bit_length() > 64:
        return f"<int of {v.bit_length()} bits>"
    if v is None or isinstance(v, (bool, int, float)):
        return repr(v)
    if isinstance(v, (str, bytes)):
        return repr(v[:60]) + ("..." if len(v) > 60 else "")
    if isinstance(v, (tuple, list)) and level < 2 and len(v) <= 8:
        inner = ", ".join(_brief(x, level + 1) for x in v)
        return f"({inner}{',' if len(v) == 1 else ''})" if isinstance(v, tuple) else f"[{inner}]"
    if isinstance(v, (tuple, list, dict)):
        return f"<{type(v).__name__} of {len(v)} items>"
    return f"<{type(v).__name__}>"


class _NoBuild:
    """Refuses pickle's BUILD opcode: without a ``__setstate__`` the unpickler writes the state
    straight into ``__dict__``, which would rewrite a frozen stand-in after it was validated."""

    __slots__ = ()

    def __setstate__(self, state):
        raise CheckpointError(f"pickle BUILD on {type(self).__name__.lstrip('_')} refused")


@dataclasses.dataclass(frozen=True)
class _StorageType(_NoBuild):
    name: str

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(STORAGE_DTYPES[self.name])


@dataclasses.dataclass(frozen=True)
class _StorageRef(_NoBuild):
    key: str
    stype: _StorageType
    numel: int  # of the root storage
    view: tuple[int, int] | None  # legacy view_metadata: (offset, size) inside the root


@dataclasses.dataclass(frozen=True)
class _TensorRef(_NoBuild):
    storage: _StorageRef
    offset: int
    size: tuple[int, ...]
    stride: tuple[int, ...]


class _Callable(_NoBuild):
    """An allow-listed global as the unpickler sees it: callable, but immune to BUILD (a bare
    function would let the pickle set attributes such as ``__defaults__`` on the module's own)."""

    __slots__ = ("_fn",)

    def __init__(self, fn):
        self._fn = fn

    def __call__(self, *args):
        return self._fn(*args)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_index(v) -> bool:
    return _is_int(v) and 0 <= v < _INT64_LIMIT


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None
):
    """Stand-in for torch._utils._rebuild_tensor_v2: checks the arguments, builds a lazy ref."""
    if not isinstance(storage, _StorageRef):
        raise CheckpointError(
            "_rebuild_tensor_v2: storage must come from a persistent id, got "
            f"{type(storage).__name__}"
        )
    if not _is_index(storage_offset):
        raise CheckpointError(
            "_rebuild_tensor_v2: storage_offset must be a non-negative int64, "
            f"got {_brief(storage_offset)}"
        )
    for field, v in (("size", size), ("stride", stride)):
        if not isinstance(v, tuple) or not all(_is_index(d) for d in v):
            raise CheckpointError(
                f"_rebuild_tensor_v2: {field} must be a tuple of non-negative "
                f"int64s, got {_brief(v)}"
            )
    if len(size) != len(stride):
        raise CheckpointError(
            f"_rebuild_tensor_v2: size {_brief(size)} and stride {_brief(stride)} differ in rank"
        )
    if not isinstance(requires_grad, bool):
        raise CheckpointError(
            f"_rebuild_tensor_v2: requires_grad must be a bool, got {_brief(requires_grad)}"
        )
    if backward_hooks is not None and not (isinstance(backward_hooks, dict) and not backward_hooks):
        raise CheckpointError("_rebuild_tensor_v2: backward hooks are not supported")
    return _TensorRef(storage, storage_offset, tuple(size), tuple(stride))


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    """Stand-in for torch._utils._rebuild_parameter (an nn.Parameter is just its tensor here)."""
    if not isinstance(data, _TensorRef):
        raise CheckpointError(
            f"_rebuild_parameter: data must be a tensor, got {type(data).__name__}"
        )
    return data


# Opcodes a tensor checkpoint pickle (protocol 2, as torch.save writes; a few protocol-4 forms
# too) needs; any other is refused before the unpickler runs. Object-construction paths that never
# occur in tensor archives (INST, OBJ, NEWOBJ*, the copyreg extension registry EXT*) and protocol
# 5's out-of-band buffers are among those refused.
class _RestrictedUnpickler(pickle.Unpickler):
    """Resolves only allow-listed globals; storages come back as ``_StorageRef``."""

    def __init__(self, file, *, allow_storages: bool):
        super().__init__(file)
        self._allow_storages = allow_storages
        self.storages: dict[str, _StorageRef] = {}

    def find_class(self, module, name):
        if self._allow_storages:
            if (module, name) == ("collections", "OrderedDict"):
                return _Callable(collections.OrderedDict)
            if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
                return _Callable(_rebuild_tensor_v2)
            if (module, name) == ("torch._utils", "_rebuild_parameter"):
                return _Callable(_rebuild_parameter)
            if module == "torch" and name in STORAGE_DTYPES:
                return _StorageType(name)
        raise UnsafePickleError(
            f"refused global {module}.{name}: not in the tensor-checkpoint allow-list"
        )

    def persistent_load(self, pid):
        if not self._allow_storages:
            raise CheckpointError("persistent id outside the object pickle")
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] == "storage"):
            raise CheckpointError(f"unsupported persistent id {_brief(pid)}")
        _, stype, key, location, numel = pid[:5]
        view = pid[5] if len(pid) == 6 else None
        if not isinstance(stype, _StorageType):
            raise CheckpointError(
                f"persistent id: storage type must be a torch storage class, got {_brief(stype)}"
            )
        if not isinstance(key, str) or not key or not key.isprintable() or "/" in key:
            raise CheckpointError(f"persistent id: bad storage key {_brief(key)}")
        if not isinstance(location, str):
            raise CheckpointError(
                f"persistent id: location must be a string, got {_brief(location)}"
            )
        if not _is_index(numel):
            raise CheckpointError(
                f"persistent id: numel must be a non-negative int64, got {_brief(numel)}"
            )
        if view is not None:
            if not (
                isinstance(view, tuple)
                and len(view) == 3
                and isinstance(view[0], str)
                and _is_int(view[1])
                and _is_int(view[2])
                and view[1] >= 0
                and view[2] >= 0
                and view[1] + view[2] <= numel
            ):
                raise CheckpointError(
                    f"persistent id: bad view metadata {_brief(view)} for a {numel}-element storage"
                )
            view = (view[1], view[2])
        ref = _StorageRef(key, stype, numel, view)
        known = self.storages.setdefault(key, ref)
        if (known.stype, known.numel) != (stype, numel):
            raise CheckpointError(f"storage {key!r} is declared twice with different type or size")
        return ref


def _unpickle(data: bytes, *, allow_storages: bool, what: str, max_items: int):
    stream = io.BytesIO(data)
    check_opcodes(stream, what, max_items)
    up = _RestrictedUnpickler(stream, allow_storages=allow_storages)
    try:
        return up.load(), up
    except CheckpointError:
        raise
    except Exception as e:  # noqa: BLE001 - any failure of an untrusted pickle is a format error
        raise CheckpointError(f"{what}: unreadable pickle ({type(e).__name__}: {e})") from None


def _load_legacy(path, raw: bytes, max_items: int):
    stream = io.BytesIO(raw)

    def next_pickle(what, allow_storages=False):
        check_opcodes(stream, f"{path}: {what}", max_items)
        up = _RestrictedUnpickler(stream, allow_storages=allow_storages)
        try:
            return up.load(), up
        except CheckpointError:
            raise
        except Exception as e:  # noqa: BLE001
            raise CheckpointError(
                f"{path}: {what}: unreadable pickle ({type(e).__name__}: {e})"
            ) from None

    magic, _ = next_pickle("magic number")
    if magic != LEGACY_MAGIC:
        raise CheckpointError(
            f"{path}: not a torch checkpoint (neither a zip archive nor the legacy magic number)"
        )
    proto, _ = next_pickle("protocol version")
    if proto != LEGACY_PROTOCOL:
        raise CheckpointError(
            f"{path}: legacy protocol version {_brief(proto)}, expected {LEGACY_PROTOCOL}"
        )
    info, _ = next_pickle("system info")
    if not isinstance(info, dict) or info.get("little_endian") is not True:
        raise CheckpointError(
            f"{path}: only little-endian checkpoints are supported (system info {_brief(info)})"
        )
    obj, up = next_pickle("object", allow_storages=True)
    keys, _ = next_pickle("storage keys")
    if (
        not isinstance(keys, list)
        or not all(isinstance(k, str) for k in keys)
        or len(set(keys)) != len(keys)
    ):
        raise CheckpointError(f"{path}: storage key list must be a list of distinct strings")
    if set(keys) != set(up.storages):
        raise CheckpointError(
            f"{path}: the storage key list does not match the storages the object uses"
        )
    data = {}
    for key in keys:
        ref = up.storages[key]
        head = stream.read(8)
        if len(head) != 8:
            raise CheckpointError(f"{path}: truncated before storage {key!r}")
        count = int.from_bytes(head, "little", signed=True)
        if count != ref.numel:
            raise CheckpointError(
                f"{path}: storage {key!r} holds {count} elements, the object expects {ref.numel}"
            )
        nbytes = count * ref.stype.dtype.itemsize
        buf = stream.read(nbytes)
        if len(buf) != nbytes:
            raise CheckpointError(
                f"{path}: truncated: storage {key!r} needs {nbytes} bytes, {len(buf)} left"
            )
        data[key] = np.frombuffer(buf, ref.stype.dtype)
    if stream.read(1):
        raise CheckpointError(f"{path}: trailing bytes after the last storage")
    return obj, data


def _load_zip(path, raw: bytes, max_items: int):
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except Exception as e:  # noqa: BLE001 - zipfile raises many types on hostile input
        raise CheckpointError(f"{path}: bad zip archive ({type(e).__name__}: {e})") from None
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise CheckpointError(f"{path}: duplicate entries in the zip archive")
    pkls = [n for n in names if n.count("/") == 1 and n.endswith("/data.pkl")]
    if len(pkls) != 1:
        raise CheckpointError(
            f"{path}: expected exactly one '<archive>/data.pkl', found {len(pkls)}"
        )
    prefix = pkls[0][: -len("data.pkl")]
    by_name = {i.filename: i for i in infos}
    for i in infos:
        if i.compress_type != zipfile.ZIP_STORED:
            raise CheckpointError(
                f"{path}: entry {i.filename!r} is compressed; torch stores entries uncompressed"
            )
        if i.header_offset + i.compress_size > len(raw):
            raise CheckpointError(
                f"{path}: truncated: entry {i.filename!r} extends past the end of the file"
            )

    def read(name):
        try:
            return zf.read(name)
        except Exception as e:  # noqa: BLE001 - encrypted, bad CRC, truncated, unsupported flags...
            raise CheckpointError(
                f"{path}: cannot read entry {name!r} ({type(e).__name__}: {e})"
            ) from None

    if prefix + "byteorder" in by_name and read(prefix + "byteorder").strip() != b"little":
        raise CheckpointError(f"{path}: only little-endian checkpoints are supported")
    obj, up = _unpickle(
        read(prefix + "data.pkl"),
        allow_storages=True,
        what=f"{path}: data.pkl",
        max_items=max_items,
    )
    data = {}
    for key, ref in up.storages.items():
        if ref.view is not None:
            raise CheckpointError(f"{path}: storage views belong to the legacy format only")
        name = f"{prefix}data/{key}"
        info = by_name.get(name)
        if info is None:
            raise CheckpointError(f"{path}: missing storage entry {name!r}")
        nbytes = ref.numel * ref.stype.dtype.itemsize
        if info.file_size != nbytes:
            raise CheckpointError(
                f"{path}: storage {key!r} has {info.file_size} bytes, the object expects {nbytes}"
            )
        data[key] = np.frombuffer(read(name), ref.stype.dtype)
    return obj, data


def _is_scalar(v) -> bool:
    return (
        v is None
        or isinstance(v, (bool, float, str, bytes))
        or (isinstance(v, int) and v.bit_length() <= 64)
    )


def _tensor(obj: _TensorRef, data, budget: list[int], path):
    ref = obj.storage
    flat = data[ref.key]
    if ref.view is not None:
        flat = flat[ref.view[0] : ref.view[0] + ref.view[1]]
    n = math.prod(obj.size)
    if n and obj.offset + sum((d - 1) * s for d, s in zip(obj.size, obj.stride)) >= flat.size:
        raise CheckpointError(
            f"{path}: tensor of size {_brief(obj.size)}, stride "
            f"{_brief(obj.stride)}, offset {obj.offset} reaches past its "
            f"{flat.size}-element storage"
        )
    budget[0] -= n * flat.dtype.itemsize
    if budget[0] < 0:
        raise CheckpointError(f"{path}: tensors would need more memory than max_bytes allows")
    try:
        if n == 0:
            arr = np.zeros(obj.size, flat.dtype)
        else:
            item = flat.dtype.itemsize
            arr = np.lib.stride_tricks.as_strided(
                flat[obj.offset :], obj.size, tuple(s * item for s in obj.stride), writeable=False
            ).copy()
    except (ValueError, OverflowError) as e:  # rank past numpy's limit, strides past int64
        raise CheckpointError(
            f"{path}: tensor of size {_brief(obj.size)} cannot be built ({type(e).__name__}: {e})"
        ) from None
    if ref.stype.name == "BFloat16Storage":
        arr = (arr.astype(np.uint32) << 16).view(np.float32)
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)


def _materialise(root, data, budget: list[int], path, max_items: int = MAX_ITEMS):
    """Replace tensor refs by arrays throughout ``root``. An object reached twice is built once
    and shared (as torch shares tied weights), so work is linear in the distinct objects; cycles,
    nesting past ``MAX_DEPTH`` and more than ``max_items`` entries raise ``CheckpointError``
    (the opcode walk refuses them first; this guards any other path in)."""
    done: dict[int, object] = {}  # id -> result; ``root`` keeps every id alive meanwhile
    active: set[int] = set()
    items = [0]

    def build(obj, depth):
        if id(obj) in done:
            return done[id(obj)]
        if _is_scalar(obj):
            return obj
        if isinstance(obj, _TensorRef):
            out = _tensor(obj, data, budget, path)
        elif isinstance(obj, _StorageRef):
            raise CheckpointError(f"{path}: bare storages (outside tensors) are not supported")
        elif isinstance(obj, (dict, list, tuple)):
            if id(obj) in active:
                raise CheckpointError(f"{path}: the checkpoint's objects form a cycle")
            if depth >= MAX_DEPTH:
                raise CheckpointError(f"{path}: objects nest deeper than {MAX_DEPTH} levels")
            items[0] += len(obj)
            if items[0] > max_items:
                raise CheckpointError(f"{path}: more than max_items={max_items} container entries")
            active.add(id(obj))
            if isinstance(obj, dict):
                out = collections.OrderedDict() if isinstance(obj, collections.OrderedDict) else {}
                for k, v in obj.items():
                    if not (_is_scalar(k) or (isinstance(k, tuple) and all(map(_is_scalar, k)))):
                        raise CheckpointError(f"{path}: unsupported dict key {_brief(k)}")
                    out[k] = build(v, depth + 1)
            else:
                out = type(obj)(build(v, depth + 1) for v in obj)
            active.discard(id(obj))
        else:
            raise CheckpointError(
                f"{path}: unsupported object of type {type(obj).__name__} in the checkpoint"
            )
        done[id(obj)] = out
        return out

    return build(root, 0)


def load_torch_checkpoint(path, *, max_bytes: int | None = None, max_items: int = MAX_ITEMS):
    """Load a ``torch.save`` file (zip or legacy) with tensors as numpy arrays, without torch.

    Returns the saved structure (dicts, lists, tuples, numbers, strings, arrays); an object the
    file references twice (tied weights) comes back as one shared object. Raises
    ``UnsafePickleError`` for any global outside the tensor allow-list (nothing is executed) and
    ``CheckpointError`` for malformed or truncated files, cyclic or deeper than ``MAX_DEPTH``
    structures, and pickles with more than ``max_items`` container entries. ``max_bytes`` caps
    the memory of the materialised tensors (default: 4x the file size + 1 MiB; strided views may
    legally expand a storage, a crafted file could otherwise ask for terabytes).
    """
    if not _is_int(max_items) or max_items < 0:
        raise ValueError(f"max_items must be a non-negative int, got {max_items!r}")
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) != size:
        raise CheckpointError(f"{path}: file changed while reading")
    if raw[:4] == b"PK\x03\x04":
        obj, data = _load_zip(path, raw, max_items)
    elif raw[:1] == b"\x80":
        obj, data = _load_legacy(path, raw, max_items)
    else:
        raise CheckpointError(
            f"{path}: not a torch checkpoint (neither a zip archive nor a pickle)"
        )
    budget = [4 * size + (1 << 20) if max_bytes is None else int(max_bytes)]
    return _materialise(obj, data, budget, path, max_items)


def load_torch_state_dict(
    path, *, max_bytes: int | None = None, max_items: int = MAX_ITEMS
) -> dict[str, np.ndarray]:
    """The tensors of a checkpoint as a flat ``{name: array}``: nested dicts join their keys with
    '.', non-tensor entries (epochs, hyper-parameters) are dropped. A sub-dict the file shares
    appears under each of its names; when that would make more than ``max_items`` names (a file
    sharing one dict twice at each of many levels) it raises ``CheckpointError`` up front."""
    root = load_torch_checkpoint(path, max_bytes=max_bytes, max_items=max_items)
    sizes: dict[int, int] = {}

    def flat_size(obj):  # names under obj, counted once per distinct dict (depth <= MAX_DEPTH)
        if not isinstance(obj, dict):
            return 1
        if id(obj) not in sizes:
            sizes[id(obj)] = 1 + sum(flat_size(v) for v in obj.values())
        return sizes[id(obj)]

    if flat_size(root) > max_items:
        raise CheckpointError(
            f"{path}: flattening makes more than max_items={max_items} names (shared sub-dicts)"
        )
    out: dict[str, np.ndarray] = {}

    def walk(prefix, obj):
        if isinstance(obj, np.ndarray):
            out[prefix] = obj
        elif isinstance(obj, dict):
            for k, v in obj.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)

    walk("", root)
    return out
