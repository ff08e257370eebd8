"""The shipped digits masks, their lowering, and the training/pruning pipeline in a small form."""

from __future__ import annotations

import importlib.util
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from griffin_jax.workloads import (
    GemmLayer,
    Workload,
    _digits,
    digits_metadata,
    digits_variants,
    digits_workload,
    load,
)
from griffin_jax.workloads import _digits_model as dm

ROOT = pathlib.Path(__file__).resolve().parents[2]
FULL = os.environ.get("GRIFFIN_SLOW", "0") == "1"


def _script():
    spec = importlib.util.spec_from_file_location(
        "train_digits_masks", ROOT / "scripts" / "train_digits_masks.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------------------------ the shipped file


def test_shipped_file_is_small():
    data = ROOT / "griffin_jax" / "workloads" / "data"
    assert (data / "digits_masks.npz").stat().st_size < 400_000
    assert (data / "digits_masks.json").stat().st_size < 20_000


def _tuples(wl):
    return [(g.name, g.a_mask, g.w_mask) for g in wl]


def test_digits_workload_is_one_workload_of_gemm_layers():
    wl = digits_workload("p75", n_images=2)
    assert isinstance(wl, Workload) and wl.name == "digits_p75" and wl.category is None
    assert all(isinstance(g, GemmLayer) and g.network == "digits_p75" for g in wl)
    assert load("digits", variant="p75", n_images=2).layers[0].shape == wl.layers[0].shape
    with pytest.warns(DeprecationWarning, match="unpacking"):
        name, a, w = wl.layers[0]  # the older (name, a_mask, w_mask) form
    assert name == "conv1" and a is wl.layers[0].a_mask


@pytest.mark.parametrize("variant", digits_variants())
def test_shapes_match_metadata(variant):
    meta = digits_metadata()
    wl = _tuples(digits_workload(variant))
    assert [name for name, _, _ in wl] == ["conv1", "conv2", "conv3", "fc"]
    for (_name, a, w), layer in zip(wl, meta["layers"]):
        assert a.dtype == bool and w.dtype == bool
        assert a.shape == (layer["M"], layer["K"])
        assert w.shape == (layer["K"], layer["N"])
        assert a.shape[1] == w.shape[0]
    # a chain of layers: each N is the next layer's Cin
    for prev, nxt in zip(meta["layers"], meta["layers"][1:]):
        assert prev["N"] == nxt["Cin"]


@pytest.mark.parametrize("variant,density", [("p50", 0.5), ("p75", 0.25), ("p90", 0.1)])
def test_unstructured_density_is_exact(variant, density):
    for name, _, w in _tuples(digits_workload(variant)):
        assert w.sum() == round(density * w.size), name


def test_dense_weights_are_dense():
    for name, _, w in _tuples(digits_workload("dense")):
        assert w.mean() > 0.99, name


def test_two_of_four_along_k():
    for name, _, w in _tuples(digits_workload("2:4")):
        k = w.shape[0]
        full = k // 4 * 4
        counts = w[:full].reshape(-1, 4, w.shape[1]).sum(axis=1)
        assert (counts == 2).all(), name
        if k % 4:
            assert (w[full:].sum(axis=0) == min(2, k % 4)).all(), name


def test_accuracies_recorded_and_sane():
    meta = digits_metadata()
    acc = {v: meta["variants"][v]["accuracy"] for v in digits_variants()}
    assert acc["dense"] >= 0.95
    for v in ("p50", "p75", "2:4"):
        assert acc[v] >= 0.93, v
    assert acc["p90"] >= 0.9
    assert meta["dataset"]["n_test"] >= meta["dataset"]["mask_images"] >= 1
    for ref in ("gradual_pruning", "n_of_m", "dataset"):
        assert meta["references"][ref]


@pytest.mark.parametrize("variant", digits_variants())
def test_metadata_densities_match_masks(variant):
    meta = digits_metadata()
    rec = meta["variants"][variant]
    for (name, a, w), layer in zip(_tuples(digits_workload(variant)), meta["layers"]):
        assert w.mean() == pytest.approx(rec["w_density"][name], abs=1e-12)
        cin = layer["Cin"]
        if layer["kind"] == "conv":
            centre = (layer["R"] // 2) * layer["S"] + layer["S"] // 2  # the unpadded tap
            tap = a[:, centre * cin : (centre + 1) * cin]
            assert tap.mean() == pytest.approx(rec["a_density"][name], abs=1e-12)
        else:
            assert a.mean() == pytest.approx(rec["a_density"][name], abs=1e-12)


def test_input_zeros_are_real_and_shared():
    conv1 = [_tuples(digits_workload(v))[0][1] for v in digits_variants()]
    for a in conv1[1:]:
        assert (a == conv1[0]).all()
    dens = digits_metadata()["variants"]["dense"]["a_density"]["conv1"]
    assert 0.3 < dens < 0.8  # digits have a real zero background


def test_n_images_prefix():
    full = _tuples(digits_workload("p75"))
    few = _tuples(digits_workload("p75", n_images=3))
    for (n1, a1, w1), (n2, a2, w2) in zip(full, few):
        assert n1 == n2 and (w1 == w2).all()
        assert (a2 == a1[: a2.shape[0]]).all()
    assert few[0][1].shape[0] == 3 * 64 and few[-1][1].shape[0] == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"variant": "p60"},
        {"variant": "dense", "n_images": 0},
        {"variant": "dense", "n_images": 10**6},
        {"variant": "dense", "n_images": 1.5},
    ],
)
def test_bad_arguments(bad):
    with pytest.raises(ValueError, match="variant|n_images"):
        digits_workload(**bad)


