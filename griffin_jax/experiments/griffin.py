"""Griffin derived by the design-space exploration (docs/model.md 5.2).

``griffin-jax experiment=griffin``: every AW wiring of the box grid (``design.box_*``, default
1..4 x 0..2 x 0..2: 36 wirings on 8x8x16), ``design.boxes``, ``design.windows`` /
``design.shapes`` (default: the prior presets' own T and L windows) and the gradient search's
rounded best, as AW hardware on the paper networks
treated as dual-sparse models; the best (total TOPS/W, geometric mean; ties: smaller area), its
best mode per category for ``griffin`` (with resource reuse) and ``griffin_noreuse``, and
``griffin_balanced`` (docs/model.md 5.2, 5.3). Writes ``griffin.csv``, ``griffin_modes.csv``,
``griffin.md``, ``derived.yaml``, ``griffin_sensitivity.csv`` (the derivation's own sensitivity:
Griffin re-derived at the ends of every price input's range, by pricing its reports again) and,
with plots, ``griffin_pareto.png`` (the wirings' Griffins, TOPS/W against area per TOPS, per
category); ``store=True`` also copies
``derived.yaml`` over the package's (what ``gj.griffin()`` uses). Exact schedules by default
(742 s on the 2-core dev box; ``runtime.sample=0.05`` samples 5% of the tiles).
"""

from __future__ import annotations

import dataclasses
import datetime

from griffin_jax._checks import check_bool, check_int
from griffin_jax.experiments._registry import register_experiment
from griffin_jax.experiments._spec import Context, Outcome, Spec

# What the wiring search maximises (``study.derive_griffin``'s ``search["objective"]``).
SEARCH_OBJECTIVES = ("dual", "balanced")


@dataclasses.dataclass(frozen=True)
class GriffinOptions:
    """``search``: add the gradient search's rounded best as a candidate wiring
    (``search_steps``, ``search_restarts``, ``search_seed``); ``search_objective``: ``dual``
    (fixed AW hardware's TOPS/W on the dual-sparse workloads, rule 1's own score) or
    ``balanced`` (Griffin over the four categories, rule 3's score: ``search.search_griffin``);
    ``store``: copy the result over the package's stored derivation."""

    search: bool = True
    search_steps: int = 30
    search_restarts: int = 3
    search_seed: int = 0
    search_objective: str = "dual"
    store: bool = False

    def __post_init__(self):
        for k, low in (("search_steps", 1), ("search_restarts", 1), ("search_seed", 0)):
            check_int(f"GriffinOptions.{k}", getattr(self, k), low)
        for k in ("search", "store"):
            check_bool(f"GriffinOptions.{k}", getattr(self, k))
        if self.search_objective not in SEARCH_OBJECTIVES:
            raise ValueError(
                f"GriffinOptions.search_objective must be one of {SEARCH_OBJECTIVES}, "
                f"got {self.search_objective!r}"
            )


def _provenance(spec: Spec) -> list:
    from griffin_jax.study import mean_densities

    record = [dict(r) for r in spec.provenance] or [{"name": wl.name} for wl in spec.workloads]
    for rec, wl in zip(record, spec.workloads):
        rec["network"] = wl.name
        rec.update(mean_densities(wl, "AW"))
    return record


def _sensitivity_markdown(rows, columns) -> str:
    from griffin_jax.study import format_table

    changed = [f"{r['input']} ({r['end']})" for r in rows if r["wiring_changed"]]
    lines = [
        "",
        "## The derivation's own sensitivity",
        "",
        "Griffin re-derived by the same rules on the same reports priced at each end of every "
        "input that only changes prices (docs/model.md 5.3, 8): "
        + (
            "the wiring changes at " + ", ".join(changed) + "."
            if changed
            else "the wiring is the same at every end."
        ),
        "",
        "```",
        format_table(rows, [c for c in columns if c != "value"]),
        "```",
    ]
    return "\n".join(lines) + "\n"


def store_derived(text: str) -> str:
    """Write a derived-Griffin YAML over the package's stored one (what ``gj.griffin()``
    reads); returns its path."""
    import importlib.resources

    import yaml

    from griffin_jax.design._griffin import DERIVED_RESOURCE, _read_derived, parse_derived

    parse_derived(yaml.safe_load(text), "the new derivation")  # never store a broken file
    package, name = DERIVED_RESOURCE
    path = str(importlib.resources.files(package).joinpath(name))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    _read_derived.cache_clear()
    return path


