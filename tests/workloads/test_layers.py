"""Layer records, conv/linear lowering and im2col masks (spec section 1)."""

import numpy as np
import pytest

from griffin_jax.workloads import (
    Layer,
    conv_gemm,
    im2col_mask,
    linear_gemm,
    total_macs,
    total_weights,
)


def _direct_im2col(x, layer, group):
    """The spec's definition, one element at a time: k = (r*S + s)*Cg + c."""
    x = x if x.ndim == 4 else x[None]
    b_, h, w, _ = x.shape
    (kr, ks), (sh, sw), (ph, pw) = layer.kernel, layer.stride, layer.padding
    ho, wo = layer.out_hw
    cg = layer.cin // layer.groups
    out = np.zeros((layer.M, layer.K), bool)
    for b in range(b_):
        for oy in range(ho):
            for ox in range(wo):
                m = (b * ho + oy) * wo + ox
                for r in range(kr):
                    for s in range(ks):
                        iy, ix = oy * sh - ph + r, ox * sw - pw + s
                        if 0 <= iy < h and 0 <= ix < w:
                            for c in range(cg):
                                out[m, (r * ks + s) * cg + c] = x[b, iy, ix, group * cg + c]
    return out


CASES = [
    # h, w, cin, cout, kernel, stride, padding, groups, batch
    (5, 5, 3, 4, 3, 1, 1, 1, 1),
    (7, 6, 4, 2, 3, 2, 1, 1, 1),  # stride 2, odd/even sizes
    (8, 8, 2, 3, (3, 2), (2, 1), (0, 1), 1, 1),  # rectangular kernel, mixed stride/padding
    (6, 6, 6, 6, 3, 2, 1, 6, 1),  # depthwise
    (5, 7, 8, 4, 3, 1, 2, 2, 2),  # grouped, padding 2, batch 2
    (9, 9, 3, 5, 5, 2, 2, 1, 1),
    (4, 4, 5, 5, 1, 2, 0, 1, 1),  # strided 1x1 (ResNet downsample)
    (16, 16, 3, 4, 8, 8, 0, 1, 1),  # patch embedding
]


@pytest.mark.parametrize("case", CASES)
def test_im2col_matches_direct_loop(case):
    h, w, cin, cout, kernel, stride, padding, groups, batch = case
    layer = conv_gemm("c", h, w, cin, cout, kernel, stride, padding, groups=groups, batch=batch)
    rng = np.random.default_rng(CASES.index(case))
    shape = (batch, h, w, cin) if batch > 1 else (h, w, cin)
    x = rng.random(shape) < 0.6
    for g in range(groups):
        got = im2col_mask(x, layer, group=g)
        assert got.shape == (layer.M, layer.K) and got.dtype == bool
        np.testing.assert_array_equal(got, _direct_im2col(x, layer, g))


def test_im2col_gemm_is_the_convolution():
    """A[M, K] @ W.reshape(R*S*Cin, N) equals a direct convolution with weights [R, S, Cin, N]."""
    rng = np.random.default_rng(0)
    h, w, cin, cout, k, st, p = 7, 7, 3, 4, 3, 2, 1
    layer = conv_gemm("c", h, w, cin, cout, k, st, p)
    x = rng.random((h, w, cin)) < 0.5
    wts = rng.integers(-3, 4, size=(k, k, cin, cout))
    got = im2col_mask(x, layer).astype(int) @ wts.reshape(-1, cout)
    xp = np.pad(x.astype(int), ((p, p), (p, p), (0, 0)))
    ho, wo = layer.out_hw
    want = np.zeros((ho, wo, cout), int)
    for oy in range(ho):
        for ox in range(wo):
            patch = xp[oy * st : oy * st + k, ox * st : ox * st + k, :]
            want[oy, ox] = np.einsum("rsc,rscn->n", patch, wts)
    np.testing.assert_array_equal(got, want.reshape(-1, cout))


