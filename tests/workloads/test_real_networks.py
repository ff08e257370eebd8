"""Real-weight loaders (EasyOCR's VGG16-BN, all-MiniLM-L6-v2) and their real activation masks.

Tests marked ``real`` need the optional packages (extra ``real``) and skip cleanly without them;
the numerical building blocks are tested without them.
"""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pytest

from griffin_jax.workloads import _digits
from griffin_jax.workloads import _real_networks as rn


def _need(package):
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"optional package {package} not installed (extra 'real')")


@pytest.fixture(scope="module")
def vgg():
    _need(rn.EASYOCR_PACKAGE)
    pytest.importorskip("sklearn")
    pytest.importorskip("PIL")
    weights = rn.easyocr_vgg16bn_weights()
    images = rn.sample_images(32)  # small keeps the numpy forward pass quick
    return weights, images, rn.vgg16bn_forward(weights, images)


@pytest.fixture(scope="module")
def minilm():
    _need(rn.MINILM_PACKAGE)
    return rn.minilm_weights()


# ----------------------------------------------------------------- building blocks (no packages)


def test_fold_batchnorm_matches_conv_then_bn():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 3, 3, 3))
    b = rng.normal(size=5)
    gamma, beta, mean = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
    var = rng.uniform(0.1, 2.0, size=5)
    x = rng.normal(size=(2, 6, 6, 3))
    cols = _digits.im2col(x, 3, 3, pad=1)
    y = cols @ rn.conv_gemm_weight(w) + b
    want = (y - mean) / np.sqrt(var + rn.BN_EPS) * gamma + beta
    wf, bf = rn.fold_batchnorm(w, b, gamma, beta, mean, var)
    np.testing.assert_allclose(cols @ rn.conv_gemm_weight(wf) + bf, want, rtol=1e-10, atol=1e-10)


def test_conv_gemm_weight_k_order():
    # torch layout [N, Cin, R, S] -> W[(r*S + s)*Cin + c, n]
    w = np.arange(4 * 3 * 2 * 5).reshape(4, 3, 2, 5)
    g = rn.conv_gemm_weight(w)
    assert g.shape == (2 * 5 * 3, 4)
    for n in range(4):
        for c in range(3):
            for r in range(2):
                for s in range(5):
                    assert g[(r * 5 + s) * 3 + c, n] == w[n, c, r, s]
    with pytest.raises(ValueError, match="weight"):
        rn.conv_gemm_weight(np.zeros((3, 3)))


def test_gelu_values():
    x = np.array([-30.0, -3.0, -1.0, 0.0, 1.0, 3.0])
    want = [0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x]
    np.testing.assert_allclose(rn.gelu(x), want, rtol=1e-15, atol=0)
    assert rn.gelu(np.array([-0.7517915]))[0] == pytest.approx(-0.16997, abs=1e-5)  # GELU's minimum
    assert (rn.gelu(np.linspace(-8, -1e-6, 1000)) < 0).all()  # negatives are never exactly zero


def test_basic_tokens_and_wordpiece():
    assert rn._basic_tokens("Héllo,  WORLD!\tfoo-bar 中文") == [
        "hello",
        ",",
        "world",
        "!",
        "foo",
        "-",
        "bar",
        "中",
        "文",
    ]
    vocab = {"un": 0, "##aff": 1, "##able": 2, "aff": 3, "[UNK]": 4}
    assert rn._wordpiece("unaffable", vocab) == ["un", "##aff", "##able"]
    assert rn._wordpiece("xyz", vocab) == ["[UNK]"]
    assert rn._wordpiece("a" * 101, {"a": 0}) == ["[UNK]"]


def test_missing_package_message():
    with pytest.raises(ModuleNotFoundError, match=r"griffin-jax\[real\]"):
        rn._package_file("griffin_jax_no_such_package_xyz", "x")