def test_loading_needs_no_sklearn():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "from griffin_jax.workloads import _digits\n"
        "wl = _digits.digits_workload('p90')\n"
        "loaded = [m for m in sys.modules if sys.modules[m] is not None]\n"
        "assert len(wl) == 4 and 'sklearn' not in loaded\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


# ------------------------------------------------------------------------------ lowering


def test_im2col_k_order_single_pixel():
    x = np.zeros((1, 5, 5, 3), bool)
    x[0, 2, 3, 1] = True  # (h, w, c)
    cols = _digits.im2col(x, 3, 3, pad=1)
    assert cols.shape == (25, 27)
    rows, ks = np.nonzero(cols)
    for row, k in zip(rows, ks):
        ho, wo = divmod(row, 5)
        r, rem = divmod(k, 3 * 3)
        s, c = divmod(rem, 3)
        assert (ho + r - 1, wo + s - 1, c) == (2, 3, 1)  # k = (r*S + s)*Cin + c
    assert len(rows) == 9


def test_im2col_matches_a_direct_convolution():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 6, 7, 4))
    w = rng.normal(size=(3, 3, 4, 5))  # [R, S, Cin, N]
    got = (_digits.im2col(x, 3, 3, pad=1) @ w.reshape(-1, 5)).reshape(2, 6, 7, 5)
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    want = np.zeros_like(got)
    for r in range(3):
        for s in range(3):
            want += np.einsum("bhwc,cn->bhwn", xp[:, r : r + 6, s : s + 7], w[r, s])
    np.testing.assert_allclose(got, want, atol=1e-10)
    # stride and dilation shapes
    assert _digits.im2col(x, 3, 3, stride=2, pad=1).shape == (2 * 3 * 4, 36)
    assert _digits.im2col(x, 3, 3, dilation=2, pad=2).shape == (2 * 6 * 7, 36)


def test_im2col_rejects_bad_input():
    with pytest.raises(ValueError, match="x must be"):
        _digits.im2col(np.zeros((3, 3)), 1, 1)
    with pytest.raises(ValueError, match="pad"):
        _digits.im2col(np.zeros((1, 3, 3, 1)), 3, 3, pad=-1)
    with pytest.raises(ValueError, match="does not fit"):
        _digits.im2col(np.zeros((1, 2, 2, 1)), 3, 3)


