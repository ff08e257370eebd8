"""What every experiment takes (``Spec``, ``DesignSet``, ``Context``) and gives (``Outcome``).

The CLI builds these from its config groups (``core``, ``design``, ``workload``, ``tech``,
``runtime``) and writes an ``Outcome`` into its run folder; from Python, build them directly and
call ``experiments.run`` (same results as the CLI). Field names match the config keys, so an
error names the key to fix (``DesignSet.box_time`` is ``design.box_time``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping

from griffin_jax._checks import check_choice, check_ints
from griffin_jax.design._core import EXPLOITS, SYNCS, Core
from griffin_jax.design._point import BOX_GRID
from griffin_jax.design._presets import PRESET_REGISTRY
from griffin_jax.design._shapes import window_from_spec
from griffin_jax.sim._options import SimOptions
from griffin_jax.workloads._workload import CATEGORIES, Workload, check_category


@dataclasses.dataclass(frozen=True)
class DesignSet:
    """The designs an experiment runs, as the CLI's ``design.*`` keys describe them.

    ``exploits`` x (box grid ``box_time`` x ``box_lane`` x ``box_group``, listed ``boxes``
    ``(time, lane, group)``, explicit ``windows`` of ``(dt, dl, dg)`` offsets, named ``shapes``
    such as ``"t_shape"`` or ``"l_shape(2, 5)"``) under ``sync``, then the named ``presets``
    (``None``: every preset registered with ``default=True``). Grid boxes a core cannot hold
    are skipped (one grid serves every core); an explicit window or shape that does not fit is
    an error. Defaults: the package's one grid (``design.BOX_GRID``).
    """

    exploits: tuple = ("A", "W", "AW")
    box_time: tuple = BOX_GRID["time"]
    box_lane: tuple = BOX_GRID["lane"]
    box_group: tuple = BOX_GRID["group"]
    boxes: tuple = ()
    windows: tuple = ()
    shapes: tuple = ()
    presets: tuple | None = None
    sync: str = "core"

    def __post_init__(self):
        ex = tuple(self.exploits)
        for e in ex:
            if e not in EXPLOITS:
                raise ValueError(f"DesignSet.exploits must be a subset of {EXPLOITS}, got {ex}")
        object.__setattr__(self, "exploits", ex)
        for name, low in (("box_time", 1), ("box_lane", 0), ("box_group", 0)):
            object.__setattr__(
                self, name, check_ints(f"DesignSet.{name}", getattr(self, name), low)
            )
        boxes = tuple(tuple(b) for b in self.boxes)
        for b in boxes:
            if len(b) != 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in b):
                raise ValueError(f"DesignSet.boxes must be [time, lane, group] ints, got {b}")
            if b[0] < 1 or min(b) < 0:
                raise ValueError(f"DesignSet.boxes: {list(b)} needs time >= 1, lane, group >= 0")
        object.__setattr__(self, "boxes", boxes)
        wins = tuple(tuple(tuple(o) for o in w) for w in self.windows)
        for w in wins:
            if not w or not all(len(o) == 3 for o in w):
                raise ValueError(f"DesignSet.windows must be lists of [dt, dl, dg], got {w}")
        object.__setattr__(self, "windows", wins)
        shapes = tuple(self.shapes)
        for spec in shapes:
            try:
                window_from_spec(spec)
            except ValueError as err:
                raise ValueError(f"DesignSet.shapes: {err}") from None
        object.__setattr__(self, "shapes", shapes)
        if self.presets is not None:
            presets = tuple(self.presets)
            for p in presets:
                if p not in PRESET_REGISTRY:
                    raise ValueError(f"DesignSet.presets: {PRESET_REGISTRY.unknown(p)}")
            object.__setattr__(self, "presets", presets)
        check_choice("DesignSet.sync", self.sync, SYNCS)
        if (self.windows or self.shapes) and not [e for e in ex if e != "none"]:
            raise ValueError(
                "DesignSet.windows: needs a sparse exploit in exploits (A, W or AW) to run "
                f"them, got {list(ex)}"
            )

    @property
    def preset_names(self) -> tuple:
        return PRESET_REGISTRY.names(default=True) if self.presets is None else self.presets

    def explicit_windows(self) -> tuple:
        """``windows`` then ``shapes``, as offset tuples."""
        return self.windows + tuple(window_from_spec(s).as_tuples() for s in self.shapes)

    def extra_windows(self) -> list:
        """``boxes``, ``windows`` and ``shapes`` as ``Window`` s, in that order."""
        from griffin_jax.design._core import Window

        return [Window.box(*b) for b in self.boxes] + [
            Window.from_offsets(w) for w in self.explicit_windows()
        ]

    def entries(self, core: Core) -> list:
        """The study entries on ``core``: grid points (``design.box_grid``) then presets."""
        from griffin_jax.study._study import grid_entries, preset_entries

        entries = grid_entries(
            core,
            self.exploits,
            self.box_time,
            self.box_lane,
            self.box_group,
            self.sync,
            self.explicit_windows(),
            self.boxes,
        )
        entries += preset_entries(self.preset_names, core)
        if not entries:
            raise ValueError(
                "DesignSet: no designs (empty exploits, boxes and presets, or no box fits the core)"
            )
        return entries

    def candidates(self, core: Core) -> dict:
        """The entries on ``core`` grouped into the claims' kinds (``study.KINDS``);
        ``ValueError`` naming a kind without a design."""
        return candidates_by_kind(self.entries(core))

    def search_space(self, core: Core):
        """The box ranges as a ``search.Space`` on ``core``: each ``box_*`` list gives the
        range min..max; presets, boxes, windows and shapes have no place in it."""
        from griffin_jax.search import Space

        for key in ("windows", "boxes", "shapes"):
            if getattr(self, key):
                raise ValueError(f"DesignSet.{key}: the search explores box ranges only; set it []")
        if self.presets is None or self.presets:
            raise ValueError(
                "DesignSet.presets: the search explores box ranges only; set it [] (design=search "
                "does)"
            )
        ranges = {}
        for axis in ("time", "lane", "group"):
            vals = getattr(self, f"box_{axis}")
            if not vals:
                raise ValueError(f"DesignSet.box_{axis}: the search needs a non-empty range")
            ranges[axis] = (min(vals), max(vals))
        try:
            return Space(core=core, exploits=self.exploits, **ranges)
        except ValueError as err:
            raise ValueError(
                str(err)
                .replace("Space.", "DesignSet.box_")
                .replace("DesignSet.box_exploits", "DesignSet.exploits")
            ) from None

    def wirings(self, core: Core) -> list:
        """Griffin's candidate AW wirings on ``core``: the box grid, ``boxes``, then the
        explicit ``windows`` and ``shapes`` (``study.wiring_candidates``)."""
        from griffin_jax.study import wiring_candidates

        try:
            out = wiring_candidates(
                core, self.box_time, self.box_lane, self.box_group, self.extra_windows()
            )
        except ValueError as err:
            raise ValueError(f"DesignSet: {err}") from None
        if not out:
            raise ValueError("DesignSet: no AW wiring of box_*, boxes, windows or shapes fits")
        return out


def candidates_by_kind(entries) -> dict:
    """Study entries grouped into the claims report's kinds (``study.KINDS``): every design by
    the exploit its hardware runs (``none``: dense), the prior presets also as ``prior``, the
    Griffin variants as ``griffin``; ``ValueError`` naming the missing kinds."""
    from griffin_jax.design import PRESET_REGISTRY
    from griffin_jax.study import KINDS

    kinds = {k: [] for k in KINDS}
    for e in entries:
        if e.kind == "griffin":
            kinds["griffin"].append(e.accel)
            continue
        ex = e.accel.hardware.exploit
        kinds["dense" if ex == "none" else ex].append(e.accel)
        name = e.accel.name
        if (
            e.kind == "preset"
            and name in PRESET_REGISTRY
            and PRESET_REGISTRY.entry(name).kind == ("prior")
        ):
            kinds["prior"].append(e.accel)
    missing = [k for k in KINDS if not kinds[k]]
    if missing:
        raise ValueError(
            f"DesignSet: the claims compare kinds {KINDS} and there is no design for {missing} "
            "(add exploits, boxes or presets; design=paper has them all)"
        )
    return kinds


@dataclasses.dataclass(frozen=True)
class Spec:
    """Everything an experiment runs on besides its own options.

    Fields:
      core: the configured core.
      designs: the ``DesignSet``.
      workloads: networks (``Workload`` s without a category, or lazy ones that make each
        category's masks); ``workloads.load(name)`` gives one by name.
      categories: the model categories every network is run as.
      tech: technology config name.
      sim: ``SimOptions`` of every scheduler run.
      plots: draw the experiment's plots.
      meta: extra columns added to every table row (run id, versions, tags).
      provenance: how the workloads were made (recorded by experiments that store results).
      command: the command line that made the run (recorded likewise).
    """

    core: Core = dataclasses.field(default_factory=lambda: Core(8, 8, 16))
    designs: DesignSet = dataclasses.field(default_factory=DesignSet)
    workloads: tuple = ()
    categories: tuple = CATEGORIES
    tech: str = "horowitz45"
    sim: SimOptions = dataclasses.field(default_factory=SimOptions)
    plots: bool = True
    meta: Mapping = dataclasses.field(default_factory=dict)
    provenance: tuple = ()
    command: str = ""

    def __post_init__(self):
        if not isinstance(self.core, Core):
            raise ValueError(f"Spec.core must be a Core, got {type(self.core).__name__}")
        if not isinstance(self.designs, DesignSet):
            raise ValueError(f"Spec.designs must be a DesignSet, got {type(self.designs).__name__}")
        wls = tuple(self.workloads)
        for i, wl in enumerate(wls):
            if not isinstance(wl, Workload):
                raise ValueError(f"Spec.workloads[{i}] must be a Workload, got {type(wl).__name__}")
        object.__setattr__(self, "workloads", wls)
        cats = tuple(self.categories)
        if not cats:
            raise ValueError("Spec.categories must name at least one category")
        for c in cats:
            try:
                check_category(c)
            except ValueError as err:
                raise ValueError(f"Spec.categories: {err}") from None
        object.__setattr__(self, "categories", cats)
        if not isinstance(self.sim, SimOptions):
            raise ValueError(f"Spec.sim must be a SimOptions, got {type(self.sim).__name__}")
        object.__setattr__(self, "meta", dict(self.meta))

    def replace(self, **changes) -> Spec:
        return dataclasses.replace(self, **changes)

    def category_workloads(self) -> list:
        """Every network as a model of every category (``Workload.for_category``)."""
        return [wl.for_category(c) for wl in self.workloads for c in self.categories]

    def rows(self, rows) -> list:
        """``rows`` with the ``meta`` columns added."""
        return [{**r, **self.meta} for r in rows]


def _quiet(*_args, **_kwargs):
    return None


@dataclasses.dataclass(frozen=True)
class Context:
    """Hooks a runner gives an experiment: ``phase(name)`` marks the start of a timed phase
    (the CLI records seconds per phase in ``status.json``), ``progress(total, desc)`` returns a
    ``tick(label)`` callback, ``log(message)`` reports a line; ``settings``: other experiments'
    options by name, for an experiment that runs them too (the paper study validates and moves
    the inputs as ``validate`` and ``sensitivity`` are configured)."""

    phase: Callable[[str], None] = _quiet
    progress: Callable[[int, str], Callable[[str], None]] = lambda total, desc: _quiet
    log: Callable[[str], None] = _quiet
    settings: Mapping = dataclasses.field(default_factory=dict)

    def options_of(self, name: str):
        """Experiment ``name``'s options: as configured in ``settings``, else its defaults."""
        from griffin_jax.experiments._registry import EXPERIMENT_REGISTRY

        if name in self.settings:
            return self.settings[name]
        opts = EXPERIMENT_REGISTRY.entry(name).options
        return None if opts is None else opts()


@dataclasses.dataclass
class Outcome:
    """What an experiment produced, before anything is written.

    ``tables``: CSV name -> rows; ``texts``: file name -> text (Markdown, YAML); ``plots``: PNG
    name -> ``draw(path)`` (called by the writer, so a run without matplotlib still writes its
    tables); ``printed``: what the CLI prints; ``summary``: small facts for ``status.json``.
    """

    tables: dict = dataclasses.field(default_factory=dict)
    texts: dict = dataclasses.field(default_factory=dict)
    plots: dict = dataclasses.field(default_factory=dict)
    printed: str = ""
    summary: dict = dataclasses.field(default_factory=dict)

    def names(self) -> list:
        """Every file name this outcome writes, tables first."""
        return list(self.tables) + list(self.texts) + list(self.plots)

    def write(self, out_dir) -> list:
        """Write every table, text and plot into ``out_dir`` (created); returns the paths
        written (a plot whose library is missing is skipped). The CLI uses its own writer,
        which also keeps a manifest; this one is for Python use."""
        from griffin_jax.study._tables import write_csv

        os.makedirs(out_dir, exist_ok=True)
        out = []
        for name, rows in self.tables.items():
            out.append(write_csv(rows, os.path.join(out_dir, name)))
        for name, text in self.texts.items():
            path = os.path.join(out_dir, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            out.append(path)
        for name, draw in self.plots.items():
            try:
                out.append(str(draw(os.path.join(out_dir, name))))
            except ImportError:
                continue
        return out
