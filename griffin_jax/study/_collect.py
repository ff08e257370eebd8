"""Merge the jobs of a multirun into one table, with failures listed instead of lost."""

from __future__ import annotations

import json
import os

from griffin_jax.study._tables import read_csv

TABLES = ("results.csv", "summary.csv")


def _overrides(job_dir: str) -> list:
    path = os.path.join(job_dir, ".hydra", "overrides.yaml")
    try:
        with open(path) as f:
            return [line[2:].strip() for line in f if line.startswith("- ")]
    except OSError:
        return []


def collect_runs(sweep_dir: str, tables=TABLES) -> dict:
    """Read every job folder (one holding ``status.json``) under ``sweep_dir``.

    Returns dict: one merged row list per table name (each row gains ``job`` and ``overrides``
    columns), ``"jobs"`` (one row per job: status, seconds, error) and ``"failures"``.
    """
    if not os.path.isdir(sweep_dir):
        raise ValueError(f"sweep_dir: {sweep_dir!r} is not a directory")
    merged = {t: [] for t in tables}
    jobs = []
    for root, _, files in sorted(os.walk(sweep_dir)):
        if "status.json" not in files:
            continue
        with open(os.path.join(root, "status.json")) as f:
            status = json.load(f)
        job = os.path.relpath(root, sweep_dir)
        overrides = " ".join(_overrides(root))
        jobs.append({"job": job, "overrides": overrides, "status": status.get("status"),
                     "seconds": status.get("seconds"), "error": status.get("error", "")})
        if status.get("status") != "ok":
            continue
        for t in tables:
            path = os.path.join(root, t)
            if os.path.exists(path):
                merged[t] += [{"job": job, "overrides": overrides, **r} for r in read_csv(path)]
    if not jobs:
        raise ValueError(f"sweep_dir: no job folders (status.json) under {sweep_dir!r}")
    return {**merged, "jobs": jobs, "failures": [j for j in jobs if j["status"] != "ok"]}
