"""Market analytics (no Dagster): MISO price structure and files, later forecasts and signals."""

from grid_intel.market.miso_files import parse_miso_lmp, read_miso_lmp

__all__ = ["parse_miso_lmp", "read_miso_lmp"]
