"""Cycles and speedup of a few designs on one synthetic GEMM (simulation only, no cost model).

``griffin-jax experiment=quick``: the designs of ``design=quick`` (dense plus A, W and AW boxes
up to ``box(2,1,0)``) on one Bernoulli GEMM (``workload=synthetic``); writes ``cycles.csv``.
"""

from __future__ import annotations

from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec


def _masks_category(layer) -> str:
    # the category the GEMM's own masks stand for: what a reconfigurable design (Griffin) runs
    return ("A" if not layer.a_mask.all() else "") + ("W" if not layer.w_mask.all() else "") or (
        "dense"
    )


@register_experiment("quick", config={"design": "quick", "workload": "synthetic"})
def quick(spec: Spec, options: None, ctx: Context) -> Outcome:
    """Designs x one GEMM: cycles, dense cycles and speedup (``cycles.csv``)."""
    from griffin_jax.study import format_table, gemm_cycles_table

    ctx.phase("designs")
    entries = spec.designs.entries(spec.core)
    ctx.phase("workloads")
    if len(spec.workloads) != 1 or len(spec.workloads[0]) != 1:
        raise ValueError("Spec.workloads: the quick experiment runs one single-GEMM workload")
    (layer,) = spec.workloads[0].layers
    cat = _masks_category(layer)
    designs = [e.accel.mode(cat) for e in entries]
    ctx.phase("simulate")
    rows = gemm_cycles_table(designs, layer.a_mask, layer.w_mask, chunk=spec.sim.chunk)
    ctx.phase("tables")
    rows = [{**r, "design": e.accel.name, "kind": e.kind} for r, e in zip(rows, entries)]
    M, K, N = layer.shape
    a_d, w_d = float(layer.a_mask.mean()), float(layer.w_mask.mean())
    c = spec.core
    head = (
        f"GEMM {M}x{K} @ {K}x{N}, densities A {a_d:.3g} W {w_d:.3g}, "
        f"core {c.rows}x{c.cols}x{c.lanes}"
    )
    table = format_table(rows, ["design", "exploit", "window", "cycles", "dense_cycles", "speedup"])
    return Outcome(
        tables={"cycles.csv": rows},
        printed=f"{head}\n{table}\n{len(rows)} designs",
        summary={"rows": len(rows)},
    )
