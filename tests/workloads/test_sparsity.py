"""Seeded sparsity generators: realised densities, exact structure, determinism."""

import numpy as np
import pytest

from griffin_jax.workloads import (
    bernoulli_mask,
    block_mask,
    channel_mask,
    clustered_activation_map,
    nm_mask,
    parse_nm,
)


def _binomial_ok(mask, p, sigmas=5.0):
    n = mask.size
    assert abs(mask.sum() - p * n) <= sigmas * np.sqrt(n * p * (1 - p)) + 1


@pytest.mark.parametrize("p", [0.1, 0.35, 0.5, 0.9])
def test_bernoulli_density_and_determinism(p):
    m = bernoulli_mask((300, 200), p, 7)
    assert m.shape == (300, 200) and m.dtype == bool
    _binomial_ok(m, p)
    np.testing.assert_array_equal(m, bernoulli_mask((300, 200), p, 7))
    assert not np.array_equal(m, bernoulli_mask((300, 200), p, 8))
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(bernoulli_mask(50, p, g1), bernoulli_mask(50, p, g2))


def test_bernoulli_extremes_and_errors():
    assert not bernoulli_mask((10, 10), 0.0, 0).any()
    assert bernoulli_mask((10, 10), 1.0, 0).all()
    for bad in (-0.1, 1.01, float("nan"), "0.5", True):
        with pytest.raises(ValueError, match="density"):
            bernoulli_mask((4, 4), bad, 0)
    for bad in (-1, 1.5, "x", None):
        with pytest.raises(ValueError, match="seed"):
            bernoulli_mask((4, 4), 0.5, bad)
    with pytest.raises(ValueError, match="shape"):
        bernoulli_mask((4, 0), 0.5, 0)


@pytest.mark.parametrize("n_keep, m", [(2, 4), (1, 4), (2, 8), (8, 16), (3, 3)])
def test_nm_mask_structure_is_exact(n_keep, m):
    k, n = 8 * m, 37
    mask = nm_mask(k, n, n_keep, m, 1)
    assert mask.shape == (k, n) and mask.dtype == bool
    per_group = mask.reshape(k // m, m, n).sum(axis=1)
    assert np.all(per_group == n_keep)
    assert mask.mean() == n_keep / m
    np.testing.assert_array_equal(mask, nm_mask(k, n, n_keep, m, 1))
    assert n_keep == m or not np.array_equal(mask, nm_mask(k, n, n_keep, m, 2))


def test_nm_mask_picks_positions_uniformly():
    """Every position of a group is kept with probability n/m (both code paths)."""
    for n_keep, m in ((2, 4), (2, 8), (8, 16)):  # 8:16 has too many subsets for the table path
        mask = nm_mask(m * 400, 50, n_keep, m, 0)
        freq = mask.reshape(400, m, 50).mean(axis=(0, 2))  # 20000 draws per position
        p = n_keep / m
        assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / 20000))


def test_nm_mask_tail_when_k_is_not_a_multiple_of_m():
    # k = 10, m = 4: groups [0:4], [4:8] keep 2 each; the tail [8:10] (zero-padded to 4) keeps
    # min(2, 2) = 2, i.e. both rows.
    mask = nm_mask(10, 6, 2, 4, 0)
    assert np.all(mask[:8].reshape(2, 4, 6).sum(axis=1) == 2)
    assert mask[8:].all()
    # 1:4 with a tail of 3: exactly one of the 3 tail rows.
    mask = nm_mask(7, 6, 1, 4, 0)
    assert np.all(mask[:4].sum(axis=0) == 1) and np.all(mask[4:].sum(axis=0) == 1)
    # k smaller than m: a single padded group.
    assert np.all(nm_mask(3, 5, 2, 8, 0).sum(axis=0) == 2)


def test_nm_errors_and_parse():
    assert parse_nm("2:4") == (2, 4) and parse_nm("1:8") == (1, 8)
    for bad in ("2-4", "5:4", "0:4", "a:b"):
        with pytest.raises(ValueError, match="N:M"):
            parse_nm(bad)
    with pytest.raises(ValueError, match="n_keep"):
        nm_mask(8, 4, 5, 4, 0)


