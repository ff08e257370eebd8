"""Model categories, per-layer profiles and whole-network workloads."""

import time

import numpy as np
import pytest

from griffin_jax.workloads import (
    CATEGORIES,
    DEFAULT_A_DENSITY,
    DEFAULT_W_DENSITY,
    PROFILES,
    GemmLayer,
    Layer,
    Profile,
    conv_gemm,
    get_profile,
    iter_workload,
    layer_masks,
    linear_gemm,
    network,
    network_layers,
    network_workload,
    uniform_profile,
    workload_densities,
)
from griffin_jax.workloads._profiles import HAN2015_ALEXNET, HAN2015_VGG16

CONV = conv_gemm("c", 28, 28, 64, 64, 3, relu_input=True)
FC = linear_gemm("fc", 64, 512, 256)


def test_categories_and_defaults():
    assert CATEGORIES == ("dense", "W", "A", "AW")
    assert DEFAULT_A_DENSITY == pytest.approx(1 - 0.44)  # Cnvlutin: 44% zeros on average
    # Median of the 13 VGG-16 conv layers' kept weights in Han et al. (conv4_3: 34%).
    assert DEFAULT_W_DENSITY == 0.34


@pytest.mark.parametrize("category", CATEGORIES)
def test_layer_masks_follow_the_category(category):
    a, w = layer_masks(CONV, category, 0)
    assert a.shape == (CONV.M, CONV.K) and w.shape == (CONV.K, CONV.N)
    assert a.dtype == bool and w.dtype == bool
    a_sparse, w_sparse = category in ("A", "AW"), category in ("W", "AW")
    assert a.all() != a_sparse and w.all() != w_sparse
    if w_sparse:
        assert abs(w.mean() - DEFAULT_W_DENSITY) < 0.02
    if a_sparse:
        # Zero padding of the 3x3 conv adds zeros, so the GEMM density is a little lower.
        assert DEFAULT_A_DENSITY - 0.04 < a.mean() <= DEFAULT_A_DENSITY + 0.01


def test_layer_masks_determinism_and_independence():
    a1, w1 = layer_masks(FC, "AW", 11)
    a2, w2 = layer_masks(FC, "AW", 11)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(w1, w2)
    a3, w3 = layer_masks(FC, "AW", 12)
    assert not np.array_equal(a1, a3) and not np.array_equal(w1, w3)
    # The weight stream does not depend on the activation settings.
    _, w4 = layer_masks(FC, "AW", 11, a_density=0.2, a_pattern="bernoulli")
    np.testing.assert_array_equal(w1, w4)


def test_layer_masks_options():
    a, w = layer_masks(CONV, "AW", 0, a_density=0.3, w_density=0.6, a_pattern="bernoulli")
    assert abs(a.mean() - 0.3) < 0.01 and abs(w.mean() - 0.6) < 0.02
    _, w = layer_masks(CONV, "A", 0, w_pattern="2:4")
    assert w.all()  # the category keeps weights dense whatever their pruning pattern
    _, w = layer_masks(CONV, "W", 0, w_pattern="2:4")
    assert np.all(w.reshape(-1, 4, CONV.N).sum(axis=1) == 2)
    _, w = layer_masks(CONV, "W", 0, w_pattern="1:4", w_density=0.25)
    assert w.mean() == 0.25
    _, w = layer_masks(CONV, "W", 0, w_pattern="channel_out", w_density=0.5)
    assert w.all(axis=0).sum() == 32 and (w.all(axis=0) | ~w.any(axis=0)).all()
    _, w = layer_masks(CONV, "W", 0, w_pattern="channel_in", w_density=0.25)
    rows = w.all(axis=1)
    np.testing.assert_array_equal(rows, np.tile(rows[:64], 9))  # same channels at every (r, s)
    assert rows[:64].sum() == 16
    _, w = layer_masks(CONV, "W", 0, w_pattern="block", w_density=0.5, block=(8, 8))
    assert w.mean() == 0.5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(category="X"), "category"),
        (dict(category="W", a_density=0.5), "a_density"),
        (dict(category="A", w_density=0.5), "w_density"),
        (dict(category="AW", a_density=1.5), "a_density"),
        (dict(category="AW", w_pattern="2:4", w_density=0.3), "contradicts"),
        (dict(category="AW", w_pattern="diagonal"), "w_pattern"),
        (dict(category="AW", a_pattern="stripes"), "a_pattern"),
    ],
)
def test_layer_masks_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        layer_masks(CONV, seed=0, **kwargs)


