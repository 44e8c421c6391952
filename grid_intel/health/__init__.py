"""Equipment-health analytics (no Dagster): IEEE C57.91 thermal ageing, dissolved gas
analysis, health indices, CNAIM probability of failure and remaining useful life.

The functions here are pure and documented; the `equipment_health` asset and
notebooks call the same ones.
"""

from grid_intel.health.breakers_lines import BreakerDay, LineDay, assess_breaker, assess_line
from grid_intel.health.dga import (
    duval_triangle_1,
    rate_of_rise,
    rogers_case,
    rogers_ratios,
    tdcg,
    tdcg_condition,
)
from grid_intel.health.failure import (
    cnaim_health_score,
    probability_of_failure,
    remaining_useful_life,
)
from grid_intel.health.index import Factor, band, health_index
from grid_intel.health.thermal import (
    aging_acceleration_factor,
    equivalent_ageing,
    loss_of_life_pct,
    relative_ageing_iec,
)
from grid_intel.health.transformer import Assessment, TransformerDay, assess, top_oil_excess

__all__ = [
    "Assessment",
    "BreakerDay",
    "Factor",
    "LineDay",
    "TransformerDay",
    "aging_acceleration_factor",
    "assess",
    "assess_breaker",
    "assess_line",
    "band",
    "cnaim_health_score",
    "duval_triangle_1",
    "equivalent_ageing",
    "health_index",
    "loss_of_life_pct",
    "probability_of_failure",
    "rate_of_rise",
    "relative_ageing_iec",
    "remaining_useful_life",
    "rogers_case",
    "rogers_ratios",
    "tdcg",
    "tdcg_condition",
    "top_oil_excess",
]
