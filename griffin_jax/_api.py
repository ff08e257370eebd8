"""One call from a design to an answer: ``gj.evaluate`` and its tables (``to_rows``,
``to_frame``).

``evaluate`` accepts what a researcher has at hand: a ``Design`` (built as fixed hardware), a
preset name, an ``Accelerator`` or a list of them; a GEMM (``(a_mask, w_mask)`` or a
``GemmLayer``), a list of layers, a ``Workload`` or a registered network name. It returns
``CostReport`` s: cycles, dense cycles, speedup, utilisation, area and energy per component
(``area_breakdown`` / ``energy_breakdown``, core-only and total), TOPS/W and TOPS/mm^2.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from griffin_jax.cost._evaluate import CostReport
from griffin_jax.cost._evaluate import evaluate as _evaluate_layers
from griffin_jax.design._core import Core, Design
from griffin_jax.design._griffin import Accelerator
from griffin_jax.design._presets import custom, preset
from griffin_jax.sim._options import SimOptions
from griffin_jax.workloads._load import load
from griffin_jax.workloads._workload import CATEGORIES, GemmLayer, Workload, check_category


def _accelerator(item, core: Core | None, where: str) -> Accelerator:
    if isinstance(item, Accelerator):
        return item
    if isinstance(item, Design):
        return custom(item.label(), item.core, item.exploit, item.window, item.sync)
    if isinstance(item, str):
        try:
            return preset(item, core)
        except ValueError as err:
            raise ValueError(f"{where}: {err}") from None
    raise ValueError(
        f"{where} must be a Design, an Accelerator or a preset name, got {type(item).__name__}"
    )


def _workload(workload, options: dict) -> Workload:
    if isinstance(workload, str):
        return load(workload, **options)
    if options:
        raise ValueError(
            f"workload options {sorted(options)} only apply to a registered network name"
        )
    if isinstance(workload, Workload):
        return workload
    if isinstance(workload, GemmLayer):
        return Workload(workload.name, [workload])
    if isinstance(workload, tuple) and len(workload) == 2:
        a, w = (np.asarray(x) for x in workload)
        return Workload("gemm", [GemmLayer("gemm", a, w)])
    if isinstance(workload, Sequence) and not isinstance(workload, (str, bytes)):
        return Workload("layers", workload)
    raise ValueError(
        "workload must be a GEMM (a_mask, w_mask), a GemmLayer, a list of layers, a Workload "
        f"or a network name, got {type(workload).__name__}"
    )


def _masks_category(wl: Workload) -> str:
    """The category fixed masks show: which operands have zeros."""
    a_sparse = any(not layer.a_mask.all() for layer in wl)
    w_sparse = any(not layer.w_mask.all() for layer in wl)
    return ("A" if a_sparse else "") + ("W" if w_sparse else "") or "dense"


def evaluate(
    designs,
    workload,
    category: str | None = None,
    *,
    tech="horowitz45",
    core: Core | None = None,
    fit: bool = True,
    sim: SimOptions | None = None,
    **workload_options,
):
    """Cost and cycles of designs on a workload of a model category.

    Args:
      designs: a ``Design`` (built as fixed hardware that runs it), a preset name
        (``design.preset_names()``, built on ``core``), an ``Accelerator``, or a list of them.
      workload: a GEMM ``(a_mask bool [M, K], w_mask bool [K, N])``, a ``GemmLayer``, a list
        of layers, a ``Workload``, or a registered network name (``workloads.network_names()``:
        generated masks for layer tables, e.g. ``"resnet50"``; real masks for ``"digits"``),
        built with ``workload_options`` (e.g. ``seed=1``, ``batch=2``, ``n_images=8``).
      category: ``"dense"``, ``"W"``, ``"A"`` or ``"AW"``: the model category, which decides the
        mode a reconfigurable design runs and, by default, the masks (``fit``). ``None``: the
        workload's own category, else the one its masks show (which operands have zeros).
      tech: a ``Tech`` or technology config name.
      core: the core preset names are built on (default 8 x 8 x 16).
      fit: make the masks fit ``category`` (the operands it keeps dense become all-true), as
        everywhere in the package; ``False`` keeps the masks as given.
      sim: ``SimOptions`` (chunking, devices, tile sampling).
    Returns: one ``CostReport`` for a single design, else a list in the order given.
    """
    single = not isinstance(designs, (list, tuple))
    items = [designs] if single else list(designs)
    if not items:
        raise ValueError("designs must name at least one design")
    accels = [_accelerator(d, core, f"designs[{i}]") for i, d in enumerate(items)]
    wl = _workload(workload, workload_options)
    if category is None:
        category = wl.category if wl.category is not None else _masks_category(wl)
    check_category(category)
    reports = _evaluate_layers(accels, category, wl, tech, fit=fit, sim=sim)
    return reports[0] if single else reports


def evaluate_compat(*args, **kwargs):
    """``gj.evaluate`` dispatch: the older form ``evaluate(accels, category, layers, tech)``
    (``cost.evaluate``) still works with a ``DeprecationWarning``."""
    if len(args) >= 3 and isinstance(args[1], str) and args[1] in CATEGORIES:
        warnings.warn(
            "gj.evaluate(accels, category, layers, ...) is deprecated: call "
            "gj.evaluate(designs, workload, category) (or cost.evaluate for the old order)",
            DeprecationWarning,
            stacklevel=2,
        )
        return _evaluate_layers(*args, **kwargs)
    return evaluate(*args, **kwargs)


evaluate_compat.__doc__ = evaluate.__doc__


def to_rows(results) -> list[dict]:
    """One flat dict per ``CostReport`` (``CostReport.as_row(components=True)``): the figures,
    ``utilisation``, and one column per area (``area_<name>_mm2``) and energy
    (``energy_<name>_pj``) component. Write them with ``study.write_csv``."""
    if isinstance(results, CostReport):
        results = [results]
    out = []
    for i, r in enumerate(results):
        if not isinstance(r, CostReport):
            raise ValueError(f"results[{i}] must be a CostReport, got {type(r).__name__}")
        out.append(r.as_row(components=True))
    return out


def to_frame(results):
    """``to_rows(results)`` as a pandas ``DataFrame`` (pandas is optional: ``pip install
    pandas``)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "to_frame needs pandas (pip install pandas); to_rows gives the same table as dicts"
        ) from None
    return pd.DataFrame(to_rows(results))
