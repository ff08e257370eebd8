"""The shipped real masks of a small pruned CNN on scikit-learn's digits (numpy only to load).

``data/digits_masks.npz`` holds, per model variant, the bit-packed nonzero masks of every layer's
pruned weights (the GEMM operand ``W[K, N]``) and of every layer's input activation map on
held-out images; ``data/digits_masks.json`` holds the layer geometry, the test accuracies, the
measured densities, the seeds and the versions that produced them. Both are written by
``scripts/train_digits_masks.py`` (see ``_digits_model`` for the network and the pruning recipes).
Activation maps are stored before lowering (9x smaller than the im2col matrix for a 3x3 conv) and
lowered here, with K in the spec's order (docs/model.md section 1: k = (r*S + s)*Cin + c).
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import io
import json
import zipfile
import zlib

import numpy as np

from griffin_jax.workloads._layers import lower_patches
from griffin_jax.workloads._registry import register_network
from griffin_jax.workloads._workload import GemmLayer, Workload

_VARIANTS = ("dense", "p50", "p75", "p90", "2:4")
# npz member names cannot hold ':' portably.
_FILE_KEY = {"dense": "dense", "p50": "p50", "p75": "p75", "p90": "p90", "2:4": "nm24"}
NPZ_NAME = "digits_masks.npz"
JSON_NAME = "digits_masks.json"
FORMAT_VERSION = 1


def digits_variants() -> tuple[str, ...]:
    """Names of the shipped model variants: dense, 50/75/90% unstructured sparse, 2:4."""
    return _VARIANTS


def im2col(
    x: np.ndarray, r: int, s: int, *, stride: int = 1, pad: int = 0, dilation: int = 1
) -> np.ndarray:
    """Lower ``x[B, H, W, C]`` for an ``r x s`` conv to ``[B*Ho*Wo, r*s*C]`` (zero padding).

    Rows are ordered (b, ho, wo); columns follow the spec's K order, k = (i*s + j)*C + c.
    Works for any dtype (bool masks pad with False).
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x must be [B, H, W, C], got shape {x.shape}")
    for name, v, low in (
        ("r", r, 1),
        ("s", s, 1),
        ("stride", stride, 1),
        ("pad", pad, 0),
        ("dilation", dilation, 1),
    ):
        if int(v) != v or v < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {v}")
    _, h, w, _ = x.shape
    if h + 2 * pad < dilation * (r - 1) + 1 or w + 2 * pad < dilation * (s - 1) + 1:
        raise ValueError(
            f"a {r}x{s} kernel (dilation {dilation}) does not fit a {h}x{w} map with pad {pad}"
        )
    return lower_patches(x, (r, s), (stride, stride), (pad, pad), dilation)


def pack_bool(a: np.ndarray) -> np.ndarray:
    """Bool array -> uint8 bits (little bit order, flattened); the shape travels separately."""
    return np.packbits(np.asarray(a, bool).ravel(), bitorder="little")


def unpack_bool(bits: np.ndarray, shape) -> np.ndarray:
    """Inverse of ``pack_bool``; refuses a bit array of the wrong length."""
    shape = tuple(int(d) for d in shape)
    n = int(np.prod(shape))
    bits = np.asarray(bits, np.uint8)
    if bits.ndim != 1 or bits.size != (n + 7) // 8:
        raise ValueError(
            f"packed mask has {bits.size} bytes, expected {(n + 7) // 8} for shape {shape}"
        )
    return np.unpackbits(bits, count=n, bitorder="little").astype(bool).reshape(shape)


