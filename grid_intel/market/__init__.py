"""Market analytics (no Dagster): MISO price structure, later forecasts and signals."""
