"""Data quality: the check catalog, Great Expectations suites and custom rules."""