def write_digits_masks(
    directory,
    metadata: dict,
    input_map: np.ndarray,
    maps: dict[str, dict[str, np.ndarray]],
    w_masks: dict[str, dict[str, np.ndarray]],
) -> tuple[str, str]:
    """Write the npz + json pair (used by the training script).

    ``input_map``: bool ``[B, 8, 8, 1]`` (nonzero pixels, shared by every variant);
    ``maps[variant][layer]``: bool input maps of the layers after the first;
    ``w_masks[variant][layer]``: bool ``[K, N]``.
    """
    import pathlib

    directory = pathlib.Path(directory)
    arrays = {"input": pack_bool(input_map)}
    for v in _VARIANTS:
        for layer, m in maps[v].items():
            arrays[f"{_FILE_KEY[v]}.a.{layer}"] = pack_bool(m)
        for layer, m in w_masks[v].items():
            arrays[f"{_FILE_KEY[v]}.w.{layer}"] = pack_bool(m)
    npz_path, json_path = directory / NPZ_NAME, directory / JSON_NAME
    np.savez_compressed(npz_path, **arrays)
    json_path.write_text(json.dumps(metadata, indent=1, sort_keys=True) + "\n")
    return str(npz_path), str(json_path)


# Bounds on a (possibly regenerated, possibly hostile) data_dir pair: file sizes, and every
# mask's bit count (the shipped masks hold about 1.5 million bits in all).
MAX_JSON_BYTES = 1 << 22
MAX_NPZ_BYTES = 1 << 28
MAX_MASK_BITS = 1 << 33
_NPY_HEADER_MAX = 1 << 14


def _read_limited(ref, limit: int, label: str) -> bytes:
    try:
        with ref.open("rb") as f:
            raw = f.read(limit + 1)
    except OSError as err:
        raise ValueError(f"{label}: cannot read: {err.strerror or err}") from None
    if len(raw) > limit:
        raise ValueError(f"{label}: larger than the {limit}-byte limit")
    return raw


