"""A small ReLU CNN on 8x8 digits: training, gradual magnitude pruning, real masks (JAX + optax).

This is the library behind ``scripts/train_digits_masks.py``, which produces the masks shipped in
``griffin_jax/workloads/data/digits_masks.npz``. It never imports scikit-learn: the caller passes
the
images (``sklearn.datasets.load_digits``, 8x8 intensities 0..16) as arrays.

Network (NHWC, 'SAME' padding, stride 1)::

    conv1 3x3  1->16 + ReLU        8x8
    conv2 3x3 16->32 + ReLU        8x8,  then 2x2 max-pool -> 4x4
    conv3 3x3 32->32 + ReLU        4x4
    fc    512 -> 10                (flatten in (h, w, c) order)

Every layer's weight is kept as the GEMM operand ``W[K, N]`` in the spec's K order (docs/model.md
section 1: k = (r*S + s)*Cin + c): a conv kernel stored HWIO ``[R, S, Cin, N]`` reshapes to exactly
that, and the fc layer is the 4x4 "conv" over the whole map, so flattening (h, w, c) keeps the
order.

Pruning:
- unstructured: gradual magnitude pruning with the cubic schedule of Zhu & Gupta, "To prune, or not
  to prune: exploring the efficacy of pruning for model compression", arXiv:1710.01878 (2017), eq.
  1:
  ``s_t = s_f + (s_i - s_f) * (1 - (t - t0) / (n * dt))**3``; each layer is pruned to the same
  target by weight magnitude, then fine-tuned with the mask fixed;
- 2:4: one-shot magnitude 2:4 from the dense model, then fine-tuning with the mask fixed (the
  recipe of Mishra et al., "Accelerating Sparse Deep Neural Networks", arXiv:2104.08378, 2021);
  groups are 4 consecutive k of one output channel (a trailing group of fewer than 4 keeps
  ``min(2, size)``).
Biases are not pruned: they are not GEMM operands.
"""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import optax

