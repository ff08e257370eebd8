"""Run folders: what a job writes, records and may remove.

A job's folder holds ``status.json`` (ok / failed / interrupted, seconds per phase, the config,
the outputs) and a manifest, ``manifest.json``: every file the job is about to write is listed
there *before* it is written, and files are written under a temporary name and renamed when
complete, so a table never looks complete when it is not. A later run into the same folder
(a retry of a failed run, or ``runtime.overwrite=true``) removes exactly the files its
predecessor's manifest lists, nothing else: a user's own file in the folder always survives.
"""

from __future__ import annotations

import datetime
import json
import os
import time

STATUS = "status.json"
MANIFEST = "manifest.json"


class Phases:
    """Wall-clock seconds per named phase of a job: ``start(name)`` ends the phase before it."""

    def __init__(self):
        self.seconds: dict = {}
        self._name, self._t = None, 0.0

    def start(self, name: str | None) -> None:
        now = time.perf_counter()
        if self._name is not None:
            self.seconds[self._name] = self.seconds.get(self._name, 0.0) + now - self._t
        self._name, self._t = name, now

    def stop(self) -> dict:
        self.start(None)
        return {k: round(v, 3) for k, v in self.seconds.items()}


def new_run_id() -> str:
    """A run's id: its start date and time to the microsecond (``2026-11-30T06-20-01-123456``)."""
    return datetime.datetime.now().strftime("%Y-%m-%dT%H-%M-%S-%f")


def read_status(out_dir: str) -> dict | None:
    try:
        with open(os.path.join(out_dir, STATUS)) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def finished(out_dir: str) -> bool:
    """Whether ``out_dir`` holds a run that finished successfully."""
    status = read_status(out_dir)
    return status is not None and status.get("status") == "ok"


def _partial(path: str) -> str:
    """Where ``path`` is written until it is complete: a hidden name in the same folder that
    keeps the suffix (plot libraries choose the format by it)."""
    folder, name = os.path.split(path)
    root, ext = os.path.splitext(name)
    return os.path.join(folder, f".{root}.partial-{os.getpid()}{ext}")


def _is_partial_of(name: str, candidate: str) -> bool:
    root, ext = os.path.splitext(name)
    return candidate.startswith(f".{root}.partial-") and candidate.endswith(ext)


def _atomic_text(path: str, text: str) -> None:
    tmp = _partial(path)
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def write_status(out_dir: str, **fields) -> None:
    _atomic_text(os.path.join(out_dir, STATUS), json.dumps(fields, indent=2, default=str))


def _manifest(out_dir: str) -> dict:
    try:
        with open(os.path.join(out_dir, MANIFEST)) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def clear_previous(out_dir: str) -> list:
    """Remove what the previous run in ``out_dir`` wrote (its manifest's files, their
    temporary names, its status and manifest) and nothing else; returns the removed paths."""
    old = _manifest(out_dir)
    removed = []
    names = [n for n in old.get("files", []) if isinstance(n, str)]
    for name in names:
        if os.path.basename(name) != name or name in (STATUS, MANIFEST):
            continue  # a manifest only ever names files of its own folder
        for path in [os.path.join(out_dir, name)] + [
            os.path.join(out_dir, f) for f in _listdir(out_dir) if _is_partial_of(name, f)
        ]:
            if os.path.isfile(path):
                os.remove(path)
                removed.append(path)
    for name in (STATUS, MANIFEST):
        path = os.path.join(out_dir, name)
        if os.path.isfile(path) and (old or name == STATUS):
            os.remove(path)
    return removed


def _listdir(out_dir: str) -> list:
    try:
        return os.listdir(out_dir)
    except OSError:
        return []


class Writer:
    """Writes one job's files into its folder: each file's name enters the manifest before the
    file is written, and the file appears under its name only when complete."""

    def __init__(self, out_dir: str, experiment: str, run_id: str):
        self.out_dir = out_dir
        self._record = {"experiment": experiment, "run_id": run_id, "files": []}
        self._save()

    def _save(self) -> None:
        _atomic_text(os.path.join(self.out_dir, MANIFEST), json.dumps(self._record, indent=2))

    def path(self, name: str) -> str:
        """Register ``name`` (a file of this folder) and return its final path."""
        if os.path.basename(name) != name or name in (STATUS, MANIFEST):
            raise ValueError(f"an output is a plain file name of the run folder, got {name!r}")
        if name not in self._record["files"]:
            self._record["files"].append(name)
            self._save()
        return os.path.join(self.out_dir, name)

    def text(self, name: str, text: str) -> str:
        path = self.path(name)
        _atomic_text(path, text)
        return path

    def table(self, name: str, rows) -> str:
        from griffin_jax.study import write_csv

        path = self.path(name)
        tmp = _partial(path)
        write_csv(rows, tmp)
        os.replace(tmp, path)
        return path

    def plot(self, name: str, draw) -> str:
        path = self.path(name)
        tmp = _partial(path)
        os.replace(str(draw(tmp)), path)
        return path

    @property
    def files(self) -> list:
        return list(self._record["files"])
