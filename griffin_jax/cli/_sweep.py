"""Sweeps (``-m``): what a job does with a folder that holds a finished run, and the sweep's
exit status.

Hydra writes a job's ``.hydra/`` files before the job runs, so a rerun of a sweep into the same
folders could leave a finished job's tables beside another config. A job whose folder holds a
finished run compares the config that run was made with (its ``status.json``) with its own,
leaving out the keys that do not change results (``study.RUNTIME_KEYS``): the same config is
skipped (``runtime.skip_finished``); another config is refused in one line naming the job and
the keys that differ, unless ``runtime.overwrite=true`` reruns it. A job that does not run puts
back the ``.hydra/`` files of the run whose tables are there.

Hydra returns normally from a sweep whose jobs failed, and a launcher may run jobs in other
processes, so every job records its outcome in a file under the sweep folder
(``JOBS_DIR/<job number>.json``); the callback reads them when the sweep ends, and
``griffin-jax -m`` exits 1 when a job failed or was refused.
"""

from __future__ import annotations

import json
import os
import re

from griffin_jax.cli import _rundir
from griffin_jax.study._collect import config_diff, describe_diff

JOBS_DIR = ".griffin_jax_jobs"
# statuses of a job outcome that make the sweep fail
FAILED = ("failed", "refused", "interrupted")
_last: dict = {}
# a record, or its temporary name while it is written (``_rundir._partial``)
_RECORD = re.compile(r"^(\d+|\.\d+\.partial-\d+)\.json$")


def decide(out_dir: str, config: dict, *, skip_finished: bool, overwrite: bool):
    """What a sweep job does with its folder: ``("run", "")``, ``("skip", why)`` or
    ``("refuse", why)`` (``why`` names the job folder and the keys that differ)."""
    status = _rundir.read_status(out_dir)
    if status is None or status.get("status") != "ok":
        return "run", ""
    keys = config_diff(status.get("config") or {}, config)
    if not keys:
        if skip_finished:
            return "skip", f"{out_dir}: already finished with this config"
        if overwrite:
            return "run", ""
        return "refuse", (
            f"{out_dir}: holds a finished run (runtime.skip_finished=false; "
            "runtime.overwrite=true reruns it)"
        )
    if overwrite:
        return "run", ""
    return "refuse", (
        f"{out_dir}: holds a finished run made with another config (differs at "
        f"{describe_diff(keys)}); runtime.overwrite=true reruns it, or choose another "
        "hydra.sweep.dir"
    )


def _jobs_dir(sweep_dir: str) -> str:
    return os.path.join(sweep_dir, JOBS_DIR)


def record(sweep_dir: str, num, job: str, status: str, error: str = "") -> None:
    """One job's outcome (``ok``, ``skipped``, ``failed``, ``refused``, ``interrupted``)."""
    folder = _jobs_dir(sweep_dir)
    try:
        os.makedirs(folder, exist_ok=True)
        _rundir._atomic_text(
            os.path.join(folder, f"{int(num)}.json"),
            json.dumps({"job": job, "status": status, "error": error}),
        )
    except (OSError, ValueError, TypeError):
        pass  # the job's own status.json still holds its outcome


def _records(sweep_dir: str) -> list:
    folder = _jobs_dir(sweep_dir)
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".json"))
    except OSError:
        return []
    out = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            out.append(data)
    return out


def clear(sweep_dir: str) -> None:
    """Remove the outcome records (only the files this module writes) and their folder."""
    folder = _jobs_dir(sweep_dir)
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if _RECORD.match(name):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:
                pass
    try:
        os.rmdir(folder)
    except OSError:
        pass


def start(sweep_dir: str) -> None:
    """Before a sweep's jobs run (the main process): forget earlier launches' outcomes."""
    _last.clear()
    _last["sweep_dir"] = sweep_dir
    clear(sweep_dir)


def end(sweep_dir: str) -> None:
    """After the sweep (the main process): keep its outcomes for ``failures``."""
    _last["sweep_dir"] = sweep_dir
    _last["outcomes"] = _records(sweep_dir)
    clear(sweep_dir)


def failures() -> list | None:
    """The outcomes of the last sweep of this process that failed (``None``: no sweep ran)."""
    if "outcomes" not in _last:
        return None
    return [o for o in _last["outcomes"] if o.get("status") in FAILED]
