"""Merge the jobs of a multirun into one table per table name, with failures listed, not lost."""

from __future__ import annotations

import json
import os

from griffin_jax.study._tables import read_csv

STATUS = "status.json"


def _overrides(job_dir: str) -> list:
    path = os.path.join(job_dir, ".hydra", "overrides.yaml")
    try:
        with open(path) as f:
            return [line[2:].strip() for line in f if line.startswith("- ")]
    except OSError:
        return []


def _job_tables(job_dir: str) -> list:
    return sorted(
        f
        for f in os.listdir(job_dir)
        if f.endswith(".csv") and os.path.isfile(os.path.join(job_dir, f))
    )


def collect_runs(sweep_dir: str, tables=None) -> dict:
    """Read every job folder (one holding ``status.json``) under ``sweep_dir``.

    ``tables``: the CSV file names to merge; ``None`` merges every CSV any finished job wrote
    (``results.csv``, ``summary.csv``, ``overview.csv`` of the study, ``cycles.csv`` of quick,
    ``claims.csv`` of paper, ``search_history.csv``, ...).

    Returns dict: one merged row list per table name (each row gains ``job`` and ``overrides``
    columns), ``"jobs"`` (one row per job: status, seconds, tables, error), ``"failures"`` (the
    jobs that did not finish) and ``"empty"`` (finished jobs with no table to merge).
    """
    if not os.path.isdir(sweep_dir):
        raise ValueError(f"sweep_dir: {sweep_dir!r} is not a directory")
    merged: dict = {t: [] for t in (tables or ())}
    jobs, empty = [], []
    for root, dirs, files in os.walk(sweep_dir):
        dirs.sort()
        if STATUS not in files:
            continue
        try:
            with open(os.path.join(root, STATUS)) as f:
                status = json.load(f)
        except (OSError, ValueError) as err:
            status = {"status": "unreadable", "error": f"{STATUS}: {err}"}
        job = os.path.relpath(root, sweep_dir)
        overrides = " ".join(_overrides(root))
        names = [t for t in _job_tables(root) if tables is None or t in tables]
        row = {
            "job": job,
            "overrides": overrides,
            "status": status.get("status"),
            "seconds": status.get("seconds"),
            "tables": " ".join(names),
            "error": status.get("error", ""),
        }
        jobs.append(row)
        if row["status"] != "ok":
            continue
        if not names:
            empty.append(row)
        for t in names:
            merged.setdefault(t, [])
            merged[t] += [
                {"job": job, "overrides": overrides, **r} for r in read_csv(os.path.join(root, t))
            ]
    if not jobs:
        raise ValueError(f"sweep_dir: no job folders ({STATUS}) under {sweep_dir!r}")
    return {
        **merged,
        "jobs": jobs,
        "failures": [j for j in jobs if j["status"] != "ok"],
        "empty": empty,
    }
