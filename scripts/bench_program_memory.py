"""What a compiled scheduler program costs the process: resident memory and memory mappings.

Schedules one design at a time on random GEMMs of growing K (so new step buckets) for the A, W
and AW exploits and four box windows each, and prints after each K: the scheduler's programs
(``sim._program.program`` cache), the process's RSS and mappings, and both per program (the
growth since the first program, over the programs added, so jnp helper programs compiled
with them are counted in). Issue 24 (memory): tells how much of a study's peak RSS compiled
programs can hold before ``sim._program.release_if_crowded`` releases them.

    python scripts/bench_program_memory.py
"""

from __future__ import annotations

import time

import numpy as np

from griffin_jax.design import Core, Design, Window
from griffin_jax.sim import _program
from griffin_jax.sim._gemm import gemm_activity_batch

BOXES = ((1, 0, 0), (2, 1, 0), (4, 1, 1), (8, 2, 0))


def rss_mb() -> float:
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    core = Core(8, 8, 16)
    rng = np.random.default_rng(0)
    a, w = rng.random((64, 64)) < 0.5, rng.random((64, 16)) < 0.5
    gemm_activity_batch([Design(core=core, exploit="AW", window=Window.box(1, 0, 0))], a, w)
    base, n0, m0 = rss_mb(), _program.program.cache_info().currsize, _program.mapping_count()
    limit = _program.mapping_limit()
    print(f"after the first program: RSS {base:.0f} MB, {m0} mappings (limit {limit})")
    t0 = time.time()
    for K in (128, 256, 512, 1024, 2048):
        a, w = rng.random((64, K)) < 0.5, rng.random((K, 16)) < 0.5
        for exploit in ("A", "W", "AW"):
            for box in BOXES:
                gemm_activity_batch(
                    [Design(core=core, exploit=exploit, window=Window.box(*box))], a, w
                )
        n = _program.program.cache_info().currsize - n0
        maps = _program.mapping_count()
        print(
            f"K={K}: {n} new programs, RSS {rss_mb():.0f} MB ({(rss_mb() - base) / max(n, 1):.1f} "
            f"MB each), {maps} mappings ({(maps - m0) / max(n, 1):.0f} each), "
            f"{time.time() - t0:.0f} s",
            flush=True,
        )
    if limit:
        per = (_program.mapping_count() - m0) / max(_program.program.cache_info().currsize - n0, 1)
        keep = _program.MAP_SHARE * limit / per
        each = (rss_mb() - base) / max(_program.program.cache_info().currsize - n0, 1)
        print(
            f"release threshold ({_program.MAP_SHARE} x {limit} mappings) ~ {keep:.0f} programs "
            f"~ {keep * each / 1024:.1f} GB held before a release"
        )


if __name__ == "__main__":
    main()
