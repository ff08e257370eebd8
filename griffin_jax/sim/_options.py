"""``SimOptions``: how the scheduler runs (chunking, devices, tile sampling), one typed value.

Every layer above the simulator (the cost model's per-layer loop, the studies, the claims, the
derivation, validation, sensitivity and the CLI) passes one ``SimOptions`` down to
``gemm_activity_batch`` instead of a loose dict, so a misspelt option is an error where it is
made, not deep inside a run. None of the options changes an exact result: ``chunk``,
``devices`` and ``strategy`` only change how the work is laid out; ``sample`` switches to
tile-sampled estimates (marked ``sampled`` in every table).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping

import numpy as np

from griffin_jax._checks import check_choice, check_int
from griffin_jax.sim._program import DEFAULT_MEMORY_GB

_INF = float("inf")

STRATEGIES = (None, "map", "vmap")


@dataclasses.dataclass(frozen=True)
class SimOptions:
    """Options of a scheduler run (``gemm_activity_batch``).

    Fields:
      chunk: tiles per compiled call ("map") or design-tile pairs per call ("vmap"); ``None``:
        by device (512 on CPU, 65536 on accelerators). Bounds memory; results do not change.
      devices: devices to shard designs and tiles over (``None``: every device of JAX's default
        backend). Results do not depend on the device count.
      sample: ``None`` for exact schedules, else the fraction in (0, 1] of each layer's tiles
        scheduled (at least ``min_tiles``); counts are then scaled estimates with a standard
        error, and reports are marked ``sampled``.
      min_tiles: int >= 2, the smallest tile sample; seed: int >= 0, the tile sample's seed.
      strategy: ``None`` (by device), ``"map"`` or ``"vmap"``: how the designs of a compile
        bucket are laid out (same results either way).
      bucket_windows: windows the compiled programs must also serve (``Window`` s of the same
        exploits as the designs): a caller that runs many small batches of different designs
        (the search's exact evaluator) passes the largest, so every batch reuses one program.
      memory_gb: float > 0 or ``None``: the scheduler's memory budget in GB. The data in
        flight (chunks, their host copies, the kernel's state) stays within about half of it,
        by sizing the tile chunks; the compiled programs kept stay within it (least recently
        used dropped, compiled or loaded again when needed). The default
        (``DEFAULT_MEMORY_GB``, 1 GB) keeps the paper study under 4 GB. ``None``: chunks by
        device only, programs kept until the memory mappings crowd. Results do not depend on
        it.
    """

    chunk: int | None = None
    devices: tuple | None = None
    sample: float | None = None
    min_tiles: int = 32
    seed: int = 0
    strategy: str | None = None
    bucket_windows: tuple = ()
    memory_gb: float | None = DEFAULT_MEMORY_GB

    def __post_init__(self):
        check_int("SimOptions.chunk", self.chunk, 1, optional=True)
        s = self.sample
        if s is not None and (
            isinstance(s, bool) or not isinstance(s, (int, float, np.floating)) or not 0 < s <= 1
        ):
            raise ValueError(f"SimOptions.sample must be None or a fraction in (0, 1], got {s!r}")
        check_int("SimOptions.min_tiles", self.min_tiles, 2)
        check_int("SimOptions.seed", self.seed, 0)
        check_choice("SimOptions.strategy", self.strategy, STRATEGIES)
        m = self.memory_gb
        if m is not None and (
            isinstance(m, bool) or not isinstance(m, (int, float, np.floating)) or not 0 < m < _INF
        ):
            raise ValueError(f"SimOptions.memory_gb must be None or a positive number, got {m!r}")
        if m is not None:
            object.__setattr__(self, "memory_gb", float(m))
        if self.devices is not None:
            if isinstance(self.devices, (str, bytes)) or not hasattr(self.devices, "__iter__"):
                raise ValueError(
                    f"SimOptions.devices must be None or a sequence of jax.Device, got "
                    f"{type(self.devices).__name__}"
                )
            object.__setattr__(self, "devices", tuple(self.devices))
        if s is not None:
            object.__setattr__(self, "sample", float(s))
        from griffin_jax.design._core import Window

        wins = tuple(self.bucket_windows)
        if not all(isinstance(w, Window) for w in wins):
            raise ValueError("SimOptions.bucket_windows must be a sequence of Window")
        object.__setattr__(self, "bucket_windows", wins)

    @property
    def sampled(self) -> bool:
        return self.sample is not None

    def kwargs(self) -> dict:
        """Keyword arguments of ``gemm_activity_batch`` (only the ones that are set)."""
        # memory_gb always: its None (no budget) differs from the entry point's default.
        out = {"min_tiles": self.min_tiles, "seed": self.seed, "memory_gb": self.memory_gb}
        if self.bucket_windows:
            out["bucket_windows"] = self.bucket_windows
        for k in ("chunk", "devices", "sample", "strategy"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        return out

    def replace(self, **changes) -> SimOptions:
        return dataclasses.replace(self, **changes)


_FIELDS = tuple(f.name for f in dataclasses.fields(SimOptions))


def sim_options(value=None, where: str = "sim") -> SimOptions:
    """``value`` as ``SimOptions``: ``None`` (defaults), a ``SimOptions``, or (deprecated) a
    dict of its fields; ``ValueError`` naming ``where`` otherwise."""
    if value is None:
        return SimOptions()
    if isinstance(value, SimOptions):
        return value
    if isinstance(value, Mapping):
        warnings.warn(
            f"{where}: a dict of scheduler options is deprecated; pass "
            "griffin_jax.SimOptions(...) instead",
            DeprecationWarning,
            stacklevel=3,
        )
        unknown = sorted(set(value) - set(_FIELDS))
        if unknown:
            raise ValueError(f"{where}: unknown scheduler option(s) {unknown}; known: {_FIELDS}")
        return SimOptions(**dict(value))
    raise ValueError(f"{where} must be a SimOptions (or None), got {type(value).__name__}")
