"""Anomaly detection: hourly events and scores, and the detectors' daily scorecard."""
