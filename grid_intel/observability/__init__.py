"""Prometheus plumbing shared by the services: lag maths, the /metrics server and the
ingestion exporter that turns the warehouse's load records into metrics."""
