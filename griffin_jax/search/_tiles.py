"""The workload mix as the relaxation reads it: checked workloads, and per exploit the layers'
schedule-independent events and their tiles' pending arrays (``ExploitData``).

Everything here runs once per mix on the host (numpy); the jitted relaxed formulas
(``_relax``) take the result as traced arrays, so mixes of the same shapes share their compiled
programs.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from griffin_jax.cost._evaluate import category_masks
from griffin_jax.cost._events import layer_events
from griffin_jax.design._core import Core, Design, Window
from griffin_jax.workloads._workload import CATEGORIES, as_workloads


def check_workloads(workloads) -> list:
    """Validate a workload mix: ``Workload``s with a category (``weight``: how often each runs),
    or ``(name, layers, category, weight)`` tuples with ``layers`` as ``GemmLayer``s or
    ``(layer_name, a_mask bool [M, K], w_mask bool [K, N], multiplicity)``. Returns a list of
    ``Workload`` with the masks densified for the category (``cost.category_masks``)."""
    out = []
    for i, wl in enumerate(as_workloads(workloads)):
        if wl.category is None:
            raise ValueError(
                f"workloads[{i}] ({wl.name}): category must be one of {CATEGORIES}, got None"
            )
        layers = tuple(
            layer.replace(
                **dict(
                    zip(
                        ("a_mask", "w_mask"),
                        category_masks(layer.a_mask, layer.w_mask, wl.category),
                    )
                )
            )
            for layer in wl.layers
        )
        out.append(wl.replace(layers=layers))
    return out


EVENT_FIELDS = (
    "M",
    "N",
    "K",
    "steps",
    "m_tiles",
    "n_tiles",
    "executed",
    "items",
    "act_value_bits",
    "act_meta_bits",
    "wgt_value_bits",
    "wgt_meta_bits",
    "wgt_frame_bits",
    "out_bits",
    "ops",
)


@dataclasses.dataclass(frozen=True)
class TileBlock:
    """Tiles of one shape, from any layers of the mix, scheduled together.

    ``pending`` bool ``[n, P, G, T, L]`` (docs/model.md table 3.1: A one tile per column tile, W
    one per
    row tile, AW every tile; ``P`` blocks of ``G`` groups sharing the step pointer);
    ``group_work`` float ``[n, P, G]``: pending items per group; ``tile_mult`` float ``[n]``:
    tiles of one layer instance each stands for; ``real_rows`` float ``[n]``: real (unpadded)
    rows of DPUs per tile it stands for (averaged over them); ``layer`` int ``[n]``: the layer it
    belongs to.
    """

    pending: jax.Array
    group_work: jax.Array
    tile_mult: jax.Array
    real_rows: jax.Array
    layer: jax.Array


@dataclasses.dataclass(frozen=True)
class ExploitData:
    """One exploit's view of the mix: ``blocks`` of tiles, and per layer (``[n_layers]``) the
    schedule-independent ``events`` of ``cost.layer_events`` (``[n_layers, len(EVENT_FIELDS)]``)
    and ``weights`` (workload weight x layer multiplicity)."""

    blocks: tuple
    events: jax.Array
    weights: jax.Array


for _cls, _fields in (
    (TileBlock, ["pending", "group_work", "tile_mult", "real_rows", "layer"]),
    (ExploitData, ["blocks", "events", "weights"]),
):
    jax.tree_util.register_dataclass(_cls, data_fields=_fields, meta_fields=[])


def pending_tiles(exploit: str, core: Core, a: np.ndarray, w: np.ndarray):
    """``(pending bool [n, P, G, T, L], tile_mult, real_rows float [n])`` of one GEMM (edge
    tiles zero-padded; ``real_rows``: unpadded rows of DPUs, averaged over the tiles each
    distinct tile stands for)."""
    R, C, L = core.rows, core.cols, core.lanes
    M, K = a.shape
    N = w.shape[1]
    T = -(-K // L)
    mt, nt = -(-M // C), -(-N // R)
    ap = np.zeros((mt * C, T * L), bool)
    ap[:M, :K] = a
    wp = np.zeros((T * L, nt * R), bool)
    wp[:K, :N] = w
    at = ap.reshape(mt, C, T, L)  # [m tile, column, step, lane]
    wt = wp.reshape(T, L, nt, R).transpose(2, 3, 0, 1)  # [n tile, row, step, lane]
    rows = np.minimum(R, N - np.arange(nt) * R).astype(np.float64)  # real rows per n tile
    if exploit == "A":  # an A schedule repeats identically in every output-channel tile
        return at[:, None], nt, np.full(mt, N / nt)
    if exploit == "W":
        return wt[:, None], mt, rows
    both = at[:, None, None] & wt[None, :, :, None]  # [mt, nt, R, C, T, L]
    return both.reshape(mt * nt, R, C, T, L), 1, np.tile(rows, mt)


def exploit_data(
    exploit: str, core: Core, layers, bits: int, max_tiles: int | None = None
) -> ExploitData:
    """``ExploitData`` of ``layers``: ``[(a_mask, w_mask, weight), ...]``. With ``max_tiles``, a
    layer with more distinct tiles keeps ``max_tiles`` of them, evenly spaced in tile order, each
    standing for its share."""
    events, weights, by_shape = [], [], {}
    for i, (a, w, weight) in enumerate(layers):
        design = Design(
            core=core,
            exploit=exploit,
            window=Window.empty() if exploit == "none" else Window.box(1, 0, 0),
        )
        ev = layer_events(design, a, w, bits=bits)
        events.append([float(getattr(ev, f)) for f in EVENT_FIELDS])
        weights.append(float(weight))
        if exploit == "none":
            continue
        pend, mult, rows = pending_tiles(exploit, core, a, w)
        if max_tiles is not None and pend.shape[0] > max_tiles:
            keep = np.unique(np.linspace(0, pend.shape[0] - 1, max_tiles).round().astype(int))
            mult = mult * pend.shape[0] / len(keep)
            pend, rows = pend[keep], rows[keep]
        by_shape.setdefault(pend.shape[1:], []).append((pend, mult, rows, i))
    blocks = []
    for parts in by_shape.values():
        pend = np.concatenate([p for p, _, _, _ in parts])
        blocks.append(
            TileBlock(
                pending=jnp.asarray(pend),
                group_work=_device(pend.sum((3, 4)), np.float32),
                tile_mult=_device(
                    np.concatenate([np.full(len(p), m) for p, m, _, _ in parts]), np.float32
                ),
                real_rows=_device(np.concatenate([r for _, _, r, _ in parts]), np.float32),
                layer=_device(
                    np.concatenate([np.full(len(p), i) for p, _, _, i in parts]), np.int32
                ),
            )
        )
    return ExploitData(
        tuple(blocks), _device(np.array(events), np.float32), _device(np.array(weights), np.float32)
    )


def _device(x, dtype):
    # Converted on the host: a device-side conversion is a small jitted program per new shape.
    return jnp.asarray(np.asarray(x, dtype))
