"""The validating safetensors reader: round trips, and hostile or truncated files."""

from __future__ import annotations

import json
import struct
import time

import numpy as np
import pytest

from griffin_jax.workloads import (
    SafetensorsError,
    load_safetensors,
    read_safetensors_header,
    save_safetensors,
)
from griffin_jax.workloads._safetensors import MAX_HEADER_BYTES


def _tensors():
    rng = np.random.default_rng(0)
    return {
        "f32": rng.normal(size=(3, 4)).astype(np.float32),
        "f64": rng.normal(size=(5,)),
        "f16": rng.normal(size=(2, 2)).astype(np.float16),
        "i64": np.array([-(2**62), 0, 2**62], np.int64),
        "i32": np.arange(-3, 3, dtype=np.int32).reshape(2, 3),
        "i16": np.array([-7, 7], np.int16),
        "i8": np.array([-128, 127], np.int8),
        "u8": np.arange(256, dtype=np.uint8),
        "bool": np.array([[True, False], [False, True]]),
        "scalar": np.array(3.25, np.float32),
        "empty": np.zeros((0, 7), np.float32),
    }


def test_roundtrip(tmp_path):
    path = tmp_path / "t.safetensors"
    src = _tensors()
    save_safetensors(path, src, metadata={"format": "np", "note": "x"})
    got = load_safetensors(path)
    assert set(got) == set(src)
    for k, v in src.items():
        assert got[k].dtype == v.dtype and got[k].shape == v.shape, k
        np.testing.assert_array_equal(got[k], v)
        assert got[k].flags.writeable
    entries, meta, start = read_safetensors_header(path)
    assert meta == {"format": "np", "note": "x"}
    assert start % 8 == 0 and entries["f32"]["dtype"] == "F32" and entries["f32"]["shape"] == (3, 4)
    sub = load_safetensors(path, names=["u8"])
    assert list(sub) == ["u8"]
    with pytest.raises(SafetensorsError, match="nope"):
        load_safetensors(path, names=["nope"])
    assert list(load_safetensors(path, names=(n for n in ["f32", "u8"]))) == ["f32", "u8"]
    for names in ["u8", b"u8", 3, [1], [["u8"]]]:  # a bare string would read as its characters
        with pytest.raises(SafetensorsError, match="names"):
            load_safetensors(path, names=names)


def test_non_native_input_is_written_little_endian(tmp_path):
    path = tmp_path / "be.safetensors"
    save_safetensors(path, {"x": np.arange(4, dtype=">i4")})
    np.testing.assert_array_equal(load_safetensors(path)["x"], np.arange(4))


def _write(path, header, data=b"", *, raw_header=None, length=None):
    raw = json.dumps(header).encode() if raw_header is None else raw_header
    n = len(raw) if length is None else length
    path.write_bytes(struct.pack("<Q", n) + raw + data)
    return path


def test_bf16_is_widened_exactly(tmp_path):
    bits = np.array([0x3FC0, 0xC000, 0x7F80], np.uint16)  # 1.5, -2.0, +inf
    path = _write(
        tmp_path / "bf.safetensors",
        {"b": {"dtype": "BF16", "shape": [3], "data_offsets": [0, 6]}},
        bits.tobytes(),
    )
    got = load_safetensors(path)["b"]
    assert got.dtype == np.float32 and got.tolist() == [1.5, -2.0, float("inf")]


def test_writer_refuses_what_it_cannot_store(tmp_path):
    with pytest.raises(ValueError, match="dtype"):
        save_safetensors(tmp_path / "c.safetensors", {"c": np.zeros(2, np.complex64)})
    with pytest.raises(ValueError, match="reserved"):
        save_safetensors(tmp_path / "m.safetensors", {"__metadata__": np.zeros(2)})


F8 = np.arange(2, dtype=np.float32).tobytes()  # 8 bytes


@pytest.mark.parametrize(
    "header,data,match",
    [
        (
            {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}},
            F8 + b"\0",
            "cover 8 of the 9",
        ),
        ({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, F8, "needs 12 bytes"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 16]}}, F8, "outside"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 0]}}, F8, "outside"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}, F8, "outside"),
        (
            {
                "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                "b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
            },
            F8,
            "overlaps",
        ),
        ({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, F8, "hole"),
        ({"a": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, F8, "dtype"),
        ({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, F8, "shape"),
        ({"a": {"dtype": "F32", "shape": [True, 2], "data_offsets": [0, 8]}}, F8, "shape"),
        ({"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, F8, "shape"),
        ({"a": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}}, F8, "shape"),
        ({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], "extra": 1}}, F8, "exactly"),
        ({"a": {"dtype": "F32", "shape": [2]}}, F8, "exactly"),
        ({"a": [1, 2]}, F8, "exactly"),
        (
            {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"k": 1}},
            F8,
            "__metadata__",
        ),
        ({"a": {"dtype": "F32", "shape": [2**40, 2**40], "data_offsets": [0, 8]}}, F8, "needs"),
        # hostile values: unhashable dtypes, integers past u64 (and past Python's 4300-digit parse
        # limit), a shape whose product would be a 100k-digit number
        ({"a": {"dtype": ["F32"], "shape": [2], "data_offsets": [0, 8]}}, F8, "dtype <list"),
        ({"a": {"dtype": {"F32": 1}, "shape": [2], "data_offsets": [0, 8]}}, F8, "dtype <dict"),
        (
            b'{"a": {"dtype": "F32", "shape": [1' + b"0" * 5000 + b'], "data_offsets": [0, 8]}}',
            F8,
            "5001 digits",
        ),
        (
            b'{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, -1' + b"0" * 30 + b"]}}",
            F8,
            "31 digits",
        ),
        (
            {"a": {"dtype": "F32", "shape": [2**64 - 1] * 20_000, "data_offsets": [0, 8]}},
            F8,
            "needs more than 2\\*\\*64 bytes",
        ),
    ],
)
def test_invalid_headers(tmp_path, header, data, match):
    if isinstance(header, bytes):  # JSON that json.dumps will not write
        path = _write(tmp_path / "bad.safetensors", None, data, raw_header=header)
    else:
        path = _write(tmp_path / "bad.safetensors", header, data)
    t = time.perf_counter()
    with pytest.raises(SafetensorsError, match=match):
        load_safetensors(path)
    assert time.perf_counter() - t < 5.0  # a guard against hanging, not a benchmark


