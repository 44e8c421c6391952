"""Equipment-health analytics (no Dagster): IEEE C57.91 thermal ageing, dissolved gas
analysis, health indices, CNAIM probability of failure and remaining useful life.

The functions here are pure and documented; the `equipment_health` asset and
notebooks call the same ones. They are imported on first use, so importing one
submodule for its constants (as the Dagster definitions do) loads no numerical library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grid_intel.lazy_exports import lazy

_EXPORTS = {
    "BreakerDay": "breakers_lines",
    "LineDay": "breakers_lines",
    "assess_breaker": "breakers_lines",
    "assess_line": "breakers_lines",
    "duval_triangle_1": "dga",
    "rate_of_rise": "dga",
    "rogers_case": "dga",
    "rogers_ratios": "dga",
    "tdcg": "dga",
    "tdcg_condition": "dga",
    "cnaim_health_score": "failure",
    "probability_of_failure": "failure",
    "remaining_useful_life": "failure",
    "Factor": "index",
    "band": "index",
    "health_index": "index",
    "aging_acceleration_factor": "thermal",
    "equivalent_ageing": "thermal",
    "loss_of_life_pct": "thermal",
    "relative_ageing_iec": "thermal",
    "Assessment": "transformer",
    "TransformerDay": "transformer",
    "assess": "transformer",
    "top_oil_excess": "transformer",
}
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

if TYPE_CHECKING:
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


__getattr__, __dir__ = lazy(__name__, _EXPORTS)