@register_experiment(
    "griffin",
    options=GriffinOptions,
    designs="wirings",
    config={
        "workload": "paper",
        "design": {
            "box_time": [1, 2, 3, 4],
            "box_lane": [0, 1, 2],
            "box_group": [0, 1, 2],
            "boxes": [],
            "windows": [],
            # the prior presets' own windows: TensorDash's T, Bit-Tactical's L, the old T
            "shapes": ["tensordash_t", "l_shape(2, 5)", "t_shape"],
        },
    },
)
def griffin(spec: Spec, options: GriffinOptions, ctx: Context) -> Outcome:
    """Derive Griffin: ``griffin.csv``, ``griffin_modes.csv``, ``griffin.md``,
    ``derived.yaml``."""
    import griffin_jax
    from griffin_jax.study import (
        REDERIVE_COLUMNS,
        derivation_markdown,
        derivation_sensitivity,
        derive_griffin,
        derived_yaml,
        format_table,
        pareto_plot,
        wiring_points,
    )

    ctx.phase("designs")
    spec.designs.wirings(spec.core)  # the candidate wirings, checked before the long part
    ds = spec.designs
    ctx.phase("workloads")
    record = _provenance(spec)

    def phase(name):  # each derivation phase timed on its own in status.json
        ctx.log(f"griffin: {name}")
        ctx.phase(f"derive {name}")

    search = (
        {
            "steps": options.search_steps,
            "restarts": options.search_restarts,
            "seed": options.search_seed,
            "objective": options.search_objective,
        }
        if options.search
        else False
    )
    d = derive_griffin(
        list(spec.workloads),
        spec.core,
        spec.tech,
        time=ds.box_time,
        lane=ds.box_lane,
        group=ds.box_group,
        extra=ds.extra_windows(),
        search=search,
        sim=spec.sim,
        progress=phase,
    )
    ctx.phase("derivation sensitivity")
    moved = derivation_sensitivity(d, spec.tech)
    ctx.phase("tables")
    command = spec.command or "griffin-jax experiment=griffin (composed in-process)"
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    sampled = spec.sim.sample
    header = f"Griffin derived by `{command}` on {when} (docs/model.md 5.2).\n" + (
        f"Schedules tile-sampled: runtime.sample={sampled}, sample seed {spec.sim.seed}."
        if sampled is not None
        else "Exact schedules."
    )
    text = derived_yaml(
        d,
        "Griffin derived by the design-space exploration (docs/model.md 5.2).\n"
        f"Made by: {command}\n"
        "Copied here by adding experiment.griffin.store=true to that command.",
        command=command,
        date=when,
        griffin_jax_version=griffin_jax.__version__,
        workloads=record,
        sim={"exact": True}
        if sampled is None
        else {"exact": False, "sample": sampled, "sample_seed": spec.sim.seed},
        grid={"time": list(ds.box_time), "lane": list(ds.box_lane), "group": list(ds.box_group)},
    )
    stored = None
    if options.store:
        ctx.phase("store")
        stored = store_derived(text)
        ctx.log(f"stored the derived Griffin in {stored}")
    n = d.numbers()
    chosen = format_table(
        [r for r in d.mode_rows if r["chosen"]],
        ["variant", "category", "mode", "mode_window", "tops_per_w", "ratio_vs_dense", "speedup"],
    )
    points = wiring_points(d.rows)
    plots = (
        {
            "griffin_pareto.png": lambda p: (
                pareto_plot(
                    points, p, x="mm2_per_tops", y="tops_per_w", label_kinds=("griffin",)
                ).path
            )
        }
        if spec.plots
        else {}
    )
    return Outcome(
        tables={
            "griffin.csv": spec.rows(d.rows),
            "griffin_modes.csv": spec.rows(d.mode_rows),
            "griffin_sensitivity.csv": spec.rows(moved),
        },
        texts={
            "griffin.md": derivation_markdown(d, header)
            + _sensitivity_markdown(moved, REDERIVE_COLUMNS),
            "derived.yaml": text,
        },
        plots=plots,
        printed=(
            f"{chosen}\nderived wiring {d.wired.label()} ({n['best_dual']['tops_per_w']:.4f} "
            f"TOPS/W on the dual-sparse workloads, of {len(d.wirings)} wirings); EDP-optimal "
            f"{n['edp_best']['wiring']}; griffin_balanced {d.balanced.label()}"
            + (f"; stored in {stored}" if stored else "")
        ),
        summary={
            "wired": d.wired.label(),
            "edp_best": n["edp_best"]["wiring"],
            "balanced": d.balanced.label(),
            "wirings": len(d.wirings),
            "stored": stored,
            "wiring_changes_at": [f"{r['input']}:{r['end']}" for r in moved if r["wiring_changed"]],
        },
    )
