"""Great Expectations suites per checked table, as data: batches of SQL with the
expectations each must meet. Built into GX objects only when a check runs, so
importing this module stays cheap.

A batch's SQL reads one partition's window: `{start}` and `{end}` are replaced
by timestamp literals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from grid_intel.ingestion.tables import (
    BRONZE_GRID_FREQUENCY,
    BRONZE_MARKET_PRICES,
    BRONZE_SENSOR_READINGS,
)
from grid_intel.market.columns import LMP_COLUMNS
from grid_intel.quality.bounds import (
    FREQUENCY_HARD_HZ,
    FREQUENCY_NORMAL_HZ,
    LMP_ABS_MAX,
    MEASUREMENT_BOUNDS,
)
from grid_intel.quality.catalog import MAX_CLOCK_SKEW_S
from grid_intel.warehouse.writer import TableSpec

Expectation = tuple[str, dict[str, object]]  # GX class name, its arguments


def expect(name: str, **kwargs: object) -> Expectation:
    return (name, kwargs)


@dataclass(frozen=True)
class Batch:
    name: str
    sql: str
    expectations: tuple[Expectation, ...]
    # Columns that identify a failing row in the examples.
    id_columns: tuple[str, ...] = field(default=())


def _window(column: str = "ts") -> str:
    return f"{column} >= {{start}} and {column} < {{end}}"


def _rows(table: str, column: str = "ts") -> str:
    return f"select * from {table} where {_window(column)}"


def _not_null(*columns: str) -> tuple[Expectation, ...]:
    return tuple(expect("ExpectColumnValuesToNotBeNull", column=c) for c in columns)


def _columns(*columns: str) -> Expectation:
    return expect("ExpectTableColumnsToMatchSet", column_set=list(columns), exact_match=True)


def _frequency_within(limits: tuple[float, float], **kwargs: object) -> Expectation:
    lo, hi = limits
    return expect(
        "ExpectColumnValuesToBeBetween", column="frequency_hz", min_value=lo, max_value=hi, **kwargs
    )


def _bronze_columns(table: TableSpec) -> Expectation:
    return _columns(*(c for c, _ in table.columns), "ingested_at")


def _event_times(table: TableSpec) -> Batch:
    """Event times no later than their ingestion, bar clock skew (future-dated messages)."""
    return Batch(
        "event_times",
        f"select kafka_partition, kafka_offset, ts, "
        f"extract(epoch from ingested_at - ts)::float8 as ingest_delay_s "
        f"from {table.qualified} where {_window()}",
        (
            expect(
                "ExpectColumnValuesToBeBetween",
                column="ingest_delay_s",
                min_value=-MAX_CLOCK_SKEW_S,
            ),
        ),
        ("kafka_partition", "kafka_offset", "ts"),
    )


def _unique(table: str, keys: tuple[str, ...], window: str) -> Batch:
    """Each key once. Counted in SQL first: GX's own compound-uniqueness query joins the
    window to itself twice, several times slower on a million-row hour."""
    cols = ", ".join(keys)
    return Batch(
        "unique_" + "_".join(k.replace("_id", "") for k in keys),
        f"select {cols}, count(*)::int as copies from {table} where {window} group by {cols}",
        (expect("ExpectColumnValuesToBeBetween", column="copies", min_value=1, max_value=1),),
        (*keys, "copies"),
    )


def _lmp_sums(
    table: str, lmp: str, parts: tuple[str, str, str], window: str, ids: tuple[str, ...]
) -> Batch:
    a, b, c = parts
    return Batch(
        "lmp",
        f"select {', '.join(ids)}, {lmp} as lmp, {lmp} - {a} - {b} - {c} as residual "
        f"from {table} where {window}",
        (
            expect(
                "ExpectColumnValuesToBeBetween",
                column="lmp",
                min_value=-LMP_ABS_MAX,
                max_value=LMP_ABS_MAX,
            ),
            expect(
                "ExpectColumnValuesToBeBetween", column="residual", min_value=-0.01, max_value=0.01
            ),
        ),
        ids,
    )


_SR, _GF, _MP = (
    BRONZE_SENSOR_READINGS.table,
    BRONZE_GRID_FREQUENCY.table,
    BRONZE_MARKET_PRICES.table,
)

SUITES: dict[tuple[str, str, str], tuple[Batch, ...]] = {
    ("bronze", "sensor_readings", "gx_contract"): (
        Batch(
            "rows",
            _rows(_SR.qualified),
            (
                _bronze_columns(_SR),
                *_not_null(
                    "ts", "rtu", "substation", "point_id", "seq", "kafka_partition", "kafka_offset"
                ),
                expect(
                    "ExpectColumnValuesToBeInSet",
                    column="quality",
                    value_set=["stale", "questionable", "bad"],
                ),
            ),
            ("rtu", "point_id", "ts"),
        ),
        _event_times(_SR),
    ),
    ("bronze", "sensor_readings", "gx_unique_events"): (
        _unique(_SR.qualified, ("rtu", "point_id", "ts"), _window()),
    ),
    ("bronze", "grid_frequency", "gx_contract"): (
        Batch(
            "rows",
            _rows(_GF.qualified),
            (
                _bronze_columns(_GF),
                *_not_null("ts", "region", "frequency_hz", "kafka_partition", "kafka_offset"),
                _frequency_within(FREQUENCY_HARD_HZ),
            ),
            ("region", "ts"),
        ),
        _event_times(_GF),
    ),
    ("bronze", "grid_frequency", "gx_normal_band"): (
        Batch(
            "band",
            f"select region, ts, frequency_hz from {_GF.qualified} where {_window()}",
            (_frequency_within(FREQUENCY_NORMAL_HZ, mostly=0.99),),
            ("region", "ts"),
        ),
    ),
    ("bronze", "grid_frequency", "gx_unique_events"): (
        _unique(_GF.qualified, ("region", "ts"), _window()),
    ),
    ("bronze", "market_prices", "gx_contract"): (
        Batch(
            "rows",
            _rows(_MP.qualified),
            (
                _bronze_columns(_MP),
                *_not_null("ts", "market", "node", "lmp", "mec", "mcc", "mlc"),
                expect("ExpectColumnValuesToBeInSet", column="market", value_set=["DA", "RT"]),
                expect("ExpectColumnValuesToBeInSet", column="interval_minutes", value_set=[5, 60]),
            ),
            ("market", "node", "ts"),
        ),
        _lmp_sums(_MP.qualified, "lmp", ("mec", "mcc", "mlc"), _window(), ("market", "node", "ts")),
        _event_times(_MP),
    ),
    ("bronze", "market_prices", "gx_unique_events"): (
        _unique(_MP.qualified, ("market", "node", "ts"), _window()),
    ),
    ("silver", "validated_readings", "gx_contract"): (
        Batch(
            "rows",
            _rows("silver.validated_readings"),
            (
                _columns(
                    "ts",
                    "point_id",
                    "rtu",
                    "substation",
                    "region",
                    "asset",
                    "asset_kind",
                    "measurement",
                    "value",
                    "unit",
                    "raw_value",
                    "raw_unit",
                    "quality_code",
                    "unknown_point",
                    "source_bad",
                    "out_of_range",
                    "is_spike",
                    "copies",
                    "kafka_partition",
                    "kafka_offset",
                ),
                *_not_null("ts", "point_id", "quality_code", "copies"),
                expect(
                    "ExpectColumnValuesToBeInSet",
                    column="quality_code",
                    value_set=[
                        "good",
                        "bad_source",
                        "bad_out_of_range",
                        "uncertain_spike",
                        "bad_unknown_point",
                    ],
                ),
            ),
            ("point_id", "ts"),
        ),
        _unique("silver.validated_readings", ("point_id", "ts"), _window()),
        Batch(
            "good_within_bounds",
            "select r.point_id, r.ts, r.measurement, r.value, "
            "greatest(b.lo - r.value, r.value - b.hi, 0) as beyond_bounds "
            "from silver.validated_readings as r join (values "
            + ", ".join(f"('{m}', {lo}, {hi})" for m, (lo, hi) in MEASUREMENT_BOUNDS.items())
            + f") as b (measurement, lo, hi) using (measurement) "
            f"where {_window('r.ts')} and r.quality_code = 'good'",
            (
                expect(
                    "ExpectColumnValuesToBeBetween",
                    column="beyond_bounds",
                    min_value=0,
                    max_value=0,
                ),
            ),
            ("point_id", "ts", "measurement", "value"),
        ),
    ),
    ("silver", "clean_frequency", "gx_contract"): (
        Batch(
            "rows",
            _rows("silver.clean_frequency"),
            (
                _columns(
                    "ts",
                    "region",
                    "frequency_hz",
                    "rocof_hz_per_s",
                    "deviation_hz",
                    "in_normal_band",
                    "kafka_partition",
                    "kafka_offset",
                ),
                *_not_null("ts", "region", "frequency_hz"),
                _frequency_within(FREQUENCY_HARD_HZ),
            ),
            ("region", "ts"),
        ),
        _unique("silver.clean_frequency", ("region", "ts"), _window()),
    ),
    ("silver", "market_prices", "gx_contract"): (
        Batch(
            "rows",
            _rows("silver.market_prices", "interval_start"),
            (
                _columns(*LMP_COLUMNS, "source"),
                *_not_null("interval_start", "interval_end", "market", "location", "lmp"),
                expect(
                    "ExpectColumnPairValuesAToBeGreaterThanB",
                    column_A="interval_end",
                    column_B="interval_start",
                    or_equal=False,
                ),
            ),
            ("market", "location", "interval_start"),
        ),
        _lmp_sums(
            "silver.market_prices",
            "lmp",
            ("energy", "congestion", "loss"),
            _window("interval_start"),
            ("market", "location", "interval_start"),
        ),
    ),
}
