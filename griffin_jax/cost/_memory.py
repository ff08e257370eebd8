"""The core's on-chip SRAM buffers: shape (capacity, banks, port width) and priced figures.

docs/model.md 4.1. Three buffers per core: activations, weights, outputs, with capacities
``Core.act_kb`` / ``wgt_kb`` / ``out_kb`` in KB of dense 8-bit values. A design that stores an
operand compressed also stores its metadata next to each value, so that buffer grows by
``(b + meta) / b`` and so does its port:

* activations skipped dynamically (A, AW hardware): a 1-bit nonzero mask per value;
* weights: a 1-bit mask for AW hardware; the selector of the offline schedule,
  ``ceil(log2 F)`` bits, for W-static hardware (the frame the weight memory holds); the larger
  of the two on reconfigurable AW hardware (it runs both modes); a 2-bit index for 2:4;
* outputs: none.

Banking (``bank_rule``, docs/model.md 4.1): a buffer must deliver one operand row per cycle to
every consumer: ``C x L`` activations (one row of lanes per column), ``R x L`` weights, and
``max(R, C)`` outputs drained per cycle (a design that fetches differently says so: the offset
fetch of Cnvlutin reads ``C x R x L`` weights). Two rules:

* ``"values"`` (the model, **ASSUMPTION**): the fewest equal banks that deliver at most
  ``MAX_VALUE_BITS`` operand bits per access; the metadata widens each bank's port rather than
  adding a bank, and CACTI prices the widened port directly (its table reaches 1024 bits). A
  1-bit mask on a 1024-bit row is two banks of 576 bits, not three of 384.
* ``"ports"`` (the previous model, kept for the ablation): the fewest equal banks whose port,
  metadata included, is at most ``MAX_PORT_BITS``.

No port is narrower than ``MIN_PORT_BITS``. Every figure (area, energy per access, leakage)
comes from ``cost._sram.sram_cost`` at the bank's capacity and port width; several banks are
several arrays, without the wiring between them.

Plain arithmetic on ``xp`` (numpy or jax.numpy): relaxed inventories (JAX scalars) pass through.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from griffin_jax.cost._sram import sram_cost

BUFFERS = ("act", "wgt", "out")
BANK_RULES = ("values", "ports")
MIN_PORT_BITS = 64
# "values": operand bits one bank delivers per access (ASSUMPTION, moved in the sensitivity);
# "ports": the previous rule's widest port, metadata included.
MAX_VALUE_BITS = 512
MAX_PORT_BITS = 512


@dataclasses.dataclass(frozen=True)
class Buffer:
    """One SRAM buffer: ``kb`` total capacity (metadata included), ``banks`` equal banks of
    ``port_bits``-wide ports; ``meta_bits`` per stored value; ``value_bits``: operand bits
    (metadata not included) and ``cycle_bits`` (metadata included) delivered per cycle, which
    the banking rule reads. Floats or JAX scalars."""

    kb: Any
    banks: Any
    port_bits: Any
    meta_bits: Any
    value_bits: Any = None
    cycle_bits: Any = None

    @property
    def bank_kb(self):
        return self.kb / self.banks


def _xp(*xs):
    return jnp if any(isinstance(x, jax.Array) for x in xs) else np


def check_bank_rule(rule) -> str:
    if rule not in BANK_RULES:
        raise ValueError(f"bank_rule must be one of {BANK_RULES}, got {rule!r}")
    return rule


def _banking(xp, value_bits, need, rule: str, max_value_bits):
    """``(banks, port_bits)`` of a buffer delivering ``value_bits`` operand bits (``need`` with
    the metadata) per cycle under ``rule`` (module doc)."""
    if check_bank_rule(rule) == "values":
        banks = xp.maximum(xp.ceil(value_bits / max_value_bits), 1.0)
        return banks, xp.maximum(need / banks, MIN_PORT_BITS)
    banks = xp.maximum(xp.ceil(need / MAX_PORT_BITS), 1.0)
    return banks, xp.clip(need / banks, MIN_PORT_BITS, MAX_PORT_BITS)


def buffer(
    kb_dense: float,
    value_bits: int,
    meta_bits,
    values_per_cycle: int,
    *,
    bank_rule: str = "values",
    max_value_bits=MAX_VALUE_BITS,
) -> Buffer:
    """The ``Buffer`` holding ``kb_dense`` KB of ``value_bits``-bit values plus ``meta_bits``
    per value, delivering ``values_per_cycle`` values a cycle, banked by ``bank_rule`` (module
    doc)."""
    xp = _xp(meta_bits)
    width = value_bits + meta_bits
    data, need = values_per_cycle * value_bits, values_per_cycle * width
    banks, port = _banking(xp, data, need, bank_rule, max_value_bits)
    as_float = (lambda v: v) if xp is jnp else float
    return Buffer(
        kb=as_float(kb_dense * width / value_bits),
        banks=as_float(banks),
        port_bits=as_float(port),
        meta_bits=meta_bits,
        value_bits=data,
        cycle_bits=need,
    )


def rebank(buf: Buffer, max_value_bits, bank_rule: str = "values") -> Buffer:
    """``buf`` banked again with at most ``max_value_bits`` operand bits per bank (the
    sensitivity study's banking input); capacity and metadata unchanged."""
    xp = _xp(buf.meta_bits, buf.kb)
    banks, port = _banking(xp, buf.value_bits, buf.cycle_bits, bank_rule, max_value_bits)
    return dataclasses.replace(buf, banks=banks, port_bits=port)


@dataclasses.dataclass(frozen=True)
class BufferFigures:
    """A buffer priced: ``area_mm2`` and ``leakage_mw`` of all banks; ``read_pj_per_bit`` and
    ``write_pj_per_bit`` of one access divided by the port width."""

    area_mm2: Any
    leakage_mw: Any
    read_pj_per_bit: Any
    write_pj_per_bit: Any


def price_buffer(table, buf: Buffer) -> BufferFigures:
    """Figures of ``buf`` from the CACTI table ``table`` (an ``SramTable`` or a ``Tech``)."""
    c = sram_cost(table, buf.bank_kb, buf.port_bits)
    return BufferFigures(
        area_mm2=buf.banks * c.area_mm2,
        leakage_mw=buf.banks * c.leakage_mw,
        read_pj_per_bit=c.read_energy_pj / buf.port_bits,
        write_pj_per_bit=c.write_energy_pj / buf.port_bits,
    )