def test_maxpool2():
    x = np.arange(2 * 4 * 4 * 3, dtype=float).reshape(2, 4, 4, 3)
    p = rn._maxpool2(x)
    assert p.shape == (2, 2, 2, 3)
    assert p[1, 0, 1, 2] == x[1, 0:2, 2:4, 2].max()


# ----------------------------------------------------------------- EasyOCR VGG16-BN (legacy pickle)


@pytest.mark.real
def test_vgg_weights_shapes(vgg):
    weights, _, _ = vgg
    cin = 3
    for name, idx, _ in rn.VGG16BN_CONVS:
        w = weights[f"features.{idx}.weight"]
        n = {"1": 64, "2": 128, "3": 256, "4": 512, "5": 512}[name[4]]
        assert w.shape == (n, cin, 3, 3) and w.dtype == np.float32, name
        assert weights[f"features.{idx}.bias"].shape == (n,)
        assert (weights[f"features.{idx + 1}.running_var"] > 0).all()
        assert np.isfinite(w).all() and w.std() > 0
        cin = n
    assert weights["features.1.num_batches_tracked"].dtype == np.int64


@pytest.mark.real
def test_vgg_forward_is_consistent(vgg):
    _, images, layers = vgg
    assert images.shape == (2, 32, 32, 3) and 0 <= images.min() and images.max() <= 255
    assert images.std() > 20  # real photos, not a flat crop
    sizes = [32, 32, 16, 16, 8, 8, 8, 4, 4, 4, 2, 2]
    for (name, a_in, wg, out), hw in zip(layers, sizes):
        assert a_in.shape[1:3] == (hw, hw) and out.shape[1:3] == (hw, hw), name
        assert a_in.shape[3] * 9 == wg.shape[0] and out.shape[3] == wg.shape[1]
    pools = [v[2] for v in rn.VGG16BN_CONVS[1:]]
    for (_, _, _, out), (_name, a_next, _, _), pool in zip(layers, layers[1:], pools):
        np.testing.assert_array_equal(a_next, rn._maxpool2(out) if pool else out)


@pytest.mark.real
def test_vgg_workload_masks(vgg):
    _, images, layers = vgg
    wl = rn.easyocr_vgg16bn_workload(images)
    assert [n for n, _, _ in wl] == [v[0] for v in rn.VGG16BN_CONVS]
    for (_name, a, w), (_, a_in, wg, _) in zip(wl, layers):
        b, h, wd, c = a_in.shape
        assert a.shape == (b * h * wd, 9 * c) and w.shape == wg.shape and a.shape[1] == w.shape[0]
        # the centre tap of the im2col is the map itself
        np.testing.assert_array_equal(a[:, 4 * c : 5 * c], (a_in != 0).reshape(-1, c))
        assert w.mean() > 0.99  # trained dense weights: (almost) no exact zeros
    dens = {name: a.mean() for name, a, _ in wl}
    assert dens["conv1_1"] > 0.95  # the normalised image has no real zeros
    for name, d in dens.items():
        if name != "conv1_1":
            assert 0.02 < d < 0.95, (name, d)  # ReLU zeros are real and plentiful
    # pruned masks at a density: exact per-layer count, largest magnitudes kept
    pruned = rn.easyocr_vgg16bn_workload(images, weight_density=0.25)
    for (name, _, w), (_, _, wg, _) in zip(pruned, layers):
        assert w.sum() == round(0.25 * w.size), name
        assert np.abs(wg[w]).min() >= np.abs(wg[~w]).max()


@pytest.mark.real
def test_recognizer_zip_checkpoint():
    _need(rn.EASYOCR_PACKAGE)
    sd = rn.easyocr_recognizer_weights()
    assert sd["module.FeatureExtraction.ConvNet.0.weight"].shape == (32, 1, 3, 3)
    assert all(np.isfinite(v).all() for v in sd.values() if v.dtype.kind == "f")


# ----------------------------------------------------------------- MiniLM (safetensors)


