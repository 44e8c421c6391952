"""Dagster wiring only: resources, partitions and per-domain definitions."""

import warnings

import dagster as dg

# Backfill policies are marked beta; the warning would repeat in every run's log.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
