from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from grid_intel.quality import catalog, gx_runner, rules
from grid_intel.quality.catalog import (
    BALANCE_TOLERANCE,
    CHECKS,
    MAX_LOSS_FRACTION,
    QUARANTINE_ERROR,
    QUARANTINE_WARN,
)
from grid_intel.quality.suites import SUITES

H = datetime(2026, 11, 24, 10, tzinfo=UTC)
END = H + timedelta(hours=1)


# quarantine_rate


def test_no_quarantined_message_passes_both_limits():
    for limit in (QUARANTINE_WARN, QUARANTINE_ERROR):
        v = rules.quarantine_rate(0, 1000, limit)
        assert v.passed and v.metadata["rate_pct"] == 0.0


def test_one_quarantined_message_fails_the_warning_but_not_the_budget():
    assert not rules.quarantine_rate(1, 999, QUARANTINE_WARN).passed
    v = rules.quarantine_rate(1, 999, QUARANTINE_ERROR)
    assert v.passed and v.metadata == {"quarantined": 1, "messages": 1000, "rate_pct": 0.1}


def test_a_share_beyond_the_budget_fails_it():
    v = rules.quarantine_rate(60, 940, QUARANTINE_ERROR)
    assert not v.passed and v.metadata["rate_pct"] == 6.0
    assert "1 of" not in v.summary and "60 of 1000" in v.summary


def test_a_window_without_messages_does_not_divide_by_zero():
    v = rules.quarantine_rate(0, 0, QUARANTINE_WARN)
    assert v.passed and v.metadata == {"quarantined": 0, "messages": 0, "rate_pct": 0.0}


# completeness


def test_every_series_complete_passes():
    v = rules.completeness({"a": 60, "b": 58}, {"a": 60, "b": 60}, 0.9)
    assert v.passed and v.metadata["series_short"] == 0 and v.metadata["worst_series"] == {}


def test_the_worst_short_series_is_named_first():
    v = rules.completeness({"a": 60, "b": 50, "c": 30}, {"a": 60, "b": 60, "c": 60}, 0.9)
    assert not v.passed and v.metadata["series_short"] == 2
    assert list(v.metadata["worst_series"]) == ["c", "b"]
    assert v.metadata["worst_series"]["c"] == 50.0
    assert "worst: c at 50.0%" in v.summary


def test_a_series_missing_from_observed_counts_as_zero():
    v = rules.completeness({"a": 60}, {"a": 60, "b": 60}, 0.9)
    assert not v.passed and v.metadata["worst_series"] == {"b": 0.0}
    assert v.metadata["completeness_pct"] == 50.0


def test_no_expected_series_fails_and_says_to_load_the_registry():
    v = rules.completeness({"a": 60}, {}, 0.9)
    assert not v.passed and "load the asset registry" in v.summary


def test_a_series_over_its_expected_count_does_not_hide_a_short_one():
    """Duplicates on one point must not lift another point's gap over the threshold."""
    v = rules.completeness({"a": 200, "b": 50}, {"a": 100, "b": 100}, 0.9)
    assert not v.passed and list(v.metadata["worst_series"]) == ["b"]
    assert v.metadata["completeness_pct"] == 75.0


# freshness


def test_an_event_at_the_window_end_is_fresh():
    v = rules.freshness(END, END, timedelta(minutes=2))
    assert v.passed and v.metadata["staleness_s"] == 0


def test_a_newest_event_older_than_allowed_is_stale():
    v = rules.freshness(END - timedelta(minutes=3), END, timedelta(minutes=2))
    assert not v.passed and v.metadata["staleness_s"] == 180


def test_a_window_without_events_is_stale():
    v = rules.freshness(None, END, timedelta(minutes=2))
    assert not v.passed and v.metadata["staleness_s"] is None


# row_count_anomaly


def test_too_little_history_passes_without_a_baseline():
    v = rules.row_count_anomaly(5, [100, 100], max_deviation=0.5, min_history=3)
    assert v.passed and "no baseline" in v.summary
    assert "deviation_pct" not in v.metadata


def test_a_count_within_the_deviation_passes():
    v = rules.row_count_anomaly(120, [90, 100, 110, 100], max_deviation=0.5, min_history=3)
    assert v.passed and v.metadata["trailing_median"] == 100
    assert v.metadata["deviation_pct"] == 20.0


@pytest.mark.parametrize(("current", "pct"), [(160, 60.0), (40, -60.0)])
def test_a_count_beyond_the_deviation_fails_either_way(current, pct):
    v = rules.row_count_anomaly(current, [100, 100, 100], max_deviation=0.5, min_history=3)
    assert not v.passed and v.metadata["deviation_pct"] == pct


def test_a_zero_median_passes_only_an_empty_window():
    assert rules.row_count_anomaly(0, [0, 0, 0], 0.5, 3).passed
    v = rules.row_count_anomaly(5, [0, 0, 0], 0.5, 3)
    assert not v.passed and v.metadata["deviation_pct"] == 100.0


