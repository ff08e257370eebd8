"""Regenerate griffin_jax/workloads/data/digits_masks.{npz,json} (needs scikit-learn).

Trains the small ReLU CNN of ``griffin_jax.workloads._digits_model`` on scikit-learn's bundled
digits (no download) on the CPU, prunes it to 50/75/90% (Zhu & Gupta gradual magnitude pruning
with fine-tuning) and 2:4, records every model's test accuracy, and stores the weight masks and
the ReLU activation masks of held-out test images. Same seed, same library versions and same CPU
give the same file; the accuracy table is printed.

    python scripts/train_digits_masks.py                 # rewrites the shipped files
    python scripts/train_digits_masks.py --out /tmp/x    # writes elsewhere
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import pathlib
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")  # the recorded numbers are CPU numbers

import jax  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from griffin_jax.workloads import _digits  # noqa: E402
from griffin_jax.workloads import _digits_model as dm

GENERATOR_VERSION = 1
TARGETS = {"dense": 1.0, "p50": 0.5, "p75": 0.25, "p90": 0.1, "2:4": 0.5}
REFERENCES = {
    "dataset": "scikit-learn load_digits: UCI Optical Recognition of Handwritten Digits "
    "(Alpaydin & Kaynak 1998), 1797 8x8 images, intensities 0..16",
    "gradual_pruning": "Zhu & Gupta, To prune, or not to prune, arXiv:1710.01878 (2017), eq. 1",
    "n_of_m": "Mishra et al., Accelerating Sparse Deep Neural Networks, arXiv:2104.08378 (2021)",
}


def build(
    cfg: dm.TrainConfig,
    *,
    test_fraction: float = 0.2,
    mask_images: int = 256,
    split_seed: int = 0,
    log=print,
):
    """Run the whole pipeline; returns (metadata, input_map, maps, w_masks)."""
    import sklearn
    from sklearn.datasets import load_digits

    digits = load_digits()
    x_all = dm.scale_images(digits.data)
    y_all = digits.target.astype(np.int32)
    tr, te = dm.split(len(x_all), test_fraction, split_seed)
    if not 1 <= mask_images <= len(te):
        raise ValueError(f"mask_images must be in [1, {len(te)}], got {mask_images}")
    xtr, ytr, xte, yte = x_all[tr], y_all[tr], x_all[te], y_all[te]
    held = xte[:mask_images]

    t0 = time.perf_counter()
    dense = dm.train_dense(cfg, xtr, ytr)
    ones = {k: np.ones(v["w"].shape, bool) for k, v in dense.items()}
    models = {"dense": (dense, ones)}
    log(f"dense trained in {time.perf_counter() - t0:.1f} s")
    for name, sparsity in (("p50", 0.5), ("p75", 0.75), ("p90", 0.9)):
        t1 = time.perf_counter()
        models[name] = dm.prune_gradual(cfg, dense, xtr, ytr, sparsity)
        log(f"{name} pruned in {time.perf_counter() - t1:.1f} s")
    t1 = time.perf_counter()
    models["2:4"] = dm.prune_n_of_m(cfg, dense, xtr, ytr, 2, 4)
    log(f"2:4 pruned in {time.perf_counter() - t1:.1f} s")

    layers = []
    for name, r, s, cin, n in dm.LAYER_GEOMETRY:
        h, w, c = dm.INPUT_MAPS[name]
        pad = 0 if name == "fc" else (r - 1) // 2
        ho, wo = h + 2 * pad - r + 1, w + 2 * pad - s + 1
        layers.append(
            {
                "name": name,
                "kind": "fc" if name == "fc" else "conv",
                "R": r,
                "S": s,
                "Cin": cin,
                "pad": pad,
                "input_map": [h, w, c],
                "output_hw": [ho, wo],
                "M": mask_images * ho * wo,
                "K": r * s * cin,
                "N": n,
            }
        )

    input_map, maps, w_masks, variants = None, {}, {}, {}
    for v in _digits.digits_variants():
        params, masks = models[v]
        # The dense model's mask records exact nonzeros (a trained weight is almost never 0.0).
        wm = {k: (np.asarray(params[k]["w"]) != 0) & masks[k] for k in masks}
        amaps = dm.activation_maps(params, masks, held)
        if input_map is None:
            input_map = amaps["conv1"]
        maps[v] = {k: amaps[k] for k in dm.LAYER_NAMES if k != "conv1"}
        w_masks[v] = wm
        variants[v] = {
            "file_key": _digits._FILE_KEY[v],
            "target_density": TARGETS[v],
            "accuracy": dm.accuracy(params, masks, xte, yte),
            "train_accuracy": dm.accuracy(params, masks, xtr, ytr),
            "w_density": {k: float(m.mean()) for k, m in wm.items()},
            "a_density": {k: float(m.mean()) for k, m in amaps.items()},
        }
    meta = {
        "format_version": _digits.FORMAT_VERSION,
        "generator": {
            "script": "scripts/train_digits_masks.py",
            "version": GENERATOR_VERSION,
            "config": dataclasses.asdict(cfg),
            "split_seed": split_seed,
            "versions": {
                "jax": jax.__version__,
                "optax": optax.__version__,
                "numpy": np.__version__,
                "scikit-learn": sklearn.__version__,
            },
            "backend": jax.default_backend(),
        },
        "dataset": {
            "name": "sklearn.datasets.load_digits",
            "n_train": int(len(tr)),
            "n_test": int(len(te)),
            "test_fraction": test_fraction,
            "mask_images": mask_images,
            "mask_images_are": "the first mask_images test images (ascending dataset index)",
        },
        "layers": layers,
        "variants": variants,
        "references": REFERENCES,
        "notes": "a_density is the fraction of nonzero entries of each layer's input map (before "
        "im2col padding); conv1's input is the raw image (exact zeros are real background).",
    }
    return meta, input_map, maps, w_masks


def format_table(meta: dict) -> str:
    names = [layer["name"] for layer in meta["layers"]]
    head = f"{'variant':8s} {'test acc':>8s} {'train acc':>9s}  " + "  ".join(
        f"{'w/a ' + n:>13s}" for n in names
    )
    rows = [head]
    for v, d in meta["variants"].items():
        cells = "  ".join(f"{d['w_density'][n]:6.3f}/{d['a_density'][n]:6.3f}" for n in names)
        rows.append(f"{v:8s} {d['accuracy']:8.4f} {d['train_accuracy']:9.4f}  {cells}")
    return "\n".join(rows)


def main(argv=None) -> int:
    default_out = pathlib.Path(__file__).resolve().parents[1] / "griffin_jax" / "workloads" / "data"
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", type=pathlib.Path, default=default_out, help="output directory")
    ap.add_argument("--seed", type=int, default=dm.TrainConfig.seed)
    ap.add_argument("--mask-images", type=int, default=256)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    meta, input_map, maps, w_masks = build(
        dm.TrainConfig(seed=args.seed), mask_images=args.mask_images
    )
    args.out.mkdir(parents=True, exist_ok=True)
    paths = _digits.write_digits_masks(args.out, meta, input_map, maps, w_masks)
    print(format_table(meta))
    for p in paths:
        print(f"wrote {p} ({os.path.getsize(p)} bytes)")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
