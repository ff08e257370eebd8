"""The optional persistent compilation cache fills on a first process and serves a second."""

import os
import subprocess
import sys

import pytest

import griffin_jax as gj

CHILD = r"""
import sys, numpy as np, griffin_jax as gj
gj.sim.enable_compilation_cache(sys.argv[1])
rng = np.random.default_rng(0)
a, w = rng.random((9, 20)) < 0.5, rng.random((20, 5)) < 0.5
print(gj.simulate_gemm_batch([gj.Design(gj.Core(2, 2, 4), "AW", gj.Window.box(1, 1))], a, w)[0])
"""


def test_cache_fills_and_is_reused(tmp_path):
    cache = tmp_path / "xla"
    runs = [
        subprocess.run(
            [sys.executable, "-c", CHILD, str(cache)], capture_output=True, text=True, timeout=300
        )
        for _ in range(2)
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr[-2000:]
    assert runs[0].stdout == runs[1].stdout
    assert os.listdir(cache)


def test_cache_rejects_bad_path():
    with pytest.raises(ValueError, match="path"):
        gj.sim.enable_compilation_cache("")