def _pos_int(label: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{label} must be an int >= {low}")
    return value


def _check_meta(meta, label: str) -> dict:
    """The fields ``digits_workload`` reads, checked; returns member name -> mask bit count."""
    if not isinstance(meta, dict):
        raise ValueError(f"{label}: must hold a JSON object")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{label}: format_version is not {FORMAT_VERSION}")
    dataset, layers = meta.get("dataset"), meta.get("layers")
    if not isinstance(dataset, dict) or not isinstance(layers, list) or not layers:
        raise ValueError(f"{label}: needs a 'dataset' object and a non-empty 'layers' list")
    n_img = _pos_int(f"{label}: dataset.mask_images", dataset.get("mask_images"))
    bits = {}
    for i, layer in enumerate(layers):
        where = f"{label}: layers[{i}]"
        if not isinstance(layer, dict):
            raise ValueError(f"{where} must be an object")
        name = layer.get("name")
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{where}.name must be an identifier")
        for k in ("R", "S", "K", "N"):
            _pos_int(f"{where}.{k}", layer.get(k))
        _pos_int(f"{where}.pad", layer.get("pad"), 0)
        hwc = layer.get("input_map")
        if not isinstance(hwc, list) or len(hwc) != 3:
            raise ValueError(f"{where}.input_map must be [h, w, c]")
        h, w, c = (_pos_int(f"{where}.input_map", v) for v in hwc)
        a_bits, w_bits = n_img * h * w * c, layer["K"] * layer["N"]
        if max(a_bits, w_bits) > MAX_MASK_BITS:
            raise ValueError(f"{where}: a mask of more than {MAX_MASK_BITS} bits")
        for v in _VARIANTS:
            key = _FILE_KEY[v]
            bits["input" if i == 0 else f"{key}.a.{name}"] = a_bits
            bits[f"{key}.w.{name}"] = w_bits
    return bits


def _read_member(z: zipfile.ZipFile, name: str, n_bits: int, label: str) -> np.ndarray:
    """One packed mask: its declared sizes and npy header (uint8, 1-D, ``ceil(n_bits / 8)``
    bytes) are checked before any of its data is decompressed."""
    n = (n_bits + 7) // 8
    where = f"{label}: member {name}"
    try:
        info = z.getinfo(f"{name}.npy")
    except KeyError:
        raise ValueError(f"{where} is missing") from None
    if info.file_size > n + _NPY_HEADER_MAX:
        raise ValueError(f"{where} declares {info.file_size} bytes, expected about {n}")
    with z.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ValueError(f"{where}: npy format version {version} is not read")
        if dtype != np.uint8 or shape != (n,):
            raise ValueError(f"{where} must be uint8 [{n}], got {dtype} {shape}")
        data = f.read(n + 1)
    if len(data) != n:
        raise ValueError(f"{where} holds {len(data)} data bytes, expected {n}")
    return np.frombuffer(data, np.uint8).copy()


@functools.lru_cache(maxsize=4)
def _load_raw(data_dir: str | None = None):
    if data_dir is None:
        data = importlib.resources.files("griffin_jax.workloads") / "data"
    else:
        import pathlib

        data = pathlib.Path(data_dir)
    label = str(data / JSON_NAME)
    try:
        meta = json.loads(_read_limited(data / JSON_NAME, MAX_JSON_BYTES, label))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise ValueError(f"{label}: not JSON: {type(err).__name__}") from None
    members = _check_meta(meta, label)
    label = str(data / NPZ_NAME)
    raw = _read_limited(data / NPZ_NAME, MAX_NPZ_BYTES, label)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            arrays = {k: _read_member(z, k, n, label) for k, n in members.items()}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as err:
        raise ValueError(f"{label}: not a readable npz: {type(err).__name__}: {err}") from None
    return meta, arrays


def digits_metadata(data_dir=None) -> dict:
    """Metadata of the shipped masks (a fresh copy): ``layers`` (geometry, M, K, N),
    ``variants[v]`` (``accuracy``, ``target_density``, ``w_density``/``a_density`` per layer),
    ``generator`` (script, config, seeds, library versions), ``dataset`` and ``references``.
    ``data_dir``: read a regenerated pair from that directory instead of the shipped one."""
    return copy.deepcopy(_load_raw(None if data_dir is None else str(data_dir))[0])


def digits_workload(
    variant: str = "dense", n_images: int | None = None, *, data_dir=None
) -> Workload:
    """The shipped GEMMs of one variant as a ``Workload`` named ``digits_<variant>`` (no
    category stated: ``for_category`` fits its masks to one), one ``GemmLayer`` per layer.

    A layer's ``a_mask`` bool ``[M, K]`` is the im2col-lowered nonzero mask of its input on the
    held-out images (``M = n_images * Ho * Wo``; the fc layer has one row per image); its
    ``w_mask`` bool ``[K, N]`` the nonzeros of the pruned weight. ``n_images`` keeps the first
    images only (default: all shipped); ``data_dir`` as in ``digits_metadata``.
    """
    if variant not in _VARIANTS:
        raise ValueError(f"variant must be one of {_VARIANTS}, got {variant!r}")
    if n_images is not None and (
        isinstance(n_images, (bool, np.bool_)) or not isinstance(n_images, (int, np.integer))
    ):
        # True would pass a range check as 1 and 2.0 would fail later as a slice bound
        raise ValueError(
            f"n_images must be an integer, got {n_images!r} ({type(n_images).__name__})"
        )
    meta, arrays = _load_raw(None if data_dir is None else str(data_dir))
    n_all = meta["dataset"]["mask_images"]
    if n_images is None:
        n_images = n_all
    if (
        isinstance(n_images, bool)
        or not isinstance(n_images, (int, np.integer))
        or not 1 <= n_images <= n_all
    ):
        raise ValueError(f"n_images must be an integer in [1, {n_all}], got {n_images!r}")
    key = _FILE_KEY[variant]
    out = []
    for layer in meta["layers"]:
        name, (h, w, c) = layer["name"], layer["input_map"]
        bits = arrays["input"] if name == "conv1" else arrays[f"{key}.a.{name}"]
        amap = unpack_bool(bits, (n_all, h, w, c))[:n_images]
        a_mask = im2col(amap, layer["R"], layer["S"], pad=layer["pad"])
        w_mask = unpack_bool(arrays[f"{key}.w.{name}"], (layer["K"], layer["N"]))
        out.append(GemmLayer(name, a_mask, w_mask, 1, f"digits_{variant}"))
    return Workload(f"digits_{variant}", out)


@register_network("digits", paper=True)
def _digits_network(variant: str = "p75", n_images: int | None = 16, data_dir=None) -> Workload:
    """The shipped digits CNN's real masks (weights pruned per ``variant``, ReLU activations of
    ``n_images`` held-out images): the main job's default workload."""
    return digits_workload(variant, n_images, data_dir=data_dir)
