"""Merge the jobs of a multirun into one table per table name, with failures listed, not lost.

A job's rows are labelled from the run's own record (``status.json``: the config and the
overrides its tables were made with), not from Hydra's ``.hydra/`` files, which a later launch
into the same folder rewrites before it runs; a job whose ``.hydra/config.yaml`` disagrees with
the config of its tables is flagged (``mismatch``), not merged.
"""

from __future__ import annotations

import csv
import json
import os

from griffin_jax._checks import brief
from griffin_jax.study._tables import read_csv

STATUS = "status.json"
# Config keys that do not change a job's results (how it runs, not what it computes): two
# configs that differ only here made the same tables.
RUNTIME_KEYS = (
    "runtime.chunk",
    "runtime.compilation_cache",
    "runtime.platform",
    "runtime.cpu_devices",
    "runtime.progress",
    "runtime.skip_finished",
    "runtime.overwrite",
    "runtime.debug",
)
_MAX_STATUS_BYTES = 1 << 24


def _flat(tree, prefix: str = "") -> dict:
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            out.update(_flat(v, f"{prefix}{k}."))
        return out if out or not prefix else {prefix[:-1]: {}}
    return {prefix[:-1]: tree}


def config_diff(made, now, ignore=RUNTIME_KEYS) -> list:
    """The dotted keys whose values differ between two configs (nested mappings, as in
    ``status.json`` or ``.hydra/config.yaml``), leaving out ``ignore`` (and ``hydra.*``)."""
    a, b = _flat(made or {}), _flat(now or {})
    skip = set(ignore)
    return sorted(
        k
        for k in set(a) | set(b)
        if k not in skip and not k.startswith("hydra.") and a.get(k, _MISSING) != b.get(k, _MISSING)
    )


_MISSING = object()


def describe_diff(keys, limit: int = 6) -> str:
    shown = ", ".join(keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def _overrides(job_dir: str, status: dict) -> list:
    recorded = status.get("overrides")
    if isinstance(recorded, list) and all(isinstance(o, str) for o in recorded):
        return recorded
    path = os.path.join(job_dir, ".hydra", "overrides.yaml")
    try:
        with open(path, encoding="utf-8") as f:
            return [line[2:].strip() for line in f if line.startswith("- ")]
    except (OSError, ValueError):
        return []


def _read_status(job_dir: str) -> dict:
    """The job's status record; a file that is not one is a status ``unreadable`` row."""
    path = os.path.join(job_dir, STATUS)
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_STATUS_BYTES + 1)
        if len(raw) > _MAX_STATUS_BYTES:
            raise ValueError(f"larger than {_MAX_STATUS_BYTES} bytes")
        status = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError, RecursionError) as err:
        return {"status": "unreadable", "error": f"{path}: not a status record ({_reason(err)})"}
    if not isinstance(status, dict) or not isinstance(status.get("status"), str):
        return {"status": "unreadable", "error": f"{path}: not a status record (no 'status')"}
    return status


def _reason(err: Exception) -> str:
    return type(err).__name__ if isinstance(err, RecursionError) else str(err).splitlines()[0]


def _hydra_mismatch(job_dir: str, status: dict) -> str:
    """Why the job's ``.hydra/config.yaml`` does not describe its tables ('' when it does, or
    when either record is missing)."""
    from griffin_jax import _yaml

    path = os.path.join(job_dir, ".hydra", "config.yaml")
    made = status.get("config")
    if not isinstance(made, dict) or not os.path.isfile(path):
        return ""
    try:
        now = _yaml.read(path)
    except ValueError as err:
        return str(err)
    keys = config_diff(made, now if isinstance(now, dict) else {})
    if not keys:
        return ""
    return (
        f"{path} differs from the config its tables were made with ({STATUS}) at "
        f"{describe_diff(keys)}"
    )


def _job_tables(job_dir: str) -> list:
    return sorted(
        f
        for f in os.listdir(job_dir)
        if f.endswith(".csv") and not f.startswith(".") and os.path.isfile(os.path.join(job_dir, f))
    )


def _text(value) -> str:
    return value if isinstance(value, str) else brief(value)


def collect_runs(sweep_dir: str, tables=None) -> dict:
    """Read every job folder (one holding ``status.json``) under ``sweep_dir``.

    ``tables``: the CSV file names to merge; ``None`` merges every CSV any finished job wrote
    (``results.csv``, ``summary.csv``, ``overview.csv`` of the study, ``cycles.csv`` of quick,
    ``claims.csv`` of paper, ``search_history.csv``, ...).

    Returns dict: one merged row list per table name (each row gains ``job`` and ``overrides``
    columns, the overrides the job's tables were made with), ``"jobs"`` (one row per job:
    status, seconds, tables, error), ``"failures"`` (every job that did not finish: failed,
    interrupted, still running or killed, a status file that is not one (``unreadable``), or
    ``mismatch``: its ``.hydra/config.yaml`` disagrees with its tables' config) and ``"empty"``
    (finished jobs with no table to merge).
    """
    if not isinstance(sweep_dir, (str, os.PathLike)) or not os.path.isdir(sweep_dir):
        raise ValueError(f"sweep_dir: {brief(str(sweep_dir))} is not a directory")
    merged: dict = {t: [] for t in (tables or ())}
    jobs, empty = [], []
    for root, dirs, files in os.walk(sweep_dir):
        dirs.sort()
        if STATUS not in files:
            continue
        status = _read_status(root)
        job = os.path.relpath(root, sweep_dir)
        overrides = " ".join(_overrides(root, status))
        names = [t for t in _job_tables(root) if tables is None or t in tables]
        row = {
            "job": job,
            "overrides": overrides,
            "status": status.get("status"),
            "seconds": status.get("seconds"),
            "tables": " ".join(names),
            "error": _text(status.get("error", "")),
        }
        if row["status"] == "ok":
            why = _hydra_mismatch(root, status)
            if why:
                row.update(status="mismatch", error=why)
        jobs.append(row)
        if row["status"] != "ok":
            continue
        got = {}
        for t in names:
            try:
                got[t] = read_csv(os.path.join(root, t))
            except (OSError, ValueError, csv.Error) as err:
                row.update(status="unreadable", error=f"{os.path.join(root, t)}: {_reason(err)}")
                break
        if row["status"] != "ok":
            continue
        if not names:
            empty.append(row)
        for t, rows in got.items():
            merged.setdefault(t, [])
            merged[t] += [
                {"job": job, "overrides": overrides}
                | {k: v for k, v in r.items() if k not in ("job", "overrides")}
                for r in rows
            ]
    if not jobs:
        raise ValueError(f"sweep_dir: no job folders ({STATUS}) under {brief(str(sweep_dir))}")
    return {
        **merged,
        "jobs": jobs,
        "failures": [j for j in jobs if j["status"] != "ok"],
        "empty": empty,
    }
