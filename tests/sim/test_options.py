"""``SimOptions`` (sim/_options.py): checked fields and the keyword arguments they become."""

import pytest

import griffin_jax as gj
from griffin_jax.sim._program import DEFAULT_MEMORY_GB


def test_memory_budget_is_checked_and_always_passed_on():
    assert gj.SimOptions().kwargs()["memory_gb"] == DEFAULT_MEMORY_GB
    # None (no budget) must reach the entry point, whose own default is the budget.
    assert gj.SimOptions(memory_gb=None).kwargs()["memory_gb"] is None
    assert gj.SimOptions(memory_gb=2).memory_gb == 2.0
    for bad in (0, -1.0, float("inf"), True, "4"):
        with pytest.raises(ValueError, match="memory_gb"):
            gj.SimOptions(memory_gb=bad)
