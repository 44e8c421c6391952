"""Kafka records → bronze rows: per-topic row layouts and the window split (no Dagster)."""