def test_pack_roundtrip_and_length_check():
    rng = np.random.default_rng(1)
    m = rng.random((3, 5, 7)) < 0.3
    assert (_digits.unpack_bool(_digits.pack_bool(m), m.shape) == m).all()
    with pytest.raises(ValueError, match="packed mask"):
        _digits.unpack_bool(_digits.pack_bool(m), (3, 5, 9))


# ------------------------------------------------------------------------------ the pipeline


def test_zhu_gupta_schedule():
    assert dm.zhu_gupta_sparsity(0, 0.9, 100) == 0.0
    assert dm.zhu_gupta_sparsity(100, 0.9, 100) == pytest.approx(0.9)
    assert dm.zhu_gupta_sparsity(50, 0.9, 100) == pytest.approx(0.9 * (1 - 0.5**3))
    seq = [dm.zhu_gupta_sparsity(t, 0.75, 60) for t in range(0, 61, 10)]
    assert all(b >= a for a, b in zip(seq, seq[1:]))
    # the cubic prunes fast early and slowly late
    assert seq[1] - seq[0] > seq[-1] - seq[-2]
    with pytest.raises(ValueError, match="final"):
        dm.zhu_gupta_sparsity(0, 1.0, 10)


def test_magnitude_and_n_of_m_masks():
    rng = np.random.default_rng(2)
    w = rng.normal(size=(10, 6))
    m = dm.magnitude_mask(w, 0.3)
    assert m.sum() == 18
    assert np.abs(w[m]).min() >= np.abs(w[~m]).max()
    nm = dm.n_of_m_mask(w, 2, 4)
    assert (nm[:8].reshape(2, 4, 6).sum(1) == 2).all() and (nm[8:].sum(0) == 2).all()
    g = np.abs(w[:4])
    kept = np.where(nm[:4], g, np.inf).min(0)
    dropped = np.where(nm[:4], -np.inf, g).max(0)
    assert (kept >= dropped).all()
    assert (dm.n_of_m_mask(w[:9], 2, 4)[8:].sum(0) == 1).all()  # a group of one keeps it
    with pytest.raises(ValueError, match="density"):
        dm.magnitude_mask(w, 1.5)
    # ties are broken by flat index, exactly like a stable descending sort
    for _trial in range(50):
        v = rng.integers(-2, 3, size=int(rng.integers(1, 30))).astype(float)
        d = float(rng.random())
        ref = np.zeros(v.size, bool)
        ref[np.argsort(-np.abs(v), kind="stable")[: int(round(d * v.size))]] = True
        assert (dm.magnitude_mask(v, d) == ref).all()


def test_train_config_validates():
    with pytest.raises(ValueError, match="prune_every"):
        dm.TrainConfig(dense_steps=15, prune_every=10)
    with pytest.raises(ValueError, match="batch"):
        dm.TrainConfig(batch=0)


def _tiny_data():
    rng = np.random.default_rng(3)
    # Synthetic 8x8 "digits": class c lights up row c % 8 (plus noise), 0..16 integer pixels.
    y = rng.integers(0, 10, 96).astype(np.int32)
    img = rng.integers(0, 4, (96, 8, 8)) * (rng.random((96, 8, 8)) < 0.3)
    img[np.arange(96), y % 8, :] += 12
    img[y >= 8, :, 0] += 12
    return dm.scale_images(np.minimum(img, 16).reshape(96, 64)), y


