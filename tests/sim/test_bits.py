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