@pytest.mark.real
def test_minilm_weights(minilm):
    assert minilm["embeddings.word_embeddings.weight"].shape == (30522, 384)
    for i in range(rn.MINILM_LAYERS):
        assert minilm[f"encoder.layer.{i}.intermediate.dense.weight"].shape == (1536, 384)
        assert minilm[f"encoder.layer.{i}.output.dense.weight"].shape == (384, 1536)


@pytest.mark.real
def test_minilm_vocab_agrees_with_tokenizer_json(minilm):
    vocab = rn._minilm_vocab()
    tok_json = rn._package_file(rn.MINILM_PACKAGE, "model", "tokenizer.json")
    tj = json.loads(tok_json.read_text(encoding="utf-8"))
    assert tj["model"]["vocab"] == vocab
    assert vocab["[CLS]"] == 101 and vocab["[SEP]"] == 102 and len(vocab) == 30522
    toks = rn.minilm_tokens("Sparse accelerators skip zeros!")
    assert toks[0] == "[CLS]" and toks[-1] == "[SEP]" and "!" in toks
    assert all(t in vocab for t in toks)
    ids = rn.minilm_encode("Sparse accelerators skip zeros!")
    assert ids.tolist() == [vocab[t] for t in toks]


@pytest.mark.real
def test_minilm_embeddings_are_semantic(minilm):
    e = rn.minilm_embed(
        [
            "A man is playing a guitar.",
            "Someone is playing an instrument.",
            "The stock market fell sharply today.",
        ]
    )
    np.testing.assert_allclose(np.linalg.norm(e, axis=1), 1.0)
    sim = e @ e.T
    # a broken forward pass (wrong layout, masking, GELU, LayerNorm) loses this ordering
    assert sim[0, 1] > 0.4 and sim[0, 1] > sim[0, 2] + 0.3 and sim[1, 2] < 0.3


@pytest.mark.real
def test_minilm_sentences_do_not_mix(minilm):
    alone = rn.minilm_embed(["Rain is expected tonight."])
    batch = rn.minilm_embed(
        ["Rain is expected tonight.", "A completely different, much longer sentence."]
    )
    np.testing.assert_allclose(alone[0], batch[0], atol=1e-12)


@pytest.mark.real
def test_minilm_workload(minilm):
    sents = ["Rain is expected tonight.", "Sparse cores skip zero operands."]
    m = sum(len(rn.minilm_encode(s)) for s in sents)
    sign = rn.minilm_workload(sents)
    assert len(sign) == 6 * rn.MINILM_LAYERS
    for name, a, w in sign:
        assert a.shape[0] == m and a.shape[1] == w.shape[0], name
        if name.endswith("ffn.out"):
            assert a.shape[1] == 1536 and 0.05 < a.mean() < 0.5, (name, a.mean())
        else:
            assert a.mean() > 0.999, name  # LayerNorm outputs / attention contexts: no real zeros
    exact = {n: a for n, a, _ in rn.minilm_workload(sents, gelu_zero=0.0)}
    loose = {n: a for n, a, _ in rn.minilm_workload(sents, gelu_zero=0.05)}
    for name, a, _ in sign:
        if name.endswith("ffn.out"):
            assert exact[name].mean() > 0.999  # GELU outputs are (almost) never exactly zero
            assert (loose[name] <= exact[name]).all() and loose[name].mean() < exact[name].mean()
            # measured on real text: the ReLU-equivalent mask is far sparser than |GELU| > 0.05
            assert a.mean() < loose[name].mean()
    pruned = rn.minilm_workload(sents, weight_density=0.1)
    for name, _, w in pruned:
        assert w.sum() == round(0.1 * w.size), name


@pytest.mark.parametrize("bad", ["relu", -0.1, True])
def test_minilm_workload_rejects_bad_threshold(bad):
    with pytest.raises(ValueError, match="gelu_zero"):
        rn.minilm_workload(["x"], gelu_zero=bad)
