"""One `dagster dev` for the whole e2e tier: lineage, sensors, backfills, landing archives
and the browser all drive the same deployment, as a user's would be, on the PostgreSQL
lane (the TimescaleDB lane keeps its own integration tests). Starting one costs a minute
of the two cores; it is stopped when the tier's last test is done."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from grid_intel.settings import Settings
from grid_intel_tests.e2e.devserver import dagster_dev


@pytest.fixture(scope="package")
def deployment(test_db: Settings, dbt_manifest, tmp_path_factory) -> Iterator[Settings]:
    """`dagster dev` on the session's warehouse, watching its own landing folder."""
    state = tmp_path_factory.mktemp("state")
    with dagster_dev(test_db, state, landing_dir=state / "drop") as settings:
        yield settings
