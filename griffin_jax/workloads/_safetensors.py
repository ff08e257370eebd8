"""A validating safetensors reader and writer (numpy only).

Format (https://github.com/huggingface/safetensors, README "Format"): an 8-byte little-endian
unsigned header length ``n``, ``n`` bytes of UTF-8 JSON mapping tensor names to
``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets relative to the byte buffer that
follows the header) plus an optional ``"__metadata__"`` string map, then the byte buffer.
Everything is checked before any tensor is read: the header length against a 100 MB cap and the
file size, the JSON shape of every entry, a dtype allow-list, ``prod(shape) * itemsize ==
end - begin``, offsets inside the buffer, and that the tensors tile the buffer without overlap or
holes (the format's own rule), at most ``MAX_TENSORS`` tensors of at most 32 dimensions. Integers
longer than a u64's 20 digits are refused while the JSON is parsed. Any violation, any requested
tensor name the file lacks and a file that cannot be read raise ``SafetensorsError`` (a
``ValueError``) whose message starts with the file's path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable

import numpy as np

MAX_HEADER_BYTES = 100 * 1024 * 1024  # the reference implementation's cap
# Tensors per file: checkpoints hold thousands; a header of millions of tiny entries is refused
# before its entries are checked one by one.
MAX_TENSORS = 1 << 17
_MAX_DIMS = 32  # numpy's own limit is 64 (32 before numpy 2)
# Offsets and shape entries are u64 in the reference implementation: at most 20 decimal digits.
# Longer integers are refused while parsing (Python refuses past 4300 digits with a bare
# ValueError, and multiplying huge ones is slow).
_MAX_INT_DIGITS = 20
_U64_MAX = 2**64 - 1

# safetensors dtype -> (numpy dtype of the stored bytes, itemsize). BF16 is widened to float32
# on read (numpy has no bfloat16); everything is little-endian on disk.
_DTYPES = {
    "BOOL": ("|b1", 1),
    "U8": ("|u1", 1),
    "I8": ("|i1", 1),
    "I16": ("<i2", 2),
    "U16": ("<u2", 2),
    "F16": ("<f2", 2),
    "BF16": ("<u2", 2),
    "I32": ("<i4", 4),
    "U32": ("<u4", 4),
    "F32": ("<f4", 4),
    "I64": ("<i8", 8),
    "U64": ("<u8", 8),
    "F64": ("<f8", 8),
}
_NUMPY_TO_ST = {np.dtype(v[0]).newbyteorder("="): k for k, v in _DTYPES.items() if k != "BF16"}


class SafetensorsError(ValueError):
    """A safetensors file that is malformed, truncated or outside what this reader accepts."""


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise SafetensorsError(f"header: duplicate key {k!r}")
        out[k] = v
    return out


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > _MAX_INT_DIGITS:
        raise SafetensorsError(
            f"header: integer of {digits} digits (a u64 has at most {_MAX_INT_DIGITS})"
        )
    return int(text)


def _nbytes(shape: list[int], itemsize: int, limit: int) -> int:
    """``prod(shape) * itemsize``, stopping once past ``limit`` (any such size is wrong anyway)."""
    if 0 in shape:
        return 0
    n = itemsize
    for d in shape:
        n *= d
        if n > limit:
            break
    return n


def _brief(v) -> str:
    """A short description of an untrusted header value for error messages."""
    if isinstance(v, list) and len(v) <= 8 and all(_is_int(x) for x in v):
        return repr(v)
    if isinstance(v, (list, dict)):
        return f"<{type(v).__name__} of {len(v)} items>"
    r = repr(v)
    return r if len(r) <= 80 else r[:77] + "..."


def read_safetensors_header(path) -> tuple[dict, dict, int]:
    """Validate a file's header. Returns ``(entries, metadata, data_start)``; ``entries[name]`` is
    ``{"dtype", "shape" (tuple), "begin", "end"}`` with offsets relative to ``data_start``."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            raw = f.read(8)
            if len(raw) < 8:
                raise SafetensorsError(f"{path}: truncated: {size} bytes, no 8-byte header length")
            n = int.from_bytes(raw, "little")
            if n > MAX_HEADER_BYTES:
                raise SafetensorsError(
                    f"{path}: header length {n} exceeds the {MAX_HEADER_BYTES}-byte cap"
                )
            if 8 + n > size:
                raise SafetensorsError(
                    f"{path}: truncated: header length {n} but only {size - 8} bytes follow"
                )
            header = f.read(n)
    except OSError as e:
        raise SafetensorsError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(header) != n:  # the file changed under us
        raise SafetensorsError(f"{path}: truncated header")
    if not header.startswith(b"{"):
        raise SafetensorsError(f"{path}: header does not start with '{{'")
    try:
        parsed = json.loads(
            header.decode("utf-8"), object_pairs_hook=_no_duplicates, parse_int=_parse_int
        )
    except SafetensorsError as e:
        raise SafetensorsError(f"{path}: {e}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise SafetensorsError(f"{path}: header is not UTF-8 JSON: {e}") from None
    if not isinstance(parsed, dict):
        raise SafetensorsError(f"{path}: header must be a JSON object")
    n_tensors = len(parsed) - ("__metadata__" in parsed)
    if n_tensors > MAX_TENSORS:
        raise SafetensorsError(f"{path}: {n_tensors} tensors, more than the {MAX_TENSORS} cap")
    metadata = parsed.pop("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise SafetensorsError(f"{path}: __metadata__ must map strings to strings")
    data_len = size - 8 - n
    entries = {}
    for name, e in parsed.items():
        where = f"{path}: tensor {_brief(name)}"
        if not isinstance(e, dict) or set(e) != {"dtype", "shape", "data_offsets"}:
            raise SafetensorsError(f"{where}: entry must have exactly dtype, shape, data_offsets")
        dtype, shape, offs = e["dtype"], e["shape"], e["data_offsets"]
        if not isinstance(dtype, str) or dtype not in _DTYPES:  # a list or dict is unhashable
            raise SafetensorsError(f"{where}: dtype {_brief(dtype)} not in {sorted(_DTYPES)}")
        if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
            raise SafetensorsError(
                f"{where}: shape must be a list of non-negative integers, got {_brief(shape)}"
            )
        if (
            not isinstance(offs, list)
            or len(offs) != 2
            or not all(_is_int(o) for o in offs)
            or not 0 <= offs[0] <= offs[1] <= data_len
        ):
            raise SafetensorsError(
                f"{where}: data_offsets {_brief(offs)} outside the {data_len}-byte buffer"
            )
        nbytes = _nbytes(shape, _DTYPES[dtype][1], _U64_MAX)
        if offs[1] - offs[0] != nbytes:
            need = nbytes if nbytes <= _U64_MAX else "more than 2**64"
            raise SafetensorsError(
                f"{where}: shape {_brief(shape)} x {dtype} needs {need} bytes, "
                f"data_offsets span {offs[1] - offs[0]}"
            )
        if len(shape) > _MAX_DIMS:  # numpy refuses such an array (its own error, not ours)
            raise SafetensorsError(f"{where}: {len(shape)} dimensions, more than {_MAX_DIMS}")
        entries[name] = {"dtype": dtype, "shape": tuple(shape), "begin": offs[0], "end": offs[1]}
    pos = 0
    for name, e in sorted(entries.items(), key=lambda kv: (kv[1]["begin"], kv[1]["end"])):
        if e["begin"] != pos:
            kind = "overlaps the previous tensor" if e["begin"] < pos else "leaves a hole before it"
            raise SafetensorsError(
                f"{path}: tensor {_brief(name)} at byte {e['begin']} {kind} (expected {pos})"
            )
        pos = e["end"]
    if pos != data_len:
        raise SafetensorsError(f"{path}: tensors cover {pos} of the {data_len} buffer bytes")
    return entries, metadata, 8 + n


def load_safetensors(path, names=None) -> dict[str, np.ndarray]:
    """Read (a subset ``names`` of) the tensors of a safetensors file as numpy arrays (copies).

    ``names`` is a collection of tensor names (a bare string is refused: it would read as its
    characters); a name the file lacks raises ``SafetensorsError``. BF16 tensors come back as
    float32 (exact widening); other dtypes as stored.
    """
    if names is not None:
        listed = (
            list(names)
            if isinstance(names, Iterable) and not isinstance(names, (str, bytes))
            else None
        )
        if listed is None or not all(isinstance(n, str) for n in listed):
            raise SafetensorsError(
                f"{path}: names must be a collection of strings, got {_brief(names)}"
            )
        names = listed
    entries, _, start = read_safetensors_header(path)
    if names is not None:
        missing = sorted(set(names) - set(entries))
        if missing:
            shown = ", ".join(_brief(m) for m in missing[:8])
            more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
            raise SafetensorsError(f"{path}: no tensors named [{shown}]{more}")
        entries = {k: entries[k] for k in names}
    out = {}
    try:
        with open(path, "rb") as f:
            for name, e in entries.items():
                f.seek(start + e["begin"])
                buf = f.read(e["end"] - e["begin"])
                if len(buf) != e["end"] - e["begin"]:  # the file changed under us
                    raise SafetensorsError(f"{path}: tensor {_brief(name)} truncated")
                arr = np.frombuffer(buf, _DTYPES[e["dtype"]][0]).reshape(e["shape"])
                if e["dtype"] == "BF16":
                    arr = (arr.astype(np.uint32) << 16).view(np.float32)
                out[name] = arr.astype(arr.dtype.newbyteorder("="), copy=True)
    except OSError as e:
        raise SafetensorsError(f"{path}: cannot read: {e.strerror or e}") from None
    return out


def save_safetensors(
    path, tensors: dict[str, np.ndarray], metadata: dict[str, str] | None = None
) -> None:
    """Write numpy arrays as a safetensors file (tensors laid out in name order)."""
    header, blobs, pos = {}, [], 0
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("metadata must map strings to strings")
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        if name == "__metadata__":
            raise ValueError("tensors: the name '__metadata__' is reserved")
        arr = np.asarray(tensors[name])
        key = _NUMPY_TO_ST.get(arr.dtype.newbyteorder("="))
        if key is None:
            raise ValueError(f"tensors[{name!r}]: dtype {arr.dtype} has no safetensors equivalent")
        blob = np.ascontiguousarray(arr, arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {
            "dtype": key,
            "shape": list(arr.shape),
            "data_offsets": [pos, pos + len(blob)],
        }
        blobs.append(blob)
        pos += len(blob)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the reference writer pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(len(raw).to_bytes(8, "little"))
        f.write(raw)
        for blob in blobs:
            f.write(blob)
