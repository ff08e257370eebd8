"""Layers as GEMMs (spec section 1): the ``Layer`` record, conv/linear lowering and im2col masks.

A layer is ``groups`` independent GEMMs ``Out[M, N] = A[M, K] @ W[K, N]``, repeated ``count``
times in the network (identical blocks, or one encoder layer used ``count`` times). ``M, N, K``
describe *one* group's GEMM, so a simulator runs one group and multiplies its cycles by
``groups * count``.

Convolutions are lowered by im2col with K ordered kernel-position-major, input-channel-minor:
``k = (r * S + s) * Cg + c`` where ``Cg = Cin / groups`` and ``c`` indexes the group's channels.
Consecutive lanes therefore hold consecutive input channels of one kernel position.
"""

from __future__ import annotations

import dataclasses

import numpy as np

KINDS = ("conv", "fc", "matmul")


def _int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _pair(name: str, value, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, as ``(along H, along W)``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return (_int(name, value[0], minimum), _int(name, value[1], minimum))
    v = _int(name, value, minimum)
    return (v, v)


def conv_out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output extent of a convolution along one axis (floor mode, symmetric zero padding)."""
    return (size + 2 * padding - kernel) // stride + 1


_GEOMETRY = ("h", "w", "cin", "kernel", "stride", "padding")


@dataclasses.dataclass(frozen=True)
class Layer:
    """One network layer as ``groups`` GEMMs of shape ``[M, K] x [K, N]``, used ``count`` times.

    Fields:
      name: unique within its network.
      M, N, K: one group's GEMM. conv: ``M = batch*Ho*Wo``, ``N = Cout/groups``,
        ``K = R*S*Cin/groups``; fc: ``M`` tokens (or batch), ``N`` outputs, ``K`` inputs.
      groups: independent GEMMs (grouped / depthwise convs, attention heads).
      count: how many times the network runs this exact layer (repeated blocks).
      kind: "conv", "fc" (activations x weights) or "matmul" (activations x activations, e.g.
        attention; its ``W`` operand is an activation tensor).
      h, w, cin, kernel, stride, padding: conv geometry (input height, width, channels; kernel,
        stride and symmetric zero padding as ``(along H, along W)``). Required for convs,
        absent (None) for fc and matmul layers.
      relu_input: the layer's input activations come straight from a ReLU (possibly through
        pooling), so they carry natural zeros. Used by activation-density profiles.
      depth: ``(first, last)`` relative depth in [0, 1] of this layer's ``count`` instances in
        the network's execution order (set by ``network``; None for a stand-alone layer).
    """

    name: str
    M: int
    N: int
    K: int
    groups: int = 1
    count: int = 1
    kind: str = "fc"
    h: int | None = None
    w: int | None = None
    cin: int | None = None
    kernel: tuple[int, int] | None = None
    stride: tuple[int, int] | None = None
    padding: tuple[int, int] | None = None
    relu_input: bool = False
    depth: tuple[float, float] | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"Layer.name must be a non-empty str, got {self.name!r}")
        for f in ("M", "N", "K", "groups", "count"):
            object.__setattr__(self, f, _int(f"Layer.{f}", getattr(self, f)))
        if self.kind not in KINDS:
            raise ValueError(f"Layer.kind must be one of {KINDS}, got {self.kind!r}")
        if not isinstance(self.relu_input, (bool, np.bool_)):
            raise ValueError(f"Layer.relu_input must be a bool, got {self.relu_input!r}")
        object.__setattr__(self, "relu_input", bool(self.relu_input))
        self._check_depth()
        given = [f for f in _GEOMETRY if getattr(self, f) is not None]
        if self.kind != "conv":
            if given:
                raise ValueError(
                    f"Layer.{given[0]}: conv geometry is only for kind='conv', "
                    f"got kind={self.kind!r}"
                )
            return
        missing = [f for f in _GEOMETRY if getattr(self, f) is None]
        if missing:
            raise ValueError(f"Layer.{missing[0]} is required for a conv layer (use conv_gemm)")
        for f in ("h", "w", "cin"):
            object.__setattr__(self, f, _int(f"Layer.{f}", getattr(self, f)))
        object.__setattr__(self, "kernel", _pair("Layer.kernel", self.kernel, 1))
        object.__setattr__(self, "stride", _pair("Layer.stride", self.stride, 1))
        object.__setattr__(self, "padding", _pair("Layer.padding", self.padding, 0))
        ho, wo = self.out_hw
        if ho < 1 or wo < 1:
            raise ValueError(
                f"Layer.kernel {self.kernel} does not fit the padded {self.h}x{self.w} input"
            )
        if self.cin % self.groups:
            raise ValueError(f"Layer.cin {self.cin} is not a multiple of groups {self.groups}")
        r, s = self.kernel
        if self.K != r * s * (self.cin // self.groups):
            raise ValueError(
                f"Layer.K must be R*S*Cin/groups = {r * s * (self.cin // self.groups)}, "
                f"got {self.K}"
            )
        if self.M % (ho * wo):
            raise ValueError(f"Layer.M {self.M} is not batch * Ho * Wo (Ho*Wo = {ho * wo})")

    def _check_depth(self):
        if self.depth is None:
            return
        try:
            d0, d1 = (float(v) for v in self.depth)
        except (TypeError, ValueError):
            raise ValueError(
                f"Layer.depth must be a (first, last) pair, got {self.depth!r}"
            ) from None
        if not (0.0 <= d0 <= d1 <= 1.0):
            raise ValueError(
                f"Layer.depth must satisfy 0 <= first <= last <= 1, got {self.depth!r}"
            )
        object.__setattr__(self, "depth", (d0, d1))

    # -- derived sizes --------------------------------------------------------------------------
    @property
    def macs(self) -> int:
        """Multiply-accumulates of all groups and repeats: ``groups * count * M * N * K``."""
        return self.groups * self.count * self.M * self.N * self.K

    @property
    def weights(self) -> int:
        """Weights of one instance (``groups * K * N``); 0 for activation-by-activation matmuls."""
        return 0 if self.kind == "matmul" else self.groups * self.K * self.N

    @property
    def out_hw(self) -> tuple[int, int]:
        """Conv output ``(Ho, Wo)``."""
        self._need_conv("out_hw")
        return (
            conv_out_size(self.h, self.kernel[0], self.stride[0], self.padding[0]),
            conv_out_size(self.w, self.kernel[1], self.stride[1], self.padding[1]),
        )

    @property
    def batch(self) -> int:
        """Images per GEMM of a conv (``M / (Ho * Wo)``)."""
        ho, wo = self.out_hw
        return self.M // (ho * wo)

    @property
    def cout(self) -> int:
        return self.N * self.groups

    def _need_conv(self, what: str):
        if self.kind != "conv":
            raise ValueError(
                f"Layer {self.name!r}: {what} needs a conv layer, got kind={self.kind!r}"
            )


def conv_gemm(
    name: str,
    h: int,
    w: int,
    cin: int,
    cout: int,
    kernel,
    stride=1,
    padding=None,
    groups: int = 1,
    batch: int = 1,
    count: int = 1,
    relu_input: bool = False,
) -> Layer:
    """Lower a 2-D convolution to its per-group GEMM.

    ``kernel``, ``stride``, ``padding`` are ints or ``(along H, along W)`` pairs. ``padding=None``
    means ``(kernel - 1) // 2`` per axis ("same" size for odd kernels at stride 1, as in the
    torchvision models). Returns a ``Layer`` with ``M = batch*Ho*Wo``, ``N = cout/groups``,
    ``K = R*S*cin/groups``.
    """
    kr, ks = _pair("kernel", kernel, 1)
    if padding is None:
        padding = ((kr - 1) // 2, (ks - 1) // 2)
    sh, sw = _pair("stride", stride, 1)
    ph, pw = _pair("padding", padding, 0)
    h, w, cin, cout = (_int(n, v) for n, v in (("h", h), ("w", w), ("cin", cin), ("cout", cout)))
    groups, batch = _int("groups", groups), _int("batch", batch)
    if cin % groups:
        raise ValueError(f"cin {cin} is not a multiple of groups {groups}")
    if cout % groups:
        raise ValueError(f"cout {cout} is not a multiple of groups {groups}")
    ho, wo = conv_out_size(h, kr, sh, ph), conv_out_size(w, ks, sw, pw)
    if ho < 1 or wo < 1:
        raise ValueError(f"kernel {(kr, ks)} does not fit the padded {h}x{w} input")
    return Layer(
        name=name,
        M=batch * ho * wo,
        N=cout // groups,
        K=kr * ks * (cin // groups),
        groups=groups,
        count=count,
        kind="conv",
        h=h,
        w=w,
        cin=cin,
        kernel=(kr, ks),
        stride=(sh, sw),
        padding=(ph, pw),
        relu_input=relu_input,
    )


def linear_gemm(
    name: str, tokens: int, d_in: int, d_out: int, count: int = 1, relu_input: bool = False
) -> Layer:
    """A fully-connected layer on ``tokens`` rows: ``M = tokens``, ``N = d_out``, ``K = d_in``."""
    return Layer(
        name=name,
        M=_int("tokens", tokens),
        N=_int("d_out", d_out),
        K=_int("d_in", d_in),
        count=count,
        kind="fc",
        relu_input=relu_input,
    )


def lower_patches(x: np.ndarray, kernel, stride, padding, dilation: int = 1) -> np.ndarray:
    """The one conv lowering: ``x[B, H, W, C]`` -> ``[B*Ho*Wo, kr*ks*C]``, rows in
    ``(b, ho, wo)`` order and columns in the spec's K order ``k = (r*ks + s)*C + c``.

    ``kernel``, ``stride``, ``padding``: ``(rows, cols)`` pairs (zero padding: False for bool
    masks); any dtype. Callers validate their arguments; the output size must be >= 1.
    """
    (kr, ks), (sh, sw), (ph, pw) = kernel, stride, padding
    b, h, w, c = x.shape
    ho = (h + 2 * ph - dilation * (kr - 1) - 1) // sh + 1
    wo = (w + 2 * pw - dilation * (ks - 1) - 1) // sw + 1
    xp = np.pad(x, ((0, 0), (ph, ph), (pw, pw), (0, 0)))
    out = np.empty((b, ho, wo, kr * ks, c), x.dtype)
    # One strided slice per kernel position: memory stays at the size of the output.
    for r in range(kr):
        rows = slice(r * dilation, r * dilation + sh * (ho - 1) + 1, sh)
        for s in range(ks):
            cols = slice(s * dilation, s * dilation + sw * (wo - 1) + 1, sw)
            out[:, :, :, r * ks + s, :] = xp[:, rows, cols, :]
    return out.reshape(b * ho * wo, kr * ks * c)


def im2col_mask(x_mask, layer: Layer, group: int = 0) -> np.ndarray:
    """Lower a boolean input activation map to one group's ``a_mask`` of a conv layer.

    Args:
      x_mask: bool ``[H, W, Cin]`` (batch 1) or ``[B, H, W, Cin]`` with ``B = layer.batch``;
        True where the activation is nonzero. Zero padding lowers to False.
      layer: a conv ``Layer``.
      group: which group's input channels ``[group*Cg, (group+1)*Cg)`` to lower.

    Returns:
      bool ``[M, K]`` with rows in ``(b, ho, wo)`` order and ``k = (r*S + s)*Cg + c``.
    """
    layer._need_conv("im2col_mask")
    x = np.asarray(x_mask)
    if x.dtype != np.bool_:
        raise ValueError(f"x_mask must be a bool array, got dtype {x.dtype}")
    if x.ndim == 3:
        x = x[None]
    if x.ndim != 4 or x.shape != (layer.batch, layer.h, layer.w, layer.cin):
        raise ValueError(
            f"x_mask must have shape [H, W, Cin] = {(layer.h, layer.w, layer.cin)} or "
            f"[B, H, W, Cin] = {(layer.batch, layer.h, layer.w, layer.cin)}, got {np.shape(x_mask)}"
        )
    group = _int("group", group, 0)
    if group >= layer.groups:
        raise ValueError(f"group must be < groups = {layer.groups}, got {group}")
    cg = layer.cin // layer.groups
    out = lower_patches(
        x[..., group * cg : (group + 1) * cg], layer.kernel, layer.stride, layer.padding
    )
    return out.reshape(layer.M, layer.K)


def total_macs(layers) -> int:
    """Sum of ``Layer.macs`` over a network."""
    return sum(layer.macs for layer in layers)


def total_weights(layers) -> int:
    """Distinct weights of a network (every repeat has its own): ``sum(weights * count)``."""
    return sum(layer.weights * layer.count for layer in layers)
