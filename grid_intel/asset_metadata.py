"""The metadata and tags the code location writes on its assets, and that readers
outside it interpret (notebooks, the backfill command): one vocabulary, defined below
both, so that neither reaches into the Dagster wiring for it."""

# How a partitioned asset's rows relate to its partition's window, in its
# `partition_window` metadata (unset means ROWS_IN_WINDOW) beside `partition_column`.
ROWS_IN_WINDOW = "[start, end)"  # rows stamped inside the window
ISSUED_AT_CLOSE = "(start, end]"  # forecasts issued as the window closes, stamped with its end
MONTHS_OF_WINDOW = "months of [start, end)"  # monthly rollups: the months the window touches

# Asset tag of experiments rather than data (a week simulated at full scan rate, say):
# `grid-intel backfill` never includes them, however wide its selection.
ON_DEMAND = "grid_intel/on_demand"
