"""The dense core's per-cycle share of its energy (docs/model.md 4.4).

    PYTHONPATH=$PWD python scripts/per_cycle_share.py [--networks digits resnet50 ...]

Prints, for the dense core on the default 8 x 8 x 16 core (technology ``horowitz45``), the energy
per cycle and the share of its total energy spent on the clock network, on the registers' clock
pins (the clock network's energy over ``clock_network_ratio``), on register data writes and on
leakage: first on one layer that fills every tile (64 x 256 x 64, all ones), then on each named
network's dense category (every layer, exact schedules), and beside it the previous model
(``Tech.clocked_registers=False``, ``bank_rule="ports"``) for the energy per cycle.
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from griffin_jax import cost, workloads  # noqa: E402
from griffin_jax.design import DEFAULT_CORE, preset  # noqa: E402


def shares(rep, tech) -> dict:
    """Per-cycle energy and the shares of one dense report (a ``cost.CostReport``)."""
    e, total = rep.energy, rep.energy_pj
    pins = e["clock"] / tech.clock_network_ratio
    return {
        "pj_per_cycle": total / rep.cycles,
        "clock": e["clock"] / total,
        "clock_pins": pins / total,
        "register_writes": (e["registers"] - pins) / total,
        "leakage": (e["leakage"] + e["sram_leakage"]) / total,
        "per_cycle": (e["clock"] + pins) / total,
    }


def _row(name, s, v2) -> str:
    return (
        f"| {name} | {s['pj_per_cycle']:.0f} | {v2:.0f} | {s['clock']:.1%} | "
        f"{s['clock_pins']:.1%} | {s['register_writes']:.1%} | {s['leakage']:.1%} | "
        f"**{s['per_cycle']:.1%}** | {s['per_cycle'] + s['leakage']:.1%} |"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--networks", nargs="*", default=["digits"])
    args = parser.parse_args(argv)
    tech = cost.load_tech("horowitz45")
    v2 = dataclasses.replace(tech, clocked_registers=False, bank_rule="ports")
    dense = preset("dense", DEFAULT_CORE)
    print(
        "| workload | pJ / cycle | previous model | clock network | clock pins | register "
        "writes | leakage | per-cycle share | with leakage |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    a, w = np.ones((64, 256), bool), np.ones((256, 64), bool)
    reps = [cost.evaluate_layer(dense, "dense", a, w, t) for t in (tech, v2)]
    print(_row("64 x 256 x 64 layer", shares(reps[0], tech), reps[1].energy_pj / reps[1].cycles))
    for name in args.networks:
        kw = {"variant": "p75", "n_images": 16} if name == "digits" else {}
        layers = workloads.load(name, **kw).for_category("dense")
        r3, r2 = (cost.evaluate([dense], "dense", layers, t)[0] for t in (tech, v2))
        print(_row(name, shares(r3, tech), r2.energy_pj / r2.cycles))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
