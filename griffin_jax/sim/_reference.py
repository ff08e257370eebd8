"""The slow, obviously-correct scheduler, written straight from the spec text (sections 1-3).

Nothing here is vectorised or clever: it loops over cycles, offsets, groups and lanes in plain
Python so that a reader can check it line by line against ``docs/model.md``. The fast JAX
path (``_kernel``) is tested against it exactly.
"""

from __future__ import annotations

import math

import numpy as np

from griffin_jax.design._core import SYNCS, Design, Window, validate_window
from griffin_jax.sim._gemm import check_bool_array, check_masks

MAX_LANES = 64  # as the fast path (``tile_activity``)


def _check_tile(pending, offsets, sync: str) -> tuple:
    """The fast path's checks (``tile_activity``) on the reference's ``[P, G, T, L]`` input:
    ``ValueError`` naming the argument, so both reject the same inputs."""
    arr = check_bool_array("pending", pending, 4, "[P, G, T, L]")
    if sync not in SYNCS:
        raise ValueError(f"sync must be one of {SYNCS}, got {sync!r}")
    L = arr.shape[3]
    if L > MAX_LANES:
        raise ValueError(f"pending has {L} lanes; at most {MAX_LANES} are supported")
    if isinstance(offsets, (str, bytes)):
        raise ValueError("offsets must be a sequence of (dt, dl, dg)")
    try:
        window = offsets if isinstance(offsets, Window) else Window(offsets)
    except TypeError:
        raise ValueError("offsets must be a sequence of (dt, dl, dg)") from None
    validate_window(window, L, sync)
    return arr, list(window.as_tuples())


def reference_tile(pending, offsets, sync: str = "core") -> dict:
    """Schedule one tile.

    Args:
      pending: bool ``[P, G, T, L]``: ``P`` independent rows of groups that share the step pointer
        (the AW core's DPU rows; 1 otherwise), ``G`` groups along which ``dg`` moves (no wrap),
        ``T`` steps, ``L`` lanes.
      offsets: list of ``(dt, dl, dg)``, priority order, own slot excluded.
      sync: "core" or "group".

    Returns: dict with ``cycles`` (int), ``taken`` (list: work executed through the own slot and
      through each offset, in order), ``busy_group_cycles`` (sum over cycles of groups that
      executed at least one product), ``tree_group_cycles`` (list like ``taken``: at the first
      offset of each distinct dg != 0, the sum over cycles of groups that took work through that
      dg) and ``group_cycles`` (sum over groups of the cycles their scheduler runs).
    ``ValueError`` on what the fast path refuses (not bool, not 4-D, empty, more than 64
    lanes, a malformed offset, ``|dl| >= L``, an unknown sync or ``dg`` offsets under
    ``sync="group"``).
    """
    pend, offsets = _check_tile(pending, offsets, sync)
    pend = np.array(pend, dtype=bool, copy=True)
    P, G, T, L = pend.shape
    if sync == "group":
        # Every group has its own pointer; with no dg offsets the groups never interact.
        n = len(offsets) + 1
        total = {
            "cycles": 0,
            "taken": [0] * n,
            "busy_group_cycles": 0,
            "tree_group_cycles": [0] * n,
            "group_cycles": 0,
        }
        for p in range(P):
            for g in range(G):
                one = reference_tile(pend[p : p + 1, g : g + 1], offsets, "core")
                total["cycles"] = max(total["cycles"], one["cycles"])
                total["taken"] = [a + b for a, b in zip(total["taken"], one["taken"])]
                total["busy_group_cycles"] += one["busy_group_cycles"]
                total["group_cycles"] += one["cycles"]
        return total

    window = [(0, 0, 0)] + [tuple(o) for o in offsets]
    depth = max((o[0] for o in offsets), default=0)
    taken = [0] * len(window)
    trees = [0] * len(window)
    # The extra adder tree of a dg is counted at the first offset that has that dg.
    tree_slot = [next(j for j, o in enumerate(window) if o[2] == dg) for (_, _, dg) in window]
    busy_group_cycles = 0
    t0 = 0
    cycles = 0
    while t0 < T:
        cycles += 1
        free = np.ones((P, G, L), dtype=bool)
        took_via = {}  # tree slot -> set of (p, g) that took work through that dg this cycle
        for i, (dt, dl, dg) in enumerate(window):
            t = t0 + dt
            if t >= T:
                continue
            for p in range(P):
                for g in range(G):
                    src_g = g + dg
                    if not 0 <= src_g < G:  # groups do not wrap
                        continue
                    for lane in range(L):
                        src_l = (lane + dl) % L  # lanes wrap inside the DPU
                        if free[p, g, lane] and pend[p, src_g, t, src_l]:
                            pend[p, src_g, t, src_l] = False
                            free[p, g, lane] = False
                            taken[i] += 1
                            if dg != 0:
                                took_via.setdefault(tree_slot[i], set()).add((p, g))
        busy_group_cycles += int((~free).any(axis=2).sum())
        for slot, who in took_via.items():
            trees[slot] += len(who)
        nxt = T
        for t in range(t0 + 1, T):
            if pend[:, :, t, :].any():
                nxt = t
                break
        t0 = min(nxt, t0 + depth + 1)
    return {
        "cycles": cycles,
        "taken": taken,
        "busy_group_cycles": busy_group_cycles,
        "tree_group_cycles": trees,
        "group_cycles": cycles * P * G,
    }


