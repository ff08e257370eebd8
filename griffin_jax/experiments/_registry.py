"""The experiment registry: every job ``griffin-jax experiment=<name>`` (and
``experiments.run(name, ...)``) can run.

An entry is ``run(spec: Spec, options, context: Context) -> Outcome`` with meta data:

* ``options``: a frozen dataclass of the experiment's own settings (its fields are the CLI's
  ``experiment.<name>.*`` keys; ``None`` when it has none);
* ``config``: what selecting it changes in the other config groups, e.g.
  ``{"design": "paper", "workload": "paper", "runtime": {"sample": 0.05}}`` (a group name
  selects that group's option; a mapping sets keys);
* ``plots``: whether ``experiment.plots`` defaults to true for it;
* ``designs``: how it reads ``spec.designs``, the ``DesignSet`` method the CLI calls to check
  them before the run: ``"entries"`` (a list of designs), ``"candidates"`` (designs of every
  kind the claims compare), ``"search_space"`` (box ranges) or ``"wirings"`` (Griffin's
  candidate AW wirings).

A new experiment is one file and one ``register_experiment`` call: the CLI derives its config
group option and its schema from the entry (docs/architecture.md).
"""

from __future__ import annotations

import dataclasses

from griffin_jax._registry import Registry


def _check(entry) -> None:
    opts = entry.meta.get("options")
    if opts is not None and not dataclasses.is_dataclass(opts):
        raise ValueError(f"experiment {entry.name!r}: options must be a dataclass type")
    if not callable(entry.value):
        raise ValueError(f"experiment {entry.name!r}: the registered value must be callable")


EXPERIMENT_REGISTRY = Registry("experiment", check=_check)
DESIGN_USES = ("entries", "candidates", "search_space", "wirings")


def register_experiment(
    name: str,
    run=None,
    *,
    options: type | None = None,
    config: dict | None = None,
    plots: bool = True,
    designs: str = "entries",
    replace: bool = False,
):
    """Register ``run(spec, options, context) -> Outcome`` as experiment ``name`` (usable as a
    decorator); ``options``, ``config``, ``plots``, ``designs``: module doc. Returns ``run``."""
    if designs not in DESIGN_USES:
        raise ValueError(f"experiment {name!r}: designs must be one of {DESIGN_USES}")
    return EXPERIMENT_REGISTRY.register(
        name,
        run,
        options=options,
        config=dict(config or {}),
        plots=plots,
        designs=designs,
        replace=replace,
    )


def experiment_names() -> tuple:
    return EXPERIMENT_REGISTRY.names()
