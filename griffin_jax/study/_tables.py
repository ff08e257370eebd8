"""Tidy result tables: lists of flat dict rows, written as CSV or Markdown without pandas."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence

import numpy as np

from griffin_jax.design._core import Design
from griffin_jax.sim._gemm import gemm_activity_batch


def design_columns(design: Design) -> dict:
    """The columns that name a design in every table."""
    c = design.core
    return {
        "design": design.label(),
        "exploit": design.exploit,
        "window": design.window.label(),
        "sync": design.sync,
        "rows": c.rows,
        "cols": c.cols,
        "lanes": c.lanes,
        "window_size": design.window.size,
        "depth": design.window.depth,
    }


def gemm_cycles_table(
    designs: Sequence[Design], a_mask, w_mask, *, chunk: int | None = None
) -> list:
    """One row per design: cycles, dense cycles and speedup on one GEMM (a_mask ``[M, K]``,
    w_mask ``[K, N]``)."""
    act = gemm_activity_batch(designs, a_mask, w_mask, chunk=chunk)
    rows = []
    for i, d in enumerate(designs):
        rows.append(
            {
                **design_columns(d),
                "cycles": int(act.cycles[i]),
                "dense_cycles": int(act.dense_cycles[i]),
                "speedup": float(act.dense_cycles[i] / act.cycles[i]),
            }
        )
    return rows


def write_csv(rows: Sequence[dict], path) -> str:
    """Write rows (flat dicts; the union of keys, in first-seen order) as CSV. Returns the path."""
    keys: list = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def read_csv(path) -> list:
    """Rows of a CSV written by ``write_csv`` (values as strings)."""
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{v:.4g}"
    return str(v)


def format_table(rows: Sequence[dict], columns: Sequence[str] | None = None, markdown=False) -> str:
    """A fixed-width (or Markdown) text table of ``columns`` (default: all keys of row 0)."""
    if not rows:
        return "(no rows)"
    cols = list(columns or rows[0].keys())
    cells = [[_fmt(r.get(c, "")) for c in cols] for r in rows]
    width = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    out = io.StringIO()
    if markdown:
        out.write("| " + " | ".join(c.ljust(w) for c, w in zip(cols, width)) + " |\n")
        out.write("|" + "|".join("-" * (w + 2) for w in width) + "|\n")
        for row in cells:
            out.write("| " + " | ".join(v.ljust(w) for v, w in zip(row, width)) + " |\n")
    else:
        out.write("  ".join(c.rjust(w) for c, w in zip(cols, width)) + "\n")
        for row in cells:
            out.write("  ".join(v.rjust(w) for v, w in zip(row, width)) + "\n")
    return out.getvalue()
