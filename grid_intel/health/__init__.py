"""Equipment-health analytics (no Dagster): thermal ageing, and later DGA and health index."""
