"""Print the paper-claims report (docs/model.md section 5) as Markdown.

    python scripts/claims_report.py                       # synthetic GEMMs, 45 nm
    python scripts/claims_report.py --tech scaled16       # the derived 16 nm node
    python scripts/claims_report.py --networks resnet50 --max-layers 4   # network layer tables

Synthetic workloads (default): two small networks of GEMMs per category with independent
Bernoulli masks at the project's default densities (activations ``DEFAULT_A_DENSITY``, weights
``DEFAULT_W_DENSITY`` from ``griffin_jax.workloads``, which cites their sources), plus a 2:4
structured weight-only network so that the 2:4 datapath meets the weights it was built for.
Densities are inputs, not tuned: change them with --a-density / --w-density.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np

from griffin_jax.study import claims_report
from griffin_jax.workloads import CATEGORIES, GemmLayer, Workload

# (layer name, M, K, N, multiplicity): small conv-like and fc-like GEMMs.
SYNTH = {
    "synth_cnn": [("conv3x3", 196, 576, 64, 2), ("conv1x1", 196, 256, 128, 1)],
    "synth_mlp": [("fc1", 32, 512, 256, 1), ("fc2", 32, 1024, 128, 1)],
}


def _defaults():
    try:
        from griffin_jax.workloads import DEFAULT_A_DENSITY, DEFAULT_W_DENSITY
    except ImportError:  # the workloads package is optional for this script
        return 0.56, 0.34
    return DEFAULT_A_DENSITY, DEFAULT_W_DENSITY


def _nm24(rng, K, N):
    """Weights with exactly 2 nonzeros in every aligned group of 4 along K."""
    pad = -(-K // 4) * 4
    mask = np.zeros((pad // 4, 4, N), bool)
    for g in range(pad // 4):
        for n in range(N):
            mask[g, rng.choice(4, 2, replace=False), n] = True
    return mask.reshape(pad, N)[:K]


def synthetic_workloads(seed: int, a_density: float, w_density: float):
    rng = np.random.default_rng(seed)
    out = []
    for cat in CATEGORIES:
        a_on, w_on = cat in ("A", "AW"), cat in ("W", "AW")
        nets = dict(SYNTH)
        if cat == "W":
            nets["synth_cnn_2to4"] = SYNTH["synth_cnn"]
        for net, shapes in nets.items():
            layers = []
            for name, M, K, N, mult in shapes:
                a = rng.random((M, K)) < a_density if a_on else np.ones((M, K), bool)
                if net.endswith("2to4"):
                    w = _nm24(rng, K, N)
                else:
                    w = rng.random((K, N)) < w_density if w_on else np.ones((K, N), bool)
                layers.append(GemmLayer(name, a, w, mult))
            out.append(Workload(net, layers, cat))
    return out


def network_workloads(names, seed: int, max_layers: int):
    from griffin_jax.workloads import network_workload

    out = []
    for cat in CATEGORIES:
        for net in names:
            rows = network_workload(net, cat, seed)[:max_layers]
            out.append(
                Workload(
                    net,
                    [
                        GemmLayer(layer.name, a, w, layer.groups * layer.count)
                        for layer, a, w in rows
                    ],
                    cat,
                )
            )
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tech", default="horowitz45")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--a-density", type=float, default=None)
    p.add_argument("--w-density", type=float, default=None)
    p.add_argument(
        "--networks",
        nargs="*",
        default=None,
        help="network names from griffin_jax.workloads.NETWORKS instead of synthetic",
    )
    p.add_argument("--max-layers", type=int, default=3)
    p.add_argument("--tolerance", type=float, default=0.2)
    p.add_argument("--json", default=None, help="also write the rows to this JSON file")
    args = p.parse_args(argv)
    a_d, w_d = _defaults()
    a_d = a_d if args.a_density is None else args.a_density
    w_d = w_d if args.w_density is None else args.w_density
    t0 = time.time()
    if args.networks:
        workloads = network_workloads(args.networks, args.seed, args.max_layers)
        source = f"networks {args.networks} (first {args.max_layers} layers)"
    else:
        workloads = synthetic_workloads(args.seed, a_d, w_d)
        source = f"synthetic GEMMs, a_density={a_d}, w_density={w_d}, seed={args.seed}"
    rep = claims_report(workloads, tech=args.tech, tolerance=args.tolerance)
    print(f"# Griffin claims report\n\nWorkloads: {source}.\n")
    print(rep.markdown())
    print(f"\n({time.time() - t0:.0f} s)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "claims": [
                        dict(
                            r,
                            paper=list(r["paper"]) if isinstance(r["paper"], tuple) else r["paper"],
                        )
                        for r in rep.claims
                    ],
                    "table": list(rep.table),
                    "tech": rep.tech,
                    "source": source,
                },
                fh,
                indent=1,
            )
    return rep


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 1)
