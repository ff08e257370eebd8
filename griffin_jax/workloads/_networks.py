"""Network layer tables: every GEMM of a network as a ``Layer``.

Each builder walks the network in execution order, one layer instance at a time, and names each
instance with a *role*; instances sharing a role (identical repeated blocks, or one transformer
layer run ``L`` times) are merged into one ``Layer`` with ``count`` = number of instances and
``depth`` = relative positions (in [0, 1]) of its first and last instance. Only GEMMs are listed
(conv, fully-connected, attention matmuls); pooling, normalisation, residual adds, softmax and
activations are not GEMMs and are left out, as in the published MAC counts.

Architectures follow the torchvision / reference definitions:
- resnet50: He et al., CVPR 2016, with the torchvision "V1.5" bottleneck (stride on the 3x3 conv).
- mobilenet_v2: Sandler et al., CVPR 2018, Table 2 (width 1.0), torchvision layout.
- vgg16: Simonyan & Zisserman, ICLR 2015, configuration D.
- bert_base: Devlin et al., NAACL 2019 (L=12, H=768, A=12, FFN 3072), sequence 128.
- vit_b16: Dosovitskiy et al., ICLR 2021 (ViT-B/16: 12 layers, 768 wide, MLP 3072, 12 heads),
  224x224 input, 196 patches + 1 class token, classifier head on the class token.
- llama_mlp: the decoder MLP (SwiGLU gate/up/down) of Llama-2-7B (Touvron et al., 2023:
  hidden 4096, intermediate 11008, 32 layers), sequence 128. Attention is not included.
"""

from __future__ import annotations

import dataclasses
import functools

from griffin_jax.workloads._layers import Layer, _int, conv_gemm, linear_gemm
from griffin_jax.workloads._registry import NETWORK_REGISTRY, register_layer_table


class _Builder:
    """Collects layer instances in execution order and merges instances that share a role."""

    def __init__(self):
        self._roles: dict[str, list[int]] = {}
        self._layers: dict[str, Layer] = {}
        self._n = 0

    def add(self, layer: Layer) -> Layer:
        """Record one instance; its name is its role."""
        role = layer.name
        if self._layers.setdefault(role, layer) != layer:
            raise AssertionError(f"instances of role {role!r} differ in shape")  # builder bug
        self._roles.setdefault(role, []).append(self._n)
        self._n += 1
        return layer

    def build(self) -> tuple[Layer, ...]:
        span = max(self._n - 1, 1)
        out = []
        for role, layer in self._layers.items():
            pos = self._roles[role]
            out.append(
                dataclasses.replace(layer, count=len(pos), depth=(pos[0] / span, pos[-1] / span))
            )
        return tuple(out)


def _resnet50(batch: int, stride_in_1x1: bool = False) -> tuple[Layer, ...]:
    """ResNet-50. ``stride_in_1x1=True`` gives the original (V1) bottleneck of He et al."""
    b = _Builder()
    b.add(conv_gemm("conv1", 224, 224, 3, 64, 7, 2, 3, batch=batch))
    hw, cin = 56, 64  # after the 3x3 stride-2 max pool
    for stage, (width, blocks, stride) in enumerate(
        ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)), start=1
    ):
        for blk in range(blocks):
            s = stride if blk == 0 else 1
            role = f"layer{stage}.0" if blk == 0 else f"layer{stage}.1-{blocks - 1}"
            s1, s3 = (s, 1) if stride_in_1x1 else (1, s)
            # Block inputs are ReLU outputs (after the residual add, or the stem's ReLU+pool).
            c1 = b.add(
                conv_gemm(
                    f"{role}.conv1", hw, hw, cin, width, 1, s1, 0, batch=batch, relu_input=True
                )
            )
            h1 = c1.out_hw[0]
            c2 = b.add(
                conv_gemm(
                    f"{role}.conv2", h1, h1, width, width, 3, s3, 1, batch=batch, relu_input=True
                )
            )
            h2 = c2.out_hw[0]
            b.add(
                conv_gemm(
                    f"{role}.conv3", h2, h2, width, 4 * width, 1, 1, 0, batch=batch, relu_input=True
                )
            )
            if blk == 0:
                b.add(
                    conv_gemm(
                        f"{role}.downsample",
                        hw,
                        hw,
                        cin,
                        4 * width,
                        1,
                        s,
                        0,
                        batch=batch,
                        relu_input=True,
                    )
                )
            hw, cin = h2, 4 * width
    # Global average pooling of ReLU maps: a channel is zero only if all 49 positions are, so
    # the classifier's input is treated as dense (relu_input False).
    b.add(linear_gemm("fc", batch, 2048, 1000))
    return b.build()


def _mobilenet_v2(batch: int) -> tuple[Layer, ...]:
    b = _Builder()
    b.add(conv_gemm("features.0", 224, 224, 3, 32, 3, 2, 1, batch=batch))
    hw, cin = 112, 32
    # (expansion t, channels c, repeats n, first stride s): Sandler et al. 2018, Table 2.
    settings = (
        (1, 16, 1, 1),
        (6, 24, 2, 2),
        (6, 32, 3, 2),
        (6, 64, 4, 2),
        (6, 96, 3, 1),
        (6, 160, 3, 2),
        (6, 320, 1, 1),
    )
    for stage, (t, c, n, s) in enumerate(settings, start=1):
        for blk in range(n):
            stride = s if blk == 0 else 1
            role = f"stage{stage}.0" if blk == 0 else f"stage{stage}.1-{n - 1}"
            hidden = cin * t
            if t != 1:
                # Linear bottleneck: the block input has no ReLU, so it is dense.
                b.add(conv_gemm(f"{role}.expand", hw, hw, cin, hidden, 1, 1, 0, batch=batch))
            dw = b.add(
                conv_gemm(
                    f"{role}.dw",
                    hw,
                    hw,
                    hidden,
                    hidden,
                    3,
                    stride,
                    1,
                    groups=hidden,
                    batch=batch,
                    relu_input=True,
                )
            )
            hout = dw.out_hw[0]
            b.add(
                conv_gemm(
                    f"{role}.project", hout, hout, hidden, c, 1, 1, 0, batch=batch, relu_input=True
                )
            )
            hw, cin = hout, c
    b.add(conv_gemm("features.18", hw, hw, cin, 1280, 1, 1, 0, batch=batch))
    b.add(linear_gemm("classifier", batch, 1280, 1000))  # input: avg-pooled, dense
    return b.build()


