"""grid_intel_dbt embedded: silver and gold models as assets, their tests as checks, and
the nightly late-data rebuild."""
