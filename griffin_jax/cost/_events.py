"""Schedule-independent event counts of one design on one GEMM (pure numpy functions of masks).

What a design *executes* does not depend on when it executes it: every pending item runs exactly
once (docs/model.md 3.3). So the products, the zero-operand products, the mux selections and the
SRAM
bits of the compressed formats follow from the masks, the tiling (docs/model.md section 2) and the
exploit alone. Only cycles, busy groups and the offsets used come from the scheduler.

Conventions (per GEMM ``Out[M, N] = A[M, K] @ W[K, N]``, core ``R x C x L``):

* products executed (multiplier firings; padded multipliers idle):
  ``none``: ``M N K``; ``A``: every nonzero activation against all ``N`` outputs;
  ``W``: every nonzero weight against all ``M`` outputs; ``AW``: effectual pairs only;
  2:4 structured: ``M N K'`` kept slots when the weights are 2:4, else ``M N K``.
* schedule items (group-lane slots executed): ``A``: ``nnz(A) * n_tiles``; ``W``: ``nnz(W) *
  m_tiles``; ``AW``: effectual pairs; ``none``: products.
* SRAM traffic, operand values read once per output tile that uses them (the output-stationary
  dataflow of docs/model.md section 2), outputs written once at ``b`` bits:
  dense operand: ``b`` bits per value; dynamically skipped operand (A, AW): ``b`` bits per
  nonzero plus a 1-bit mask per element; W static: the offline-scheduled weight frame,
  ``rows x lanes`` slots of ``b + ceil(log2 F)`` bits per cycle (idle slots included: the
  frame is what the weight memory holds for one cycle; real rows ``N / n_tiles`` and real lanes
  ``K / T`` per step, averaged over tiles and steps), charged per cycle by the
  energy model from ``wgt_frame_bits`` / ``wgt_frame_meta_bits``; 2:4: ``K' x N`` values plus a
  2-bit index each. Offset fetch (Cnvlutin, ``fetch="offset"``): activations as (value,
  offset) pairs, ``b + ceil(log2 brick)`` bits per nonzero; each nonzero activation fetches
  the weights of the tile's real rows from its lane's slice, ``nnz(A) N b`` weight bits.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from griffin_jax.cost._area import offset_bits, selector_levels
from griffin_jax.design._core import Design
from griffin_jax.sim._gemm import check_masks


@dataclasses.dataclass(frozen=True)
class Events:
    """Counts of one operating design on one GEMM (Python ints). See the module doc."""

    exploit: str
    structured: str | None
    structured_ok: bool
    M: int
    N: int
    K: int
    rows: int
    cols: int
    lanes: int
    steps: int
    m_tiles: int
    n_tiles: int
    bits: int
    a_nonzeros: int
    w_nonzeros: int
    effectual: int
    executed: int
    items: int
    act_value_bits: int
    act_meta_bits: int
    wgt_value_bits: int
    wgt_meta_bits: int
    wgt_frame_bits: float
    wgt_frame_meta_bits: float
    out_bits: int

    @property
    def macs(self) -> int:
        return self.M * self.N * self.K

    @property
    def ops(self) -> int:
        """Dense-equivalent operations ``2 M N K``."""
        return 2 * self.macs

    @property
    def tiles(self) -> int:
        return self.m_tiles * self.n_tiles

    @property
    def zero_operand_products(self) -> int:
        """Executed products with at least one zero operand."""
        return self.executed - self.effectual

    @property
    def analytic_cycles(self) -> int:
        """Cycles of a design that runs every step (dense core, 2:4 datapath)."""
        return self.tiles * self.steps


def compact_24(w_mask: np.ndarray) -> tuple[bool, int]:
    """``(ok, K')``: whether every aligned group of 4 along K holds <= 2 nonzeros in every
    column, and the compacted reduction length ``K' = sum over groups of min(2, len)``."""
    K, N = w_mask.shape
    pad = (-K) % 4
    padded = np.concatenate([w_mask, np.zeros((pad, N), bool)]) if pad else w_mask
    ok = bool((padded.reshape(-1, 4, N).sum(1) <= 2).all())
    return ok, 2 * (K // 4) + min(2, K % 4)


def selector_bits(fan_in: int) -> int:
    """Metadata bits that name one of ``fan_in`` mux inputs."""
    return selector_levels(fan_in)


def frame_selector_bits(frame_bits, bits: int, fan_in):
    """Selector metadata of a W-static frame of ``frame_bits`` value bits: one selector of
    ``fan_in`` inputs per ``bits``-bit slot (``fan_in`` may be a relaxed JAX scalar)."""
    return frame_bits / bits * selector_levels(fan_in)


def layer_events(
    design: Design,
    a_mask,
    w_mask,
    *,
    bits: int = 8,
    structured: str | None = None,
    fetch: str = "mux",
) -> Events:
    """Events of ``design`` (the operating design) on ``a_mask`` bool ``[M, K]``, ``w_mask`` bool
    ``[K, N]``. ``structured="2:4"`` applies the fixed 2:4 datapath (``design`` must be W with an
    empty window, as ``stc_2to4`` builds it); ``fetch="offset"``: Cnvlutin's offset fetch (an A
    design, module doc)."""
    if not isinstance(design, Design):
        raise ValueError(f"design must be a Design, got {type(design).__name__}")
    if structured not in (None, "2:4"):
        raise ValueError(f"structured must be None or '2:4', got {structured!r}")
    if fetch not in ("mux", "offset") or (fetch == "offset" and design.exploit != "A"):
        raise ValueError(f"fetch must be 'mux', or 'offset' for an A design, got {fetch!r}")
    if isinstance(bits, bool) or not isinstance(bits, int) or bits <= 0:
        raise ValueError(f"bits must be a positive int, got {bits!r}")
    a, w = check_masks(a_mask, w_mask)
    core = design.core
    R, C, L = core.rows, core.cols, core.lanes
    M, K = a.shape
    N = w.shape[1]
    m_tiles, n_tiles = -(-M // C), -(-N // R)
    a_col = a.sum(0, dtype=np.int64)
    w_row = w.sum(1, dtype=np.int64)
    a_nz, w_nz = int(a_col.sum()), int(w_row.sum())
    effectual = int((a_col * w_row).sum())
    dense_products = M * N * K
    exploit = design.exploit
    steps = -(-K // L)
    frame = frame_meta = 0
    a_vals, a_meta = M * K * bits * n_tiles, 0
    w_vals, w_meta = K * N * bits * m_tiles, 0
    ok = False
    if structured == "2:4":
        if exploit != "W" or design.window.size:
            raise ValueError("structured='2:4' needs a W design with an empty window")
        ok, k_kept = compact_24(w)
        if ok:
            steps = -(-k_kept // L)
            executed = items = M * N * k_kept
            w_vals = k_kept * N * bits * m_tiles
            w_meta = k_kept * N * 2 * m_tiles  # 2-bit position of each kept weight in its group
        else:
            executed = items = dense_products
    elif exploit == "none":
        executed = items = dense_products
    elif exploit == "A":
        executed, items = a_nz * N, a_nz * n_tiles
        a_vals, a_meta = a_nz * bits * n_tiles, M * K * n_tiles
        if fetch == "offset":
            a_meta = a_nz * offset_bits(design.window.depth) * n_tiles
            w_vals = a_nz * N * bits
    elif exploit == "W":
        executed, items = w_nz * M, w_nz * m_tiles
        w_vals = 0  # the pre-scheduled frame is charged per cycle
        # A frame holds one slot per real row and real lane; padded lanes (k >= K) and padded
        # rows never hold a weight and are not stored (the dense core is not charged for
        # padding either). Both are averaged (rows per output-channel tile, lanes per step):
        # exact when R divides N and L divides K, or when K <= L and N <= R.
        slots = N / n_tiles * K / steps
        frame = slots * bits
        frame_meta = frame_selector_bits(frame, bits, design.window.fan_in)
    else:  # AW
        executed = items = effectual
        a_vals, a_meta = a_nz * bits * n_tiles, M * K * n_tiles
        w_vals, w_meta = w_nz * bits * m_tiles, K * N * m_tiles
    return Events(
        exploit=exploit,
        structured=structured,
        structured_ok=ok,
        M=M,
        N=N,
        K=K,
        rows=R,
        cols=C,
        lanes=L,
        steps=steps,
        m_tiles=m_tiles,
        n_tiles=n_tiles,
        bits=bits,
        a_nonzeros=a_nz,
        w_nonzeros=w_nz,
        effectual=effectual,
        executed=executed,
        items=items,
        act_value_bits=a_vals,
        act_meta_bits=a_meta,
        wgt_value_bits=w_vals,
        wgt_meta_bits=w_meta,
        wgt_frame_bits=frame,
        wgt_frame_meta_bits=frame_meta,
        out_bits=M * N * bits,
    )
