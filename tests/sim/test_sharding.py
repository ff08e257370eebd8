"""Designs and tiles shard over several devices with results identical to one device.

Runs in a subprocess because the number of host devices is fixed when JAX starts.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import FULL

SCRIPT = textwrap.dedent(
    """
    import json, sys, jax, numpy as np, griffin_jax as gj
    rng = np.random.default_rng(0)
    a = rng.random((61, 70)) < 0.5
    w = rng.random((70, 13)) < 0.4
    core = gj.Core(4, 4, 8)
    ds = [gj.Design(core, "AW", gj.Window.box(t, 1, g)) for t in (1, 2) for g in (0, 1)]
    ds += [gj.Design(core, "A", gj.Window.box(2, 1), "group"), gj.Design(core, "W")]
    out = {"n_devices": len(jax.devices())}
    for n in json.loads(sys.argv[1]):
        act = gj.gemm_activity_batch(ds, a, w, devices=jax.devices()[:n], chunk=4)
        out[n] = [act.cycles.tolist(), act.taken.tolist(), act.busy_group_cycles.tolist()]
    out["default"] = gj.simulate_gemm_batch(ds, a, w).tolist()
    out["ref"] = [gj.reference_gemm(d, a, w)["cycles"] for d in ds]
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_sharded_results_equal_single_device():
    # Small form: one device against three (an uneven split) with chunk 4, and the default
    # run on all four; full form: four devices with chunk 4 as well (each count compiles).
    counts = (1, 3, 4) if FULL else (1, 3)
    env = dict(
        os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4", JAX_PLATFORMS="cpu"
    )
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(counts)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["n_devices"] == 4
    for n in counts[1:]:
        assert out[str(n)] == out["1"], n
    assert out["1"][0] == out["ref"] == out["default"]
