"""Anomaly detection (no Dagster, no Kafka): control charts, pattern detectors, merging
flagged points into events, and event-level scoring against labelled faults."""
