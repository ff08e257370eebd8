"""Experiments: the jobs the CLI runs, callable from Python with the same results.

    from griffin_jax import experiments, workloads
    spec = experiments.Spec(workloads=[workloads.load("digits")])
    out = experiments.run("study", spec)           # an Outcome: tables, texts, plots, printed
    out.write("my_run")                            # the files the CLI would write

One file per experiment, each registered in ``EXPERIMENT_REGISTRY`` with its options dataclass
(``register_experiment``); the CLI's ``experiment=<name>`` and its ``experiment.<name>.*`` keys
come from the registry. Built in: ``study`` (the main job), ``quick``, ``validate``,
``sensitivity``, ``paper``, ``griffin``, ``geometry``, ``search``.
"""

from __future__ import annotations

# isort: off
# (registration order: the order the CLI lists them in)
from griffin_jax.experiments import study as _study  # noqa: F401  (registers)
from griffin_jax.experiments import quick as _quick  # noqa: F401
from griffin_jax.experiments import validate as _validate  # noqa: F401
from griffin_jax.experiments import sensitivity as _sensitivity  # noqa: F401
from griffin_jax.experiments import paper as _paper  # noqa: F401
from griffin_jax.experiments import griffin as _griffin  # noqa: F401
from griffin_jax.experiments import geometry as _geometry  # noqa: F401
from griffin_jax.experiments import search as _search  # noqa: F401

# isort: on
from griffin_jax.experiments._catalogue import catalogue_markdown
from griffin_jax.experiments._registry import (
    EXPERIMENT_REGISTRY,
    experiment_names,
    register_experiment,
)
from griffin_jax.experiments._spec import Context, DesignSet, Outcome, Spec
from griffin_jax.experiments.geometry import GeometryOptions
from griffin_jax.experiments.griffin import GriffinOptions
from griffin_jax.experiments.paper import PaperOptions
from griffin_jax.experiments.search import SearchOptions
from griffin_jax.experiments.sensitivity import REPRICED_INPUTS, SensitivityOptions
from griffin_jax.experiments.validate import ValidateOptions


def run(name: str, spec: Spec | None = None, options=None, *, context: Context | None = None):
    """Run experiment ``name`` on ``spec`` (default ``Spec()``: the 8x8x16 core, the default
    designs, and the digits masks when no workload is given) with ``options`` (default: the
    experiment's option defaults). Returns its ``Outcome``."""
    entry = EXPERIMENT_REGISTRY.entry(name)
    spec = Spec() if spec is None else spec
    if not spec.workloads:
        from griffin_jax.workloads import load

        spec = spec.replace(workloads=(load("digits"),))
    opts_type = entry.options
    if options is None:
        options = None if opts_type is None else opts_type()
    elif opts_type is None or not isinstance(options, opts_type):
        want = "no options" if opts_type is None else opts_type.__name__
        raise ValueError(f"experiment {name!r} takes {want}, got {type(options).__name__}")
    return entry.value(spec, options, Context() if context is None else context)


__all__ = [
    "EXPERIMENT_REGISTRY",
    "Context",
    "DesignSet",
    "GeometryOptions",
    "GriffinOptions",
    "Outcome",
    "PaperOptions",
    "REPRICED_INPUTS",
    "SearchOptions",
    "SensitivityOptions",
    "Spec",
    "ValidateOptions",
    "catalogue_markdown",
    "experiment_names",
    "register_experiment",
    "run",
]