# referential_integrity


def test_no_unknown_key_passes():
    v = rules.referential_integrity({})
    assert v.passed and v.metadata["unknown_rows"] == 0


def test_unknown_keys_fail_with_the_most_frequent_first():
    v = rules.referential_integrity({"a": 1, "b": 5, "c": 3}, show=2)
    assert not v.passed
    assert (v.metadata["unknown_keys"], v.metadata["unknown_rows"]) == (3, 9)
    assert list(v.metadata["examples"].items()) == [("b", 5), ("c", 3)]


# reconciliation


def reconcile(*hours: tuple[float, float, float]):
    rows = [(H + timedelta(hours=i), *h) for i, h in enumerate(hours)]
    return rules.reconciliation(rows, MAX_LOSS_FRACTION, BALANCE_TOLERANCE)


def test_balanced_hours_pass_with_and_without_losses():
    v = reconcile((1000.0, 800.0, 200.0), (1000.0, 750.0, 200.0))
    assert v.passed and v.metadata["hours_failing"] == 0


def test_an_hour_missing_a_station_fails_and_is_listed():
    # Demand 800 + export 200 needs 1000 MW; a missing 200 MW station reads 800.
    v = reconcile((1000.0, 750.0, 200.0), (800.0, 800.0, 200.0))
    assert not v.passed and v.metadata["hours_failing"] == 1
    (failing,) = v.metadata["failing"]
    assert failing["hour"] == (H + timedelta(hours=1)).isoformat()
    assert failing["implied_losses_mw"] == -200.0


def test_nothing_to_reconcile_fails():
    assert not reconcile().passed


# flagged


def test_no_flagged_reading_passes():
    v = rules.flagged({})
    assert v.passed and v.metadata["flagged_by_code"] == {}


def test_flagged_readings_are_counted_by_code():
    v = rules.flagged({"uncertain_spike": {"p3": 1}, "bad_source": {"p1": 2, "p2": 5}})
    assert not v.passed
    assert v.metadata["flagged_by_code"] == {"uncertain_spike": 1, "bad_source": 7}
    assert list(v.metadata["points"]["bad_source"]) == ["p2", "p1"]
    assert v.summary == "readings flagged: 7 bad_source, 1 uncertain_spike"


# catalog


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: f"{'.'.join(c.asset)}.{c.name}")
def test_every_check_says_what_to_do_when_it_fails(check):
    assert check.on_failure.strip() and "If it fails" in check.description
    assert check.blocking is (check.severity == "ERROR")


def test_check_names_are_unique_per_asset():
    counts = Counter((c.asset, c.name) for c in CHECKS)
    assert [k for k, n in counts.items() if n > 1] == []


def test_suites_and_gx_checks_match():
    in_catalog = {(*c.asset, c.name) for c in CHECKS}
    gx_checks = {k for k in in_catalog if k[2].startswith("gx_")}
    assert set(SUITES) <= in_catalog
    assert gx_checks <= set(SUITES)
    assert catalog.spec(("bronze", "grid_frequency"), "gx_normal_band").severity == "WARN"


# suites


BATCHES = {f"{'.'.join(key)}.{b.name}": b for key, batches in SUITES.items() for b in batches}


@pytest.mark.parametrize("batch", BATCHES.values(), ids=BATCHES.keys())
def test_every_batch_reads_one_window(batch):
    assert "{start}" in batch.sql and "{end}" in batch.sql
    start = "'2026-11-24T10:00:00+00:00'::timestamptz"
    end = "'2026-11-24T11:00:00+00:00'::timestamptz"
    sql = gx_runner.render(batch.sql, H, END)
    assert start in sql and end in sql
    assert "{" not in sql and "}" not in sql


def test_sqlalchemy_url_selects_psycopg2_and_keeps_the_rest():
    url = "postgresql://u:p@h:1/db?sslmode=disable"
    assert gx_runner.sqlalchemy_url(url) == "postgresql+psycopg2://u:p@h:1/db?sslmode=disable"


def test_docs_table_is_the_catalog():
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "quality.md").read_text()
    for c in catalog.CHECKS:
        row = f"| {'/'.join(c.asset)} | {c.name} | {c.severity} | {c.guards} |"
        assert row in page, f"docs/quality.md's check table differs from the catalog at: {row}"


def test_blocking_checks_are_wired_as_the_catalog_says():
    from grid_intel.defs.quality.checks import QUALITY_CHECKS

    specs = {(tuple(s.asset_key.path), s.name): s for c in QUALITY_CHECKS for s in c.check_specs}
    assert set(specs) == {(c.asset, c.name) for c in catalog.CHECKS}
    for c in catalog.CHECKS:
        assert specs[(c.asset, c.name)].blocking is (c.severity == "ERROR")
        assert specs[(c.asset, c.name)].partitions_def is not None
