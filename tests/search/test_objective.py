"""Objectives: the relaxed loss, its inverse, and the argument checks."""

import numpy as np
import pytest

from griffin_jax.search import AREA_PENALTY, OBJECTIVES, Metrics, relaxed_loss
from griffin_jax.search._objective import check_objective, value_from_loss

M = Metrics(
    energy_pj=2.0e6, cycles=5.0e3, dense_cycles=2.0e4, ops=8.0e7, area_mm2=1.2, clock_ghz=1.0
)


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_value_from_loss_inverts_the_loss(objective):
    budget = 1.0 if objective == "perf_under_area" else None  # 20% over: penalised
    loss = relaxed_loss(M, objective, budget)
    assert isinstance(loss, np.floating)  # host in, host out
    assert relaxed_loss(M, OBJECTIVES.index(objective), budget) == loss
    got = value_from_loss(loss, objective, M.area_mm2, budget)
    assert got == pytest.approx(M.value(objective), rel=1e-12)
    if budget is not None:
        free = relaxed_loss(M, objective, 2.0)
        assert loss - free == pytest.approx(AREA_PENALTY * 0.2)


def test_objective_checks_name_the_field():
    assert check_objective("edp") == "edp"
    with pytest.raises(ValueError, match="objective"):
        check_objective("speed")
    with pytest.raises(ValueError, match="area_budget_mm2"):
        check_objective("perf_under_area", 0.0)
    with pytest.raises(ValueError, match="area_budget_mm2"):
        check_objective("tops_per_w", 1.0)
