"""Lane bit-packing and rotation against numpy on bool arrays."""

import jax.numpy as jnp
import numpy as np
import pytest

from griffin_jax.sim import _bits


@pytest.mark.parametrize("lanes", [1, 2, 7, 16, 31, 32, 33, 48, 63, 64])
def test_rotations_match_numpy_roll(lanes, rng):
    bits = rng.random((5, lanes)) < 0.5
    words = jnp.asarray(_bits.pack_lanes_np(bits, lanes))
    mask = jnp.asarray(_bits.lane_mask(lanes))
    for s in range(lanes):
        down = np.asarray(_bits.rotate_down(words, s, lanes, mask))
        # out lane l = in lane (l + s) % L
        assert (down == _bits.pack_lanes_np(np.roll(bits, -s, axis=1), lanes)).all(), s
        up = np.asarray(_bits.rotate_up(words, s, lanes, mask))
        assert (up == _bits.pack_lanes_np(np.roll(bits, s, axis=1), lanes)).all(), s


def test_pack_layout_and_popcount(rng):
    bits = rng.random((3, 40)) < 0.3
    words = _bits.pack_lanes_np(bits, 40)
    assert words.shape == (3, 2) and words.dtype == np.uint32
    assert (words[:, 1] >> 8 == 0).all()  # bits >= L stay zero
    assert (np.asarray(_bits.popcount(jnp.asarray(words))).sum(1) == bits.sum(1)).all()
    assert _bits.pack_lanes_np(np.eye(33, dtype=bool)[32], 33).tolist() == [0, 1]


@pytest.mark.parametrize("lanes", [1, 3, 8, 9, 31, 32, 33, 64, 65])
def test_pack_matches_a_bit_by_bit_reference(lanes, rng):
    """Limb w of the packed words is sum(bit[32 w + b] << b), for every lane count (including
    the one-lane and part-byte cases the byte-wise packing pads)."""
    bits = rng.random((2, 3, lanes)) < 0.5
    words = _bits.pack_lanes_np(bits, lanes)
    nw = -(-lanes // 32)
    assert words.shape == (2, 3, nw) and words.dtype == np.uint32
    ref = np.zeros((2, 3, nw), np.uint64)
    for lane in range(lanes):
        ref[..., lane // 32] |= bits[..., lane].astype(np.uint64) << np.uint64(lane % 32)
    assert (words == ref).all()


def _fields_np(bits, lanes, fields):
    """bool [n, fields, lanes] -> uint32 [n]: field f in bits f*L .. f*L + L - 1."""
    out = np.zeros(bits.shape[0], np.uint64)
    for f in range(fields):
        for l in range(lanes):
            out |= bits[:, f, l].astype(np.uint64) << np.uint64(f * lanes + l)
    return out.astype(np.uint32)


@pytest.mark.parametrize(
    "lanes,fields", [(1, 32), (1, 5), (3, 10), (5, 6), (8, 4), (16, 2), (15, 2), (4, 1)]
)
def test_field_rotations_and_counts_match_numpy(lanes, fields, rng):
    bits = rng.random((64, fields, lanes)) < 0.3
    bits[:4] = False  # some all-empty words
    bits[4, :, :] = True
    words = jnp.asarray(_fields_np(bits, lanes, fields))
    rep, full, top = _bits.field_masks(lanes, fields)
    for s in range(lanes):
        down = np.asarray(_bits.field_rotate_down(words, s, lanes, rep, full))
        assert (down == _fields_np(np.roll(bits, -s, axis=2), lanes, fields)).all(), s
        up = np.asarray(_bits.field_rotate_up(words, s, lanes, rep, full))
        assert (up == _fields_np(np.roll(bits, s, axis=2), lanes, fields)).all(), s
    counts = np.asarray(_bits.nonzero_fields(words, rep, top))
    assert (counts == bits.any(axis=2).sum(1)).all()


def test_field_masks_reject_overflow():
    with pytest.raises(ValueError, match="do not fit"):
        _bits.field_masks(16, 3)


@pytest.mark.parametrize(
    "blocks,lanes,fields,rows",
    [
        (8, 16, 2, 4),
        (8, 8, 4, 2),
        (8, 5, 4, 2),
        (5, 5, 5, 1),
        (1, 4, 1, 1),
        (8, 32, 1, 8),
        (3, 16, 2, 2),
        (40, 1, 20, 2),
    ],
)
def test_tile_shape_packs_blocks_into_the_fewest_words(blocks, lanes, fields, rows):
    from griffin_jax.sim._kernel import TileShape

    shape = TileShape(blocks=blocks, groups=3, lanes=lanes, depth_cap=4)
    assert (shape.fields, shape.word_blocks) == (fields, rows)
