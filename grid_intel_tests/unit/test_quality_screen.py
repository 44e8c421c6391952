"""The range runs' screen: each expectation as the SQL predicate of a broken row."""

from datetime import UTC, datetime

import pytest

from grid_intel.quality.screen import NoScreen, broken, column_sets, columns_match, screen_sql
from grid_intel.quality.suites import SUITES, Batch, expect

START, END = datetime(2026, 1, 19, tzinfo=UTC), datetime(2026, 1, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expectation", "predicate"),
    [
        (expect("ExpectColumnValuesToNotBeNull", column="ts"), "ts is null"),
        (
            expect("ExpectColumnValuesToBeInSet", column="market", value_set=["DA", "R'T"]),
            "market not in ('DA', 'R''T')",
        ),
        (
            expect("ExpectColumnValuesToBeBetween", column="hz", min_value=59.5, max_value=60.5),
            "hz < 59.5 or hz > 60.5",
        ),
        (
            expect("ExpectColumnValuesToBeBetween", column="d", min_value=-5, strict_min=True),
            "d <= -5",
        ),
        (
            # `mostly` tolerates broken rows; each still marks its hour for GX to judge
            expect("ExpectColumnValuesToBeBetween", column="hz", max_value=60.1, mostly=0.99),
            "hz > 60.1",
        ),
        (
            expect("ExpectColumnPairValuesAToBeGreaterThanB", column_A="e", column_B="s"),
            "coalesce(not (e > s), true)",
        ),
        (expect("ExpectTableColumnsToMatchSet", column_set=["a"], exact_match=True), None),
    ],
)
def test_each_expectation_compiles_to_the_predicate_of_a_broken_row(expectation, predicate):
    assert broken(*expectation) == predicate


@pytest.mark.parametrize(
    "expectation",
    [
        expect("ExpectColumnValuesToMatchRegex", column="a", regex="x"),
        expect("ExpectColumnValuesToBeBetween", column="a"),
        expect("ExpectColumnValuesToBeInSet", column="a", value_set=["x"], parse_strings=True),
    ],
)
def test_an_expectation_the_screen_cannot_decide_row_by_row_raises(expectation):
    with pytest.raises(NoScreen):
        broken(*expectation)


def test_every_suite_batch_has_a_screen_keyed_by_its_time_column():
    for batches in SUITES.values():
        for batch in batches:
            sql = screen_sql(batch, START, END)
            time = next(c for c in batch.id_columns if c in ("ts", "interval_start"))
            assert sql.startswith(f"select distinct floor(extract(epoch from {time}) / 3600)")
            assert "'2026-01-19T00:00:00+00:00'::timestamptz" in sql
            predicates = [p for e in batch.expectations if (p := broken(*e)) is not None]
            assert predicates and all(f"({p})" in sql for p in predicates)


def test_a_batch_of_column_expectations_only_screens_no_row():
    batch = Batch(
        "cols",
        "select a, ts from t",
        (expect("ExpectTableColumnsToMatchSet", column_set=["a"]),),
        ("ts",),
    )
    assert screen_sql(batch, START, END).endswith("where false")
    assert column_sets(batch) == [({"a"}, True)]
    assert columns_match({"a"}, {"a"}, True) and not columns_match({"a", "ts"}, {"a"}, True)
    assert columns_match({"a", "ts"}, {"a"}, False)


def test_a_range_runs_check_says_one_line_naming_each_failed_hour():
    import dagster as dg

    from grid_intel.defs.quality.checks import check_line

    def res(passed: bool, why: str) -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=passed, description=why)

    hours = {f"2026-03-01-{h:02d}:00": res(True, "ok") for h in range(24)}
    hours["2026-03-01-05:00"] = res(False, "3 of 900 quarantined")
    line = check_line("quarantine_rate", hours)
    assert line == (
        "quarantine_rate 2026-03-01-00:00..2026-03-01-23:00: 23 of 24 hours passed; "
        "FAILED 2026-03-01-05:00: 3 of 900 quarantined"
    )
    one = check_line("freshness", {"2026-03-01-05:00": res(True, "newest 4 s before the end")})
    assert one == "freshness 2026-03-01-05:00: passed: newest 4 s before the end"