def test_conv_gemm_shapes():
    c = conv_gemm("conv1", 224, 224, 3, 64, 7, 2, 3, batch=2)
    assert c.out_hw == (112, 112) and c.batch == 2
    assert (c.M, c.N, c.K, c.groups) == (2 * 112 * 112, 64, 147, 1)
    assert c.macs == 2 * 112 * 112 * 64 * 147
    dw = conv_gemm("dw", 56, 56, 96, 96, 3, 2, groups=96)  # default padding (3-1)//2 = 1
    assert dw.padding == (1, 1) and dw.out_hw == (28, 28)
    assert (dw.N, dw.K, dw.cout) == (1, 9, 96)
    assert dw.macs == 96 * 28 * 28 * 9
    assert dw.weights == 96 * 9


def test_linear_and_matmul_layers():
    fc = linear_gemm("fc", 128, 768, 3072, count=12)
    assert (fc.M, fc.N, fc.K, fc.kind, fc.count) == (128, 3072, 768, "fc", 12)
    assert fc.macs == 12 * 128 * 3072 * 768
    qk = Layer("qk", 128, 128, 64, groups=12, count=12, kind="matmul")
    assert qk.weights == 0
    assert total_macs([fc, qk]) == fc.macs + qk.macs
    assert total_weights([fc, qk]) == 12 * 768 * 3072


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(M=0), "M"),
        (dict(N=-1), "N"),
        (dict(K=2.5), "K"),
        (dict(groups=0), "groups"),
        (dict(count=True), "count"),
        (dict(kind="pool"), "kind"),
        (dict(name=""), "name"),
        (dict(h=4), "h"),  # geometry on an fc layer
        (dict(depth=(0.5, 0.2)), "depth"),
        (dict(relu_input=1), "relu_input"),
    ],
)
def test_layer_validation_names_the_field(kwargs, field):
    base = dict(name="x", M=4, N=4, K=4)
    with pytest.raises(ValueError, match=field):
        Layer(**{**base, **kwargs})


def test_conv_layer_validation():
    good = conv_gemm("c", 8, 8, 4, 4, 3)
    with pytest.raises(ValueError, match="h"):
        Layer("c", good.M, good.N, good.K, kind="conv")  # geometry missing
    with pytest.raises(ValueError, match="K"):
        Layer(
            "c",
            good.M,
            good.N,
            good.K + 1,
            kind="conv",
            h=8,
            w=8,
            cin=4,
            kernel=3,
            stride=1,
            padding=1,
        )
    with pytest.raises(ValueError, match="M"):
        Layer(
            "c",
            good.M + 1,
            good.N,
            good.K,
            kind="conv",
            h=8,
            w=8,
            cin=4,
            kernel=3,
            stride=1,
            padding=1,
        )
    with pytest.raises(ValueError, match="cout"):
        conv_gemm("c", 8, 8, 4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="kernel"):
        conv_gemm("c", 2, 2, 4, 4, 5, padding=0)
    with pytest.raises(ValueError, match="stride"):
        conv_gemm("c", 8, 8, 4, 4, 3, stride=0)


def test_im2col_rejects_bad_input():
    layer = conv_gemm("c", 5, 5, 4, 4, 3, groups=2)
    x = np.ones((5, 5, 4), bool)
    with pytest.raises(ValueError, match="bool"):
        im2col_mask(x.astype(np.int8), layer)
    with pytest.raises(ValueError, match="shape"):
        im2col_mask(np.ones((5, 5, 3), bool), layer)
    with pytest.raises(ValueError, match="group"):
        im2col_mask(x, layer, group=2)
    with pytest.raises(ValueError, match="conv"):
        im2col_mask(x, linear_gemm("fc", 1, 4, 4))
    # Batch 2 layers need the batch axis.
    with pytest.raises(ValueError, match="shape"):
        im2col_mask(x, conv_gemm("c", 5, 5, 4, 4, 3, batch=2))
