"""Dagster wiring only, one folder per domain (its assets, checks, schedules and
sensors) over shared partitions, automation and resources."""

import warnings

import dagster as dg

# Backfill policies are marked beta and partitioned check specs preview: notes for the
# code's authors, which would repeat once per spec on every load and in every run's log.
warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)