def test_matmul_second_operand_is_an_activation():
    qk = Layer("qk", 64, 64, 32, groups=4, kind="matmul")
    a, w = layer_masks(qk, "W", 0)
    assert a.all() and w.all()  # nothing to prune
    a, w = layer_masks(qk, "A", 0, a_density=0.4)
    assert abs(a.mean() - 0.4) < 0.02 and abs(w.mean() - 0.4) < 0.05


def test_clustered_activations_stay_clumpy_after_lowering():
    """Adjacent output pixels share most of their 3x3 windows: compare with Bernoulli."""

    def row_agreement(a):
        return np.mean(a[1:] == a[:-1])  # consecutive m = horizontally adjacent outputs

    clustered, _ = layer_masks(CONV, "A", 0, a_density=0.5)
    bern, _ = layer_masks(CONV, "A", 0, a_density=0.5, a_pattern="bernoulli")
    assert row_agreement(clustered) > row_agreement(bern) + 0.1


# -- profiles ---------------------------------------------------------------------------------


@pytest.mark.parametrize("table", [HAN2015_VGG16, HAN2015_ALEXNET])
def test_han_table_columns_are_consistent(table):
    """FLOP% = Weights% x input density (previous Act%), within the rounding of whole percents.

    This checks both the transcription and our reading of Act% as each layer's output density.
    """
    prev = 100
    for name, _, act, wts, flop in table:
        slack = 0.5 + 0.5 * (wts + prev) / 100  # each factor is rounded to 0.5 percent point
        assert abs(wts * prev / 100 - flop) <= slack, name
        prev = act


def test_profiles_exact_on_the_measured_network():
    layers = network("vgg16")
    w = get_profile("han2015_vgg16_w").densities(layers, "vgg16")
    assert w == tuple(r[3] / 100 for r in HAN2015_VGG16)
    a = get_profile("han2015_vgg16_act").densities(layers, "vgg16")
    assert a[0] == 1.0 and a[1:] == tuple(r[2] / 100 for r in HAN2015_VGG16[:-1])


def test_profiles_interpolate_to_other_networks():
    layers = network("resnet50")
    a = np.array(get_profile("han2015_vgg16_act").densities(layers, "resnet50"))
    w = np.array(get_profile("han2015_vgg16_w").densities(layers, "resnet50"))
    assert a[0] == 1.0 and a[-1] == 1.0  # image input; globally pooled classifier input
    assert w[0] == 0.58 and w[-1] == 0.23  # measured first and last layer
    inner = a[1:-1]
    assert inner.min() >= 0.19 and inner.max() <= 0.89
    # Activation density falls with depth: the deep half is sparser than the shallow half.
    half = len(inner) // 2
    assert inner[half:].mean() < inner[:half].mean() - 0.15
    # Transformers have no ReLU inputs: dense under an activation profile.
    assert set(get_profile("han2015_alexnet_act").densities(network("bert_base"))) == {1.0}


def test_profile_averages_repeated_instances():
    p = Profile("ramp", "W", curve=(1.0, 0.0), source="test")
    rep = Layer("r", 4, 4, 4, count=3, depth=(0.0, 1.0))
    mid = Layer("m", 4, 4, 4, depth=(0.25, 0.25))
    assert p.densities([mid, rep]) == pytest.approx((0.75, 0.5))
    u = uniform_profile(0.3, first=1.0)
    assert u.densities(network("mobilenet_v2"))[:2] == (1.0, 0.3)
    with pytest.raises(ValueError, match="operand"):
        Profile("x", "B", curve=(0.5,), source="t")
    with pytest.raises(ValueError, match="profile"):
        get_profile("nope")
    assert set(PROFILES) >= {"han2015_vgg16_act", "han2015_vgg16_w", "han2015_alexnet_w"}


