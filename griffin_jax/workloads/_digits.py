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


@functools.lru_cache(maxsize=4)
def _load_raw(data_dir: str | None = None):
    if data_dir is None:
        data = importlib.resources.files("griffin_jax.workloads") / "data"
    else:
        import pathlib

        data = pathlib.Path(data_dir)
    meta = json.loads((data / JSON_NAME).read_text())
    if meta.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"{JSON_NAME}: format_version {meta.get('format_version')!r}, "
            f"this loader reads {FORMAT_VERSION}"
        )
    with np.load(io.BytesIO((data / NPZ_NAME).read_bytes()), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
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