def reference_pending(design: Design, a_tile, w_tile):
    """Pending work ``[P, G, T, L]`` of one output tile (spec table 3.1).

    ``a_tile``: bool ``[C, K]`` (activation rows of the tile's columns, zero rows for padding).
    ``w_tile``: bool ``[K, R]`` (weight columns of the tile's rows, zero columns for padding).
    """
    if not isinstance(design, Design):
        raise ValueError(f"design must be a Design, got {type(design).__name__}")
    a_tile, w_tile = check_masks(a_tile, w_tile)
    core = design.core
    if a_tile.shape[0] > core.cols or w_tile.shape[1] > core.rows:
        raise ValueError(
            f"a tile is at most [C={core.cols}, K] x [K, R={core.rows}], got "
            f"{a_tile.shape} x {w_tile.shape}"
        )
    R, C, L = core.rows, core.cols, core.lanes
    K = a_tile.shape[1]
    T = math.ceil(K / L)
    a = np.zeros((C, T * L), bool)
    a[:, :K] = a_tile
    w = np.zeros((T * L, R), bool)
    w[:K, :] = w_tile
    if design.exploit == "A":
        out = np.zeros((1, C, T, L), bool)
        for c in range(C):
            for t in range(T):
                for lane in range(L):
                    out[0, c, t, lane] = a[c, t * L + lane]
    elif design.exploit == "W":
        out = np.zeros((1, R, T, L), bool)
        for r in range(R):
            for t in range(T):
                for lane in range(L):
                    out[0, r, t, lane] = w[t * L + lane, r]
    elif design.exploit == "AW":
        out = np.zeros((R, C, T, L), bool)
        for r in range(R):
            for c in range(C):
                for t in range(T):
                    for lane in range(L):
                        k = t * L + lane
                        out[r, c, t, lane] = a[c, k] and w[k, r]
    else:
        raise ValueError(f"exploit {design.exploit!r} has no pending work")
    return out


def reference_gemm(design: Design, a_mask, w_mask) -> dict:
    """Layer-level reference: tile the GEMM (spec section 2) and schedule every tile.

    Returns dict with ``cycles``, ``dense_cycles``, ``tiles``, ``taken`` and ``busy_group_cycles``.
    Refuses what ``simulate_gemm`` refuses (``ValueError``: not a ``Design``, masks not bool
    ``[M, K]`` / ``[K, N]``).
    """
    if not isinstance(design, Design):
        raise ValueError(f"design must be a Design, got {type(design).__name__}")
    a_mask, w_mask = check_masks(a_mask, w_mask)
    M, K = a_mask.shape
    N = w_mask.shape[1]
    core = design.core
    R, C, L = core.rows, core.cols, core.lanes
    T = math.ceil(K / L)
    offsets = list(design.window.as_tuples())
    n_mt, n_nt = math.ceil(M / C), math.ceil(N / R)
    n = len(offsets) + 1
    out = {
        "cycles": 0,
        "dense_cycles": 0,
        "tiles": n_mt * n_nt,
        "taken": [0] * n,
        "busy_group_cycles": 0,
        "tree_group_cycles": [0] * n,
        "group_cycles": 0,
        "row_cycles": 0,
        "col_cycles": 0,
    }
    for i in range(n_mt):
        a_tile = np.zeros((C, K), bool)
        rows = a_mask[i * C : (i + 1) * C]
        a_tile[: rows.shape[0]] = rows
        for j in range(n_nt):
            w_tile = np.zeros((K, R), bool)
            cols = w_mask[:, j * R : (j + 1) * R]
            w_tile[:, : cols.shape[1]] = cols
            out["dense_cycles"] += T
            if design.exploit == "none":
                out["cycles"] += T
                continue
            res = reference_tile(reference_pending(design, a_tile, w_tile), offsets, design.sync)
            out["cycles"] += res["cycles"]
            for key in ("taken", "tree_group_cycles"):
                out[key] = [x + y for x, y in zip(out[key], res[key])]
            out["busy_group_cycles"] += res["busy_group_cycles"]
            out["group_cycles"] += res["group_cycles"]
            out["row_cycles"] += res["cycles"] * cols.shape[1]
            out["col_cycles"] += res["cycles"] * rows.shape[0]
    return out
