"""Run folders: what a job writes, records and may remove.

A job's folder holds ``status.json`` (ok / failed / interrupted, seconds per phase, the config,
the outputs) and a manifest, ``manifest.json``: every file the job is about to write is listed
there *before* it is written, and files are written under a temporary name and renamed when
complete, so a table never looks complete when it is not. A later run into the same folder
(a retry of a failed run, or ``runtime.overwrite=true``) removes exactly the files its
predecessor's manifest lists, nothing else, and never writes over a file no manifest listed: a
user's own file in the folder always survives, whatever its name or age. A finished run also
keeps a copy of Hydra's files of its launch (``snapshot_hydra``), so that a later launch that
does not run there can put them back (``restore_hydra``).
"""

from __future__ import annotations

import datetime
import json
import os
import re
import time

STATUS = "status.json"
MANIFEST = "manifest.json"
# Hydra's record of a job (in its ``hydra.output_subdir``, ``.hydra``): a finished run keeps a
# copy in its status, so that a later launch that Hydra let overwrite them but that did not run
# (refused, skipped, a bad value) can put them back as the run's tables were made.
HYDRA_FILES = ("config.yaml", "hydra.yaml", "overrides.yaml")
_HYDRA_FILE_BYTES = 1 << 20


def _peak_rss_gb(reset: bool = False) -> float | None:
    """This process's peak resident set (``VmHWM``) in GB since the last reset; ``reset`` then
    starts a new peak (Linux ``clear_refs``). ``None`` where ``/proc`` does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            kb = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
        if reset:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
                f.write("5")
    except (OSError, StopIteration, ValueError):
        return None
    return kb / 2**20


class Phases:
    """Wall-clock seconds and peak resident memory per named phase of a job: ``start(name)``
    ends the phase before it. ``peaks``: GB per phase, the highest RSS while it ran (Linux;
    empty elsewhere); ``peak_gb``: the whole job's. Each phase restarts the kernel's peak,
    which ``getrusage`` also reports: measured from outside (``/usr/bin/time``), a job's peak
    is its last phase's; ``peak_gb`` (``status.json`` ``peak_rss_gb``) is the whole job's."""

    def __init__(self):
        self.seconds: dict = {}
        self.peaks: dict = {}
        self.peak_gb: float | None = None
        self._name, self._t = None, 0.0
        _peak_rss_gb(reset=True)

    def start(self, name: str | None) -> None:
        now = time.perf_counter()
        peak = _peak_rss_gb(reset=True)
        if peak is not None:
            self.peak_gb = max(self.peak_gb or 0.0, peak)
        if self._name is not None:
            self.seconds[self._name] = self.seconds.get(self._name, 0.0) + now - self._t
            if peak is not None:
                self.peaks[self._name] = round(max(self.peaks.get(self._name, 0.0), peak), 3)
        self._name, self._t = name, now

    def stop(self) -> dict:
        self.start(None)
        return {k: round(v, 3) for k, v in self.seconds.items()}

    def memory(self) -> dict:
        """``status.json``'s memory record: ``peak_rss_gb`` of the job and per phase."""
        whole = None if self.peak_gb is None else round(self.peak_gb, 3)
        return {"peak_rss_gb": whole, "phase_peak_rss_gb": dict(self.peaks)}


def new_run_id() -> str:
    """A run's id: its start date and time to the microsecond (``2026-11-30T06-20-01-123456``)."""
    return datetime.datetime.now().strftime("%Y-%m-%dT%H-%M-%S-%f")


def read_status(out_dir: str) -> dict | None:
    try:
        with open(os.path.join(out_dir, STATUS), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _plain_subdir(subdir) -> bool:
    return (
        isinstance(subdir, str)
        and subdir not in ("", ".", "..")
        and os.path.basename(subdir) == subdir
    )


def snapshot_hydra(out_dir: str, subdir) -> dict:
    """Hydra's files of this job (``HYDRA_FILES`` in ``out_dir/subdir``) as texts, for the
    status (``restore_hydra``); ``{}`` when there are none."""
    if not _plain_subdir(subdir):
        return {}
    files = {}
    for name in HYDRA_FILES:
        try:
            with open(os.path.join(out_dir, subdir, name), encoding="utf-8") as f:
                text = f.read(_HYDRA_FILE_BYTES + 1)
        except (OSError, ValueError):
            continue
        if len(text) <= _HYDRA_FILE_BYTES:
            files[name] = text
    return {"subdir": subdir, "files": files} if files else {}


def restore_hydra(out_dir: str, status: dict | None) -> bool:
    """Put back the Hydra files a finished run recorded (``snapshot_hydra``) after Hydra wrote
    those of a launch that then did not run; returns whether there was a record."""
    record = (status or {}).get("hydra")
    if not isinstance(record, dict) or not _plain_subdir(record.get("subdir")):
        return False
    files = record.get("files")
    if not isinstance(files, dict):
        return False
    folder = os.path.join(out_dir, record["subdir"])
    for name, text in files.items():
        if name in HYDRA_FILES and isinstance(text, str) and os.path.isdir(folder):
            _atomic_text(os.path.join(folder, name), text)
    return True


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
    pattern = rf"\.{re.escape(root)}\.partial-\d+{re.escape(ext)}"
    return re.fullmatch(pattern, candidate) is not None


def _atomic(path: str, write) -> None:
    """``write(tmp)`` then rename ``tmp`` to ``path``; a write that fails (or is interrupted)
    leaves no temporary file behind and ``path`` as it was."""
    tmp = _partial(path)
    try:
        os.replace(str(write(tmp) or tmp), path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise


def _atomic_text(path: str, text: str) -> None:
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)

    _atomic(path, write)


def write_status(out_dir: str, **fields) -> None:
    _atomic_text(os.path.join(out_dir, STATUS), json.dumps(fields, indent=2, default=str))


def _manifest(out_dir: str) -> dict:
    try:
        with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("files"), list) else {}


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
        for f in _listdir(out_dir):  # what a killed run left half-written
            if _is_partial_of(name, f) and os.path.isfile(os.path.join(out_dir, f)):
                os.remove(os.path.join(out_dir, f))
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
        """Register ``name`` (a file of this folder) and return its final path. A file of
        that name that this run did not write (a user's: no manifest listed it, so
        ``clear_previous`` left it) is never replaced: ``ValueError`` naming it."""
        if os.path.basename(name) != name or name in (STATUS, MANIFEST, "", ".", ".."):
            raise ValueError(f"an output is a plain file name of the run folder, got {name!r}")
        path = os.path.join(self.out_dir, name)
        if name not in self._record["files"]:
            if os.path.lexists(path):
                raise ValueError(
                    f"hydra.run.dir: {path} exists and no run's manifest lists it (a file of "
                    "yours?); it is never replaced: move it away or choose another folder"
                )
            self._record["files"].append(name)
            self._save()
        return path

    def text(self, name: str, text: str) -> str:
        path = self.path(name)
        _atomic_text(path, text)
        return path

    def table(self, name: str, rows) -> str:
        from griffin_jax.study import write_csv

        path = self.path(name)
        _atomic(path, lambda tmp: write_csv(rows, tmp))
        return path

    def plot(self, name: str, draw) -> str:
        path = self.path(name)
        _atomic(path, draw)
        return path

    @property
    def files(self) -> list:
        return list(self._record["files"])