# (name, R, S, Cin, N); fc is written as a 4x4 conv over the pooled 4x4x32 map.
LAYER_GEOMETRY = (
    ("conv1", 3, 3, 1, 16),
    ("conv2", 3, 3, 16, 32),
    ("conv3", 3, 3, 32, 32),
    ("fc", 4, 4, 32, 10),
)
LAYER_NAMES = tuple(g[0] for g in LAYER_GEOMETRY)
# Input map (H, W, C) of every layer on an 8x8 image.
INPUT_MAPS = {"conv1": (8, 8, 1), "conv2": (8, 8, 16), "conv3": (4, 4, 32), "fc": (4, 4, 32)}
# Intensities of sklearn's digits are integers 0..16.
PIXEL_MAX = 16.0


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Every knob of the pipeline; the defaults are the ones that produced the shipped file."""

    seed: int = 0
    batch: int = 32
    dense_steps: int = 1500
    dense_lr: float = 3e-3
    prune_steps: int = 600  # n * dt in Zhu & Gupta's notation
    prune_every: int = 20  # dt
    finetune_steps: int = 600
    finetune_lr: float = 1e-3

    def __post_init__(self):
        for field in ("batch", "dense_steps", "prune_every"):
            if getattr(self, field) < 1:
                raise ValueError(f"{field} must be >= 1, got {getattr(self, field)}")
        for field in ("prune_steps", "finetune_steps"):
            if getattr(self, field) < 0:
                raise ValueError(f"{field} must be >= 0, got {getattr(self, field)}")
        for field in ("dense_steps", "prune_steps", "finetune_steps"):
            if getattr(self, field) % self.prune_every:
                raise ValueError(
                    f"{field} ({getattr(self, field)}) must be a multiple of "
                    f"prune_every ({self.prune_every}), the compiled chunk length"
                )
        for field in ("dense_lr", "finetune_lr"):
            if not getattr(self, field) > 0:
                raise ValueError(f"{field} must be > 0, got {getattr(self, field)}")


def init_params(key: jax.Array) -> dict:
    """He-normal weights as GEMM operands ``w[K, N]`` and zero biases ``b[N]``, per layer."""
    params = {}
    for name, r, s, cin, n in LAYER_GEOMETRY:
        key, sub = jax.random.split(key)
        k = r * s * cin
        params[name] = {
            "w": jax.random.normal(sub, (k, n), jnp.float32) * math.sqrt(2.0 / k),
            "b": jnp.zeros((n,), jnp.float32),
        }
    return params


def _conv(x, w, r, s, cin):
    # Explicit im2col + matmul: the patches' last axis is exactly the spec's K order, so `w[K, N]`
    # is used as stored; it is also ~15x faster than XLA's CPU conv gradients at these sizes.
    b, h, wd, _ = x.shape
    pad = (r - 1) // 2
    xp = jnp.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    cols = [xp[:, i : i + h, j : j + wd, :] for i in range(r) for j in range(s)]
    patches = jnp.concatenate(cols, axis=-1).reshape(b * h * wd, r * s * cin)
    return (patches @ w).reshape(b, h, wd, w.shape[1])


def _bias(b):
    """A per-channel bias ``[C]`` shaped ``[1, 1, 1, C]`` for ``[B, H, W, C]`` maps."""
    return b[None, None, None, :]


def forward(params: dict, x: jax.Array) -> tuple[jax.Array, dict]:
    """Logits ``[B, 10]`` and each layer's input map, for images ``x[B, 8, 8, 1]`` scaled to [0, 1].

    The maps are ``{"conv1": x, "conv2": relu1, "conv3": maxpool(relu2), "fc": relu3}``, each
    ``[B, H, W, C]`` as in ``INPUT_MAPS``: their nonzeros are the layers' activation masks.
    """
    geo = {g[0]: g for g in LAYER_GEOMETRY}
    maps = {"conv1": x}
    h = jax.nn.relu(
        _conv(x, params["conv1"]["w"], *geo["conv1"][1:4]) + _bias(params["conv1"]["b"])
    )
    maps["conv2"] = h
    h = jax.nn.relu(
        _conv(h, params["conv2"]["w"], *geo["conv2"][1:4]) + _bias(params["conv2"]["b"])
    )
    h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    maps["conv3"] = h
    h = jax.nn.relu(
        _conv(h, params["conv3"]["w"], *geo["conv3"][1:4]) + _bias(params["conv3"]["b"])
    )
    maps["fc"] = h
    logits = h.reshape(h.shape[0], -1) @ params["fc"]["w"] + params["fc"]["b"][None, :]
    return logits, maps


def apply_masks(params: dict, masks: dict) -> dict:
    """Zero the pruned weights (``masks[layer]`` is bool or 0/1 ``[K, N]``); biases untouched."""
    return {
        k: {"w": v["w"] * jnp.asarray(masks[k], v["w"].dtype), "b": v["b"]}
        for k, v in params.items()
    }


def _loss(params, masks, x, y):
    logits, _ = forward(apply_masks(params, masks), x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


# One optimizer structure for every phase (the learning rate is state), so a single compiled
# chunk of steps serves dense training, pruning and fine-tuning alike.
_OPT = optax.inject_hyperparams(optax.adam)(learning_rate=1e-3)


def _opt_init(params, lr):
    state = _OPT.init(params)
    state.hyperparams["learning_rate"] = jnp.asarray(lr, jnp.float32)
    return state


@jax.jit
def _run_steps(params, opt_state, masks, xs, ys):
    """``xs.shape[0]`` Adam steps with the masks (float ``[K, N]``) held fixed."""

    def step(carry, batch):
        p, o = carry
        loss, grads = jax.value_and_grad(_loss)(p, masks, *batch)
        updates, o = _OPT.update(grads, o, p)
        p = apply_masks(optax.apply_updates(p, updates), masks)
        return (p, o), loss

    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), (xs, ys))
    return params, opt_state, losses


def _train(cfg, params, opt_state, masks, rng, x, y, steps):
    """``steps`` steps in chunks of ``cfg.prune_every`` (one compiled shape)."""
    fmasks = {k: jnp.asarray(v, jnp.float32) for k, v in masks.items()}
    for _ in range(steps // cfg.prune_every):
        xs, ys = _batches(rng, x, y, cfg.prune_every, cfg.batch)
        params, opt_state, _ = _run_steps(params, opt_state, fmasks, xs, ys)
    return params, opt_state


def zhu_gupta_sparsity(step: int, final: float, total: int, initial: float = 0.0) -> float:
    """Target sparsity after ``step`` of ``total`` pruning steps (Zhu & Gupta 2017, eq. 1, t0 =
    0)."""
    if not 0.0 <= initial <= final < 1.0:
        raise ValueError(f"need 0 <= initial <= final < 1, got initial={initial}, final={final}")
    if total < 1:
        raise ValueError(f"total must be >= 1, got {total}")
    frac = min(max(step / total, 0.0), 1.0)
    return final + (initial - final) * (1.0 - frac) ** 3


def magnitude_mask(w: np.ndarray, density: float) -> np.ndarray:
    """Keep the ``round(density * w.size)`` largest ``|w|`` (ties: lower flat index first)."""
    if not 0.0 <= density <= 1.0:
        raise ValueError(f"density must be in [0, 1], got {density}")
    mag = np.abs(np.asarray(w)).ravel()
    keep = int(round(density * mag.size))
    mask = np.zeros(mag.size, bool)
    if keep:
        # O(size) selection: everything above the keep-th largest value, then ties in index order
        thr = np.partition(mag, mag.size - keep)[mag.size - keep]
        mask = mag > thr
        mask[np.flatnonzero(mag == thr)[: keep - int(mask.sum())]] = True
    return mask.reshape(np.shape(w))


def n_of_m_mask(w: np.ndarray, n: int = 2, m: int = 4) -> np.ndarray:
    """N:M along K of ``w[K, N]``: in every group of ``m`` consecutive k of a column keep the ``n``
    largest ``|w|`` (a trailing group of fewer than ``m`` keeps ``min(n, size)``)."""
    w = np.asarray(w)
    if w.ndim != 2:
        raise ValueError(f"w must be [K, N], got shape {w.shape}")
    if not 1 <= n <= m:
        raise ValueError(f"need 1 <= n <= m, got n={n}, m={m}")
    k = w.shape[0]
    pad = -k % m
    # Padding ranks last (magnitude -1), so a short group keeps its real entries first.
    mag = np.concatenate([np.abs(w), np.full((pad, w.shape[1]), -1.0)], 0)
    groups = mag.reshape(-1, m, w.shape[1])
    rank = np.argsort(np.argsort(-groups, axis=1, kind="stable"), axis=1, kind="stable")
    return (rank < n).reshape(-1, w.shape[1])[:k]


def _batches(rng: np.random.Generator, x: np.ndarray, y: np.ndarray, steps: int, batch: int):
    """``steps`` minibatches drawn epoch by epoch from shuffles of the training set."""
    per_epoch = len(x) // batch
    if per_epoch < 1:
        raise ValueError(f"batch ({batch}) is larger than the training set ({len(x)})")
    idx = []
    while len(idx) < steps * batch:
        idx.extend(rng.permutation(len(x))[: per_epoch * batch].tolist())
    idx = np.asarray(idx[: steps * batch]).reshape(steps, batch)
    return jnp.asarray(x[idx]), jnp.asarray(y[idx])


_EVAL_CHUNK = 256
_forward_jit = jax.jit(forward)


def _forward_chunked(params, x):
    """``forward`` over fixed-size, zero-padded chunks: one compiled shape for any batch size."""
    x = np.asarray(x, np.float32)
    logits, maps = [], []
    for lo in range(0, len(x), _EVAL_CHUNK):
        part = x[lo : lo + _EVAL_CHUNK]
        pad = np.zeros((_EVAL_CHUNK - len(part),) + x.shape[1:], np.float32)
        lg, mp = _forward_jit(params, jnp.asarray(np.concatenate([part, pad])))
        logits.append(np.asarray(lg)[: len(part)])
        maps.append({k: np.asarray(v)[: len(part)] for k, v in mp.items()})
    return np.concatenate(logits), {k: np.concatenate([m[k] for m in maps]) for k in maps[0]}


def accuracy(params: dict, masks: dict, x: np.ndarray, y: np.ndarray) -> float:
    """Top-1 accuracy of the masked network on images ``x[B, 8, 8, 1]`` (scaled) and labels
    ``y[B]``."""
    logits, _ = _forward_chunked(apply_masks(params, masks), x)
    return float(np.mean(np.argmax(logits, -1) == np.asarray(y)))


def _ones(params):
    return {k: np.ones(v["w"].shape, bool) for k, v in params.items()}


def train_dense(cfg: TrainConfig, x: np.ndarray, y: np.ndarray) -> dict:
    """Dense training with Adam from ``init_params(PRNGKey(cfg.seed))``; data order from
    ``cfg.seed``."""
    params = init_params(jax.random.PRNGKey(cfg.seed))
    params, _ = _train(
        cfg,
        params,
        _opt_init(params, cfg.dense_lr),
        _ones(params),
        np.random.default_rng(cfg.seed),
        x,
        y,
        cfg.dense_steps,
    )
    return params


def prune_gradual(
    cfg: TrainConfig,
    params: dict,
    x: np.ndarray,
    y: np.ndarray,
    sparsity: float,
    seed_offset: int = 1,
) -> tuple[dict, dict]:
    """Zhu & Gupta gradual magnitude pruning of every layer to ``sparsity``, then fine-tuning.

    The mask is recomputed every ``cfg.prune_every`` steps from the surviving weights' magnitudes
    (pruned weights stay pruned). Returns ``(params, masks)``; ``masks[layer]`` is bool ``[K, N]``
    with exactly ``round((1 - sparsity) * K * N)`` True entries.
    """
    rng = np.random.default_rng(cfg.seed + seed_offset)
    opt_state = _opt_init(params, cfg.finetune_lr)
    masks = _ones(params)
    for step in range(0, cfg.prune_steps + 1, cfg.prune_every):
        density = 1.0 - zhu_gupta_sparsity(step, sparsity, max(cfg.prune_steps, 1))
        masks = {
            k: magnitude_mask(np.asarray(v["w"]) * masks[k], density) for k, v in params.items()
        }
        params = apply_masks(params, masks)
        if step < cfg.prune_steps:
            params, opt_state = _train(cfg, params, opt_state, masks, rng, x, y, cfg.prune_every)
    params, _ = _train(cfg, params, opt_state, masks, rng, x, y, cfg.finetune_steps)
    return params, masks


def prune_n_of_m(
    cfg: TrainConfig,
    params: dict,
    x: np.ndarray,
    y: np.ndarray,
    n: int = 2,
    m: int = 4,
    seed_offset: int = 2,
) -> tuple[dict, dict]:
    """One-shot N:M magnitude pruning along K of every layer, then fine-tuning with the mask
    fixed."""
    masks = {k: n_of_m_mask(np.asarray(v["w"]), n, m) for k, v in params.items()}
    params = apply_masks(params, masks)
    params, _ = _train(
        cfg,
        params,
        _opt_init(params, cfg.finetune_lr),
        masks,
        np.random.default_rng(cfg.seed + seed_offset),
        x,
        y,
        cfg.finetune_steps,
    )
    return params, masks


def activation_maps(params: dict, masks: dict, x: np.ndarray) -> dict[str, np.ndarray]:
    """Nonzero masks of every layer's input map (bool ``[B, H, W, C]``, see ``INPUT_MAPS``)."""
    _, maps = _forward_chunked(apply_masks(params, masks), x)
    return {k: np.asarray(v) != 0 for k, v in maps.items()}


def scale_images(images: np.ndarray) -> np.ndarray:
    """sklearn digits ``[B, 64]`` (0..16) -> float32 ``[B, 8, 8, 1]`` in [0, 1]; zeros stay zero."""
    images = np.asarray(images, np.float32)
    if images.ndim != 2 or images.shape[1] != 64:
        raise ValueError(f"images must be [B, 64], got shape {images.shape}")
    return (images / PIXEL_MAX).reshape(-1, 8, 8, 1)


def split(n: int, test_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic (train, test) index split of ``n`` samples."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    perm = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])