def _vgg16(batch: int) -> tuple[Layer, ...]:
    b = _Builder()
    hw, cin = 224, 3
    for stage, (width, convs) in enumerate(((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)), 1):
        for i in range(1, convs + 1):
            first = stage == 1 and i == 1
            b.add(
                conv_gemm(
                    f"conv{stage}_{i}",
                    hw,
                    hw,
                    cin,
                    width,
                    3,
                    1,
                    1,
                    batch=batch,
                    relu_input=not first,
                )
            )
            cin = width
        hw //= 2  # 2x2 stride-2 max pool
    b.add(linear_gemm("fc6", batch, 7 * 7 * 512, 4096, relu_input=True))
    b.add(linear_gemm("fc7", batch, 4096, 4096, relu_input=True))
    b.add(linear_gemm("fc8", batch, 4096, 1000, relu_input=True))
    return b.build()


def _encoder(
    b: _Builder,
    layers: int,
    tokens_per_seq: int,
    batch: int,
    d: int,
    heads: int,
    ffn: int,
    prefix: str,
) -> None:
    """Post-LN / pre-LN transformer encoder layers (the GEMMs are the same for both)."""
    t = tokens_per_seq * batch
    dh = d // heads
    for _ in range(layers):
        # Q, K and V projections share their input: one fused GEMM with N = 3d.
        b.add(linear_gemm(f"{prefix}.attn.qkv", t, d, 3 * d))
        # Per head and sequence: scores = Q K^T (K = head dim), context = P V (K = sequence).
        b.add(
            Layer(
                f"{prefix}.attn.qk",
                tokens_per_seq,
                tokens_per_seq,
                dh,
                groups=heads * batch,
                kind="matmul",
            )
        )
        b.add(
            Layer(
                f"{prefix}.attn.av",
                tokens_per_seq,
                dh,
                tokens_per_seq,
                groups=heads * batch,
                kind="matmul",
            )
        )
        b.add(linear_gemm(f"{prefix}.attn.out", t, d, d))
        b.add(linear_gemm(f"{prefix}.ffn.up", t, d, ffn))
        b.add(linear_gemm(f"{prefix}.ffn.down", t, ffn, d))  # GELU input: no exact zeros


def _bert_base(batch: int, seq: int = 128) -> tuple[Layer, ...]:
    b = _Builder()
    _encoder(b, 12, seq, batch, 768, 12, 3072, "encoder")
    return b.build()


def _vit_b16(batch: int) -> tuple[Layer, ...]:
    b = _Builder()
    b.add(conv_gemm("patch_embed", 224, 224, 3, 768, 16, 16, 0, batch=batch))
    _encoder(b, 12, 14 * 14 + 1, batch, 768, 12, 3072, "encoder")
    b.add(linear_gemm("head", batch, 768, 1000))  # on the class token only
    return b.build()


def _llama_mlp(batch: int, seq: int = 128) -> tuple[Layer, ...]:
    b = _Builder()
    t = seq * batch
    for _ in range(32):
        b.add(linear_gemm("mlp.gate", t, 4096, 11008))
        b.add(linear_gemm("mlp.up", t, 4096, 11008))
        b.add(linear_gemm("mlp.down", t, 11008, 4096))  # SiLU(gate) * up: dense
    return b.build()


# The paper study's networks are marked ``paper`` (with the digits masks, ``_digits``).
for _name, _table, _paper in (
    ("resnet50", _resnet50, True),
    ("mobilenet_v2", _mobilenet_v2, True),
    ("vgg16", _vgg16, False),
    ("bert_base", _bert_base, True),
    ("vit_b16", _vit_b16, False),
    ("llama_mlp", _llama_mlp, False),
):
    register_layer_table(_name, _table, paper=_paper)
# The built-in layer tables (``network_names(kind="table")`` also lists registered ones).
NETWORKS = NETWORK_REGISTRY.names(kind="table")


def network(name: str, batch: int = 1) -> tuple[Layer, ...]:
    """The GEMMs of layer-table network ``name`` (``network_names(kind="table")``) at batch
    size ``batch``.

    Images are 224x224; BERT and the Llama MLP use sequence 128 per batch element. Returns a
    tuple of ``Layer`` in execution order of each role's first instance.
    """
    tables = NETWORK_REGISTRY.names(kind="table")
    if not isinstance(name, str) or name not in tables:
        raise ValueError(f"network name must be one of {tables}, got {name!r}")
    return _cached(name, NETWORK_REGISTRY.get(name), _int("batch", batch))


@functools.lru_cache(maxsize=64)
def _cached(name: str, table, batch: int) -> tuple[Layer, ...]:
    # keyed by the table function too, so a network registered again (replace=True) is rebuilt
    return tuple(table(batch))
