"""How each check in the quality catalog is evaluated over a window: Great Expectations
suites, quarantine rates, freshness, row-count anomalies, completeness, referential
integrity, flagged readings and the physical balance. The Dagster wiring
(`grid_intel/defs/quality/checks.py`) runs them per hour and reports the verdicts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from grid_intel.ingestion.tables import BRONZE_TOPICS, BronzeTopic
from grid_intel.quality import catalog, queries, rules
from grid_intel.quality.gx_runner import single_connection, validate
from grid_intel.quality.suites import SUITES
from grid_intel.quality.verdict import Verdict

if TYPE_CHECKING:
    import psycopg

Asset = tuple[str, str]


class CheckWindow:
    """What an evaluation needs: the warehouse (its URL and an open connection), a window
    (an hour, or a run's hours), and the rows per hour that recent loads of a bronze
    asset reported before a time (`trailing_rows(asset_name, before)`: the orchestrator
    keeps those)."""

    def __init__(
        self,
        url: str,
        conn: psycopg.Connection,
        start: datetime,
        end: datetime,
        trailing_rows: Callable[[str, datetime], list[float]] = lambda _, __: [],
    ) -> None:
        self.url = url
        self.conn = conn
        self.start, self.end = start, end
        self.trailing_rows = trailing_rows
        self._measured: dict[object, object] = {}

    def measured(self, key: object, measure: Callable[[], object]) -> Any:
        """A figure two checks share (e.g. quarantine counts), measured once."""
        if key not in self._measured:
            self._measured[key] = measure()
        return self._measured[key]

    @property
    def hours(self) -> float:
        return (self.end - self.start) / timedelta(hours=1)

    @property
    def gx_in_sql(self) -> bool:
        """Whether GX computes in the database: not on a single-connection server."""
        return not self.measured("one_connection", lambda: single_connection(self.conn))


Evaluation = Callable[[CheckWindow], Verdict]


def gx(asset: Asset, name: str) -> Evaluation:
    def run(w: CheckWindow) -> Verdict:
        return validate(w.url, w.conn, SUITES[(*asset, name)], w.start, w.end, in_sql=w.gx_in_sql)

    return run


def quarantine(bronze: BronzeTopic, limit: float) -> Evaluation:
    def run(w: CheckWindow) -> Verdict:
        q, ok = w.measured(
            "quarantine",
            lambda: queries.quarantine_counts(
                w.conn, bronze.topic.name, bronze.table, w.start, w.end
            ),
        )
        return rules.quarantine_rate(q, ok, limit)

    return run


def freshness(bronze: BronzeTopic) -> Evaluation:
    limit = catalog.FRESHNESS[bronze.asset_name]
    return lambda w: rules.freshness(
        queries.newest_event(w.conn, bronze.table, w.start, w.end), w.end, limit
    )


def row_count(bronze: BronzeTopic) -> Evaluation:
    def run(w: CheckWindow) -> Verdict:
        current = queries.window_rows(w.conn, bronze.table, w.start, w.end)
        trailing = w.trailing_rows(bronze.asset_name, w.start)
        return rules.row_count_anomaly(
            round(current / w.hours),
            trailing,
            catalog.ROW_COUNT_MAX_DEVIATION,
            catalog.ROW_COUNT_MIN_HISTORY,
        )

    return run


def completeness(w: CheckWindow) -> Verdict:
    return rules.completeness(
        queries.point_readings(w.conn, w.start, w.end),
        queries.expected_point_readings(w.conn, w.start, w.end),
        catalog.COMPLETENESS_MIN,
    )


def referential(w: CheckWindow) -> Verdict:
    return rules.referential_integrity(queries.unknown_points(w.conn, w.start, w.end))


def flagged(w: CheckWindow) -> Verdict:
    return rules.flagged(queries.flagged_readings(w.conn, w.start, w.end))


def balance(w: CheckWindow) -> Verdict:
    return rules.reconciliation(
        queries.hourly_balance(w.conn, w.start, w.end),
        catalog.MAX_LOSS_FRACTION,
        catalog.BALANCE_TOLERANCE,
    )


def evaluations() -> dict[Asset, dict[str, Evaluation]]:
    out: dict[Asset, dict[str, Evaluation]] = {}
    for layer, table, name in SUITES:
        out.setdefault((layer, table), {})[name] = gx((layer, table), name)
    for b in BRONZE_TOPICS:
        asset = ("bronze", b.asset_name)
        out.setdefault(asset, {})["quarantine_rate"] = quarantine(b, catalog.QUARANTINE_WARN)
        out[asset]["quarantine_budget"] = quarantine(b, catalog.QUARANTINE_ERROR)
        if b.asset_name in catalog.FRESHNESS:
            out[asset]["freshness"] = freshness(b)
            out[asset]["row_count_anomaly"] = row_count(b)
    out[("bronze", "sensor_readings")] |= {
        "completeness": completeness,
        "referential_integrity": referential,
    }
    out[("silver", "validated_readings")]["flagged_readings"] = flagged
    out[("gold", "generation_mix_hourly")] = {"physical_reconciliation": balance}
    return out


EVALUATIONS = evaluations()


def span_verdict(asset: Asset, name: str, hours: int) -> Verdict:
    n = sum(len(b.expectations) for b in SUITES[(*asset, name)])
    return Verdict.ok(
        f"all {n} expectations met (judged over the run's {hours} hours at once)",
        expectations=n,
        failures=[],
    )