def test_short_pipeline_is_deterministic_and_exact():
    cfg = dm.TrainConfig(
        seed=5, batch=16, dense_steps=20, prune_steps=20, prune_every=10, finetune_steps=10
    )
    x, y = _tiny_data()
    d1 = dm.train_dense(cfg, x, y)
    d2 = dm.train_dense(cfg, x, y)
    for k in d1:
        np.testing.assert_array_equal(np.asarray(d1[k]["w"]), np.asarray(d2[k]["w"]))
    p1, m1 = dm.prune_gradual(cfg, d1, x, y, 0.75)
    p2, m2 = dm.prune_gradual(cfg, d1, x, y, 0.75)
    for k in m1:
        assert (m1[k] == m2[k]).all()
        np.testing.assert_array_equal(np.asarray(p1[k]["w"]), np.asarray(p2[k]["w"]))
        assert m1[k].sum() == round(0.25 * m1[k].size)
        assert (np.asarray(p1[k]["w"])[~m1[k]] == 0).all()  # pruned weights stay pruned
    q, mq = dm.prune_n_of_m(cfg, d1, x, y)
    assert (mq["conv2"].reshape(-1, 4, 32).sum(1) == 2).all()
    maps = dm.activation_maps(q, mq, x[:4])
    assert {k: v.shape for k, v in maps.items()} == {
        "conv1": (4, 8, 8, 1),
        "conv2": (4, 8, 8, 16),
        "conv3": (4, 4, 4, 32),
        "fc": (4, 4, 4, 32),
    }
    assert (maps["conv1"] == (x[:4] != 0)).all()
    # a different seed gives a different model
    d3 = dm.train_dense(dm.TrainConfig(**{**cfg.__dict__, "seed": 6}), x, y)
    assert not np.array_equal(np.asarray(d1["conv1"]["w"]), np.asarray(d3["conv1"]["w"]))


def test_training_learns():
    cfg = dm.TrainConfig(seed=0, batch=16, dense_steps=200, prune_every=10)
    x, y = _tiny_data()
    params = dm.train_dense(cfg, x, y)
    ones = {k: np.ones(v["w"].shape, bool) for k, v in params.items()}
    assert dm.accuracy(params, ones, x, y) > 0.8  # chance is 0.1


@pytest.mark.slow
def test_script_end_to_end(tmp_path):
    """Small form: the script's pipeline on a tiny budget writes a pair the loader reads.
    Full form (GRIFFIN_SLOW=1, ~1-2 min): the default regeneration agrees with the shipped file."""
    pytest.importorskip("sklearn")
    script = _script()
    if FULL:
        cfg, n_img = dm.TrainConfig(), digits_metadata()["dataset"]["mask_images"]
    else:
        # batch and chunk as in the tests above: the compiled step is reused
        cfg, n_img = (
            dm.TrainConfig(
                batch=16, dense_steps=40, prune_steps=20, prune_every=10, finetune_steps=10
            ),
            5,
        )
    meta, input_map, maps, w_masks = script.build(cfg, mask_images=n_img, log=lambda *_: None)
    _digits.write_digits_masks(tmp_path, meta, input_map, maps, w_masks)
    for v in digits_variants():
        wl = _tuples(digits_workload(v, data_dir=tmp_path))
        assert [a.shape[0] for _, a, _ in wl] == [n_img * 64, n_img * 64, n_img * 16, n_img]
    assert "test acc" in script.format_table(meta)
    if FULL:
        shipped = digits_metadata()
        for v in digits_variants():
            new, old = meta["variants"][v], shipped["variants"][v]
            assert new["w_density"] == old["w_density"]
            assert abs(new["accuracy"] - old["accuracy"]) <= 0.02, v
            a_new = _tuples(digits_workload(v, data_dir=tmp_path))
            a_old = _tuples(digits_workload(v))
            for (_, an, _), (_, ao, _) in zip(a_new, a_old):
                assert (an == ao).mean() > 0.9


@pytest.mark.parametrize("n_images", [True, 2.0, "2", np.float64(2.0)])
def test_n_images_must_be_an_integer(n_images):
    with pytest.raises(ValueError, match="n_images"):
        digits_workload("dense", n_images=n_images)
    assert len(_tuples(digits_workload("dense", n_images=np.int64(2)))[0][1]) == len(
        _tuples(digits_workload("dense", n_images=2))[0][1]
    )
