"""Demand forecasts: the daily model cards, the hourly issues, their accuracy, and the
nightly retraining."""
