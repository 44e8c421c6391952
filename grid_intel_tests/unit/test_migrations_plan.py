import pytest

from grid_intel.warehouse.migrate import MigrationError, bundled_files, plan


def test_plan_orders_and_picks_the_lane_variant():
    files = {
        "0002_b.postgres.sql": "pg",
        "0001_a.sql": "common",
        "0002_b.timescaledb.sql": "ts",
    }
    assert [(m.version, m.sql) for m in plan(files, "postgres")] == [(1, "common"), (2, "pg")]
    assert [(m.version, m.sql) for m in plan(files, "timescaledb")] == [(1, "common"), (2, "ts")]


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({"1_a.sql": ""}, "NNNN_name"),
        ({"0001_a.postgres.sql": ""}, "one file per lane"),
        ({"0001_a.sql": "", "0001_a.postgres.sql": ""}, "both common and per-lane"),
        ({"0001_a.postgres.sql": "", "0001_b.timescaledb.sql": ""}, "differing names"),
    ],
)
def test_malformed_sets_are_rejected(files, reason):
    with pytest.raises(MigrationError, match=reason):
        plan(files, "postgres")


def test_bundled_migrations_plan_on_both_lanes():
    for lane in ("postgres", "timescaledb"):
        versions = [m.version for m in plan(bundled_files(), lane)]
        assert versions == sorted(set(versions)) and versions[0] == 1