@pytest.mark.parametrize(
    "shape, block, d", [((64, 48), (4, 4), 0.25), ((30, 20), (4, 3), 0.5), ((16, 16), (1, 16), 0.4)]
)
def test_block_mask(shape, block, d):
    mask = block_mask(shape, block, d, 5)
    assert mask.shape == shape
    b0, b1 = block
    nb0, nb1 = -(-shape[0] // b0), -(-shape[1] // b1)
    padded = np.zeros((nb0 * b0, nb1 * b1), bool)
    padded[: shape[0], : shape[1]] = mask
    blocks = padded.reshape(nb0, b0, nb1, b1)
    kept = blocks[:, 0, :, 0]
    # Each block is constant over its (cropped) extent, and exactly round(d * n_blocks) are kept.
    for i in range(nb0):
        for j in range(nb1):
            cell = mask[i * b0 : (i + 1) * b0, j * b1 : (j + 1) * b1]
            assert cell.all() or not cell.any()
    assert kept.sum() == round(d * nb0 * nb1)
    np.testing.assert_array_equal(mask, block_mask(shape, block, d, 5))


def test_channel_masks():
    out = channel_mask(27, 10, 0.3, 0, axis="out")
    assert np.all(out.all(axis=0) | ~out.any(axis=0))  # whole columns
    assert out.all(axis=0).sum() == 3
    inn = channel_mask(27, 10, 2 / 3, 0, axis="in", cin=3)  # 3x3 kernel, 3 input channels
    rows = inn.all(axis=1)
    assert np.all(inn.all(axis=1) | ~inn.any(axis=1))
    kept = np.flatnonzero(rows[:3])
    assert len(kept) == 2
    np.testing.assert_array_equal(rows, np.isin(np.arange(27) % 3, kept))
    with pytest.raises(ValueError, match="cin"):
        channel_mask(10, 4, 0.5, 0, axis="in", cin=3)
    with pytest.raises(ValueError, match="axis"):
        channel_mask(10, 4, 0.5, 0, axis="both")


def _neighbour_correlation(x):
    """Correlation of horizontally adjacent pixels of a [H, W, C] mask."""
    a = x[:, :-1, :].ravel().astype(float)
    b = x[:, 1:, :].ravel().astype(float)
    return np.corrcoef(a, b)[0, 1]


@pytest.mark.parametrize("d", [0.2, 0.56, 0.8])
def test_clustered_map_density_is_exact(d):
    x = clustered_activation_map(28, 28, 16, d, 0)
    assert x.shape == (28, 28, 16) and x.dtype == bool
    assert x.sum() == round(d * x.size)
    np.testing.assert_array_equal(x, clustered_activation_map(28, 28, 16, d, 0))
    assert not np.array_equal(x, clustered_activation_map(28, 28, 16, d, 1))


def test_clustered_map_is_clumpier_than_bernoulli():
    d = 0.5
    bern = bernoulli_mask((32, 32, 32), d, 0)
    r_bern = _neighbour_correlation(bern)
    r = [
        _neighbour_correlation(clustered_activation_map(32, 32, 32, d, 0, sigma=s))
        for s in (0.0, 1.0, 2.0, 4.0)
    ]
    assert abs(r_bern) < 0.05 and abs(r[0]) < 0.05  # sigma 0: independent pixels
    assert r[1] > 0.3 and r[1] < r[2] < r[3]  # clumpiness grows with sigma
    # Channels stay independent of each other (clumps are spatial).
    x = clustered_activation_map(32, 32, 32, d, 0, sigma=2.0)
    a, b = x[..., :-1].ravel().astype(float), x[..., 1:].ravel().astype(float)
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.05


def test_clustered_map_channel_spread_and_batch():
    flat = clustered_activation_map(16, 16, 64, 0.5, 0, sigma=1.0)
    spread = clustered_activation_map(16, 16, 64, 0.5, 0, sigma=1.0, channel_spread=1.0)
    assert spread.sum() == flat.sum()
    assert spread.mean(axis=(0, 1)).std() > 2 * flat.mean(axis=(0, 1)).std()
    xb = clustered_activation_map(7, 7, 4, 0.3, 0, batch=3)
    assert xb.shape == (3, 7, 7, 4) and xb.sum() == round(0.3 * xb.size)
    # Tiny maps (kernel radius larger than the map) still work.
    assert clustered_activation_map(2, 3, 1, 0.5, 0, sigma=4.0).sum() == 3
    with pytest.raises(ValueError, match="sigma"):
        clustered_activation_map(4, 4, 4, 0.5, 0, sigma=-1.0)
    with pytest.raises(ValueError, match="density"):
        clustered_activation_map(4, 4, 4, 1.5, 0)