@pytest.mark.parametrize(
    "raw,match",
    [
        (b"[1, 2]", "start with"),
        (b'{"a": ', "not UTF-8 JSON"),
        (b'{"a": 1}\xff', "not UTF-8 JSON"),
        (b" {}", "start with"),
        (b'{"a": ' + b"[" * 100_000, "not UTF-8 JSON"),  # nesting deep enough to exhaust the stack
        (
            b'{"a": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]},'
            b' "a": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}}',
            "duplicate",
        ),
    ],
)
def test_malformed_json(tmp_path, raw, match):
    path = _write(tmp_path / "bad.safetensors", None, raw_header=raw)
    with pytest.raises(SafetensorsError, match=match):
        load_safetensors(path)


def test_header_length_is_bounded_before_reading(tmp_path):
    # A claimed 2**63-byte header must be refused from the 8-byte prefix alone.
    path = _write(tmp_path / "huge.safetensors", None, raw_header=b"{}", length=2**63)
    with pytest.raises(SafetensorsError, match="cap"):
        load_safetensors(path)
    path = _write(tmp_path / "over.safetensors", None, raw_header=b"{}", length=MAX_HEADER_BYTES)
    with pytest.raises(SafetensorsError, match="truncated"):
        load_safetensors(path)


def test_empty_file_and_empty_header(tmp_path):
    (tmp_path / "zero.safetensors").write_bytes(b"")
    with pytest.raises(SafetensorsError, match="truncated"):
        load_safetensors(tmp_path / "zero.safetensors")
    assert load_safetensors(_write(tmp_path / "none.safetensors", {})) == {}


def test_every_truncation_is_a_clear_error(tmp_path):
    good = tmp_path / "good.safetensors"
    save_safetensors(good, _tensors())
    raw = good.read_bytes()
    cut = tmp_path / "cut.safetensors"
    for n in list(range(0, len(raw), max(1, len(raw) // 300))) + [len(raw) - 1]:
        cut.write_bytes(raw[:n])
        with pytest.raises(SafetensorsError):
            load_safetensors(cut)


def test_random_corruption_never_escapes(tmp_path):
    good = tmp_path / "good.safetensors"
    save_safetensors(good, _tensors())
    raw = bytearray(good.read_bytes())
    rng = np.random.default_rng(1)
    bad_path = tmp_path / "flip.safetensors"
    for _ in range(300):
        bad = bytearray(raw)
        for pos in rng.integers(0, len(bad), int(rng.integers(1, 4))):
            bad[pos] = int(rng.integers(0, 256))
        bad_path.write_bytes(bytes(bad))
        try:
            load_safetensors(bad_path)
        except SafetensorsError:
            pass


def test_the_tensor_count_is_bounded(tmp_path):
    from griffin_jax.workloads._safetensors import MAX_TENSORS

    # zero-size tensors tile an empty buffer, so every entry was valid one by one
    header = {
        f"t{i}": {"dtype": "U8", "shape": [0], "data_offsets": [0, 0]}
        for i in range(MAX_TENSORS + 1)
    }
    path = _write(tmp_path / "many.safetensors", header)
    with pytest.raises(SafetensorsError, match=rf"many.safetensors: {MAX_TENSORS + 1} tensors"):
        load_safetensors(path)


def test_every_error_names_the_file(tmp_path):
    folder = tmp_path / "a_folder.safetensors"
    folder.mkdir()
    for path in (folder, tmp_path / "missing.safetensors"):
        with pytest.raises(SafetensorsError) as err:
            load_safetensors(path)
        assert str(err.value).startswith(f"{path}: cannot read"), err.value
    good = tmp_path / "good.safetensors"
    save_safetensors(good, _tensors())
    with pytest.raises(SafetensorsError, match=r"^.*good.safetensors: names must be"):
        load_safetensors(good, names=5)


def test_more_dimensions_than_numpy_takes_is_a_safetensors_error(tmp_path):
    path = _write(
        tmp_path / "deep.safetensors",
        {"a": {"dtype": "U8", "shape": [1] * 70, "data_offsets": [0, 1]}},
        b"x",
    )
    with pytest.raises(SafetensorsError, match="70 dimensions"):
        load_safetensors(path)
