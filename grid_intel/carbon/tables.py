"""The carbon tables (migration 0014) and the SQL that reads the hourly flows they
are computed from."""

from grid_intel.forecasting.tables import FORECAST_VALUES
from grid_intel.layout import columns
from grid_intel.warehouse.writer import TableSpec

INTENSITY = TableSpec(
    "gold",
    "carbon_intensity",
    columns(
        "hour timestamptz, generation_mwh float8, imports_mwh float8, exports_mwh float8,"
        " consumption_mwh float8, production_g_kwh float8, consumption_g_kwh float8,"
        " emissions_t float8, consumption_emissions_t float8, avoided_average_t float8,"
        " avoided_marginal_t float8"
    ),
    time_column="hour",
)

BY_SOURCE = TableSpec(
    "gold",
    "carbon_emissions_by_source",
    (("hour", "timestamptz"), ("source", "text"), ("mwh", "float8"), ("tonnes", "float8")),
    time_column="hour",
)

FORECAST = TableSpec(
    "gold",
    "carbon_forecast",
    (
        *columns("issued_at timestamptz, ts timestamptz"),
        *FORECAST_VALUES,
    ),
    time_column="issued_at",
)

MIX_SQL = """
select hour, fuel, generation_mw from gold.generation_mix_hourly
where hour >= %(start)s and hour < %(end)s order by 1, 2
"""

TIES_SQL = """
select hour, intertie, net_export_mw from gold.interchange_hourly
where hour >= %(start)s and hour < %(end)s order by 1, 2
"""
