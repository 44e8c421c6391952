"""Dagster wiring only: resources, partitions and per-domain definitions."""
