"""Manitoba Grid Intelligence: real-time power-grid analytics on Dagster."""

__version__ = "0.1.0"
