"""Columns of MISO prices as frames and tables: silver.market_prices, the simulator's."""

# gridstatus's LMP layout (Interval Start, ..., Loss), snake_cased.
LMP_COLUMNS = (
    "interval_start",
    "interval_end",
    "market",
    "location",
    "location_type",
    "lmp",
    "energy",
    "congestion",
    "loss",
)
