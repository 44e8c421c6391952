"""Operating a running deployment through Dagster's webserver: backfills and their progress."""
