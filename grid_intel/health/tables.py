"""The equipment-health tables (migrations 0008, 0019) and the heat map's SQL over them."""

from grid_intel.health.columns import COLUMNS
from grid_intel.layout import columns
from grid_intel.warehouse.writer import TableSpec

HEALTH = TableSpec("gold", "equipment_health", COLUMNS, time_column="day")

HEATMAP = TableSpec(
    "gold",
    "equipment_health_heatmap",
    columns(
        "day timestamptz, asset text, asset_kind text, region text, health_index float8,"
        " band text, change_1d float8, fleet_percentile float8"
    ),
    time_column="day",
)

HEATMAP_SQL = """
select h.day, h.asset, h.asset_kind, h.region, h.health_index, h.band,
       h.health_index - p.health_index as change_1d,
       case when count(*) over k > 1
            then (rank() over (k order by h.health_index) - 1)::float8 / (count(*) over k - 1)
            else 1.0 end as fleet_percentile
from gold.equipment_health as h
left join gold.equipment_health as p
  on p.asset = h.asset and p.day = h.day - interval '1 day'
where h.day >= %s and h.day < %s
window k as (partition by h.day, h.asset_kind)
order by h.day, h.asset
"""