# -- whole networks ---------------------------------------------------------------------------


def _masks_of(gen):
    return [(g.spec, g.a_mask, g.w_mask) for g in gen]


def test_network_layers_shapes_and_determinism():
    wl = _masks_of(network_layers("mobilenet_v2", "AW", 3))
    layers = network("mobilenet_v2")
    assert [l for l, _, _ in wl] == list(layers)
    for l, a, w in wl:
        assert a.shape == (l.M, l.K) and w.shape == (l.K, l.N)
    again = _masks_of(network_layers(layers[:8], "AW", 3))  # same masks from the layer list
    assert all(
        np.array_equal(a1, a2) and np.array_equal(w1, w2)
        for (_, a1, w1), (_, a2, w2) in zip(wl, again)
    )
    other = _masks_of(network_layers(layers[:8], "AW", 4))
    assert not np.array_equal(other[5][1], wl[5][1])
    g = _masks_of(network_layers(layers[:3], "W", np.random.default_rng(1)))
    g2 = _masks_of(network_layers(layers[:3], "W", np.random.default_rng(1)))
    assert all(np.array_equal(x[2], y[2]) for x, y in zip(g, g2))


def test_network_layers_are_gemm_layers_of_their_category():
    first = next(network_layers("resnet50", "W", 0))
    assert isinstance(first, GemmLayer) and first.category == "W"
    assert (first.network, first.name, first.multiplicity) == ("resnet50", "conv1", 1)
    assert first.a_mask.all() and not first.w_mask.all()  # W: activations dense
    assert first.shape == (first.spec.M, first.spec.K, first.spec.N)


def test_old_tuple_producers_warn_and_still_work():
    with pytest.warns(DeprecationWarning, match="network_layers"):
        layer, a, w = next(iter_workload("resnet50", "AW", 0))
    ref = next(network_layers("resnet50", "AW", 0))
    assert layer == ref.spec and np.array_equal(a, ref.a_mask) and np.array_equal(w, ref.w_mask)
    with pytest.warns(DeprecationWarning, match="load"):
        wl = network_workload(network("resnet50")[:2], "AW", 0)
    assert [l.name for l, _, _ in wl] == ["conv1", network("resnet50")[1].name]


def test_workload_with_profiles():
    dens = workload_densities(
        network("vgg16"),
        "AW",
        a_profile="han2015_vgg16_act",
        w_profile="han2015_vgg16_w",
        network="vgg16",
    )
    assert dens[0] == (1.0, 0.58) and dens[-1] == (0.42, 0.23)
    # Stop before fc6 (100 MB of mask): network_layers only builds the layers that are pulled.
    gen = network_layers("vgg16", "W", 0, w_profile="han2015_vgg16_w")
    it = ((g.spec, g.a_mask, g.w_mask) for g in gen)
    for row, (l, a, w) in zip(HAN2015_VGG16[:13], it):
        assert a.all()
        if l.K * l.N > 10_000:  # large enough for the binomial spread to stay under 0.02
            assert abs(w.mean() - row[3] / 100) < 0.02
    with pytest.raises(ValueError, match="not both"):
        workload_densities(network("vgg16"), "AW", a_profile="han2015_vgg16_act", a_density=0.5)
    with pytest.raises(ValueError, match="operand"):
        workload_densities(network("vgg16"), "AW", a_profile="han2015_vgg16_w")
    with pytest.raises(ValueError, match="dense"):
        workload_densities(network("vgg16"), "W", a_profile="han2015_vgg16_act")


def test_network_layers_are_lazy_and_resnet50_is_fast():
    it = network_layers("resnet50", "AW", 0)
    assert next(it).name == "conv1"
    t0 = time.perf_counter()
    wl = _masks_of(network_layers("resnet50", "AW", 0))
    assert time.perf_counter() - t0 < 5.0
    assert sum(a.nbytes + w.nbytes for _, a, w in wl) < 64e6
