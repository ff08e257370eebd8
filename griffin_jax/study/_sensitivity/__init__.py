"""How the claims move with the uncertain inputs of the model (docs/model.md section 8).

Every claim row of ``claims_report`` has a ratio: claim (a) the best dual-sparse design's score
over the best single-sparse design's (``1 - loss``), claim (b) Griffin's score over its
comparator's, under each reading. Its **direction** is whether the ratio is above 1. Each
uncertain input (``SENSITIVITY_INPUTS``) is moved to a low and a high value and the claims are
measured there, comparators chosen again (the best design of a kind may change); a claim whose
direction at low, high or any sampled point between differs from the nominal one is
**fragile**.

Continuous inputs (technology constants labelled ASSUMPTION, buffer capacities, the
accumulator width, the small-cell switching rule) are scale factors ``s`` on one figure. The
schedule does not depend on them, so the claims report's cost reports are priced again
(the cost formulas on the stored ``Counts``, as ``cost.energy_of`` does, one pass per group
of reports priced alike) and nothing is simulated. At a buffer bank on a CACTI grid capacity
the gradient is the symmetric one (``elasticities``). Their **elasticity**
``d log(ratio) / d log(s)`` at ``s = 1`` is a JAX gradient through the cost model (forward mode,
64-bit), with the nominal comparators held fixed; ``elasticity_fd`` is the central finite
difference in ``log s`` of the same function, as a check.

Discrete inputs (the SRAM cell type of the CACTI table, the operand precision, the core
geometry) have a low and a high alternative and an elasticity of NaN. The SRAM table is priced
again (tech ``horowitz45_hp``); precision and geometry re-run ``claims_report`` (the events'
bit widths, resp. the schedules, change).

Modules: ``_inputs`` (what is moved and the model at a moved input), ``_elasticity`` (pricing
the report again: log scores, claim ratios, elasticities), ``_report`` (``SensitivityReport``),
``_run`` (the driver, ``sensitivity``), ``_rederive`` (the derivation's own sensitivity:
Griffin re-derived at the ends of the price inputs, ``derivation_sensitivity``).
"""

from griffin_jax.study._sensitivity._inputs import (
    DEFAULT_FACTORS,
    SENSITIVITY_INPUTS,
    TECH_ALTERNATIVES,
    SensitivityInput,
    check_inputs,
    lanes_core,
    precision_tech,
)
from griffin_jax.study._sensitivity._rederive import (
    REDERIVE_COLUMNS,
    derivation_sensitivity,
    price_inputs,
)
from griffin_jax.study._sensitivity._report import SENSITIVITY_COLUMNS, SensitivityReport
from griffin_jax.study._sensitivity._run import sensitivity

__all__ = [
    "DEFAULT_FACTORS",
    "SENSITIVITY_COLUMNS",
    "SENSITIVITY_INPUTS",
    "TECH_ALTERNATIVES",
    "REDERIVE_COLUMNS",
    "derivation_sensitivity",
    "price_inputs",
    "SensitivityInput",
    "SensitivityReport",
    "check_inputs",
    "lanes_core",
    "precision_tech",
    "sensitivity",
]
