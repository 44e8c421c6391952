"""Every data-quality check in one place: what it guards, how severe a failure is,
and what to do about it.

ERROR checks are blocking: when one fails, the assets downstream of its asset
do not materialize for that partition in the same run. WARN checks only
report. A rule that warns early and blocks late is two checks
(quarantine_rate and quarantine_budget), so that a warning is never a failed
blocking check.
The table in docs/quality.md is this catalog; a test keeps them equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from grid_intel.quality.verdict import Severity


@dataclass(frozen=True)
class CheckSpec:
    asset: tuple[str, str]
    name: str
    severity: Severity  # of a failure
    guards: str
    on_failure: str

    @property
    def blocking(self) -> bool:
        return self.severity == "ERROR"

    @property
    def description(self) -> str:
        return f"{self.guards} If it fails: {self.on_failure}"


# Thresholds (documented in docs/quality.md beside the check table).
QUARANTINE_WARN = 0.0  # any quarantined message is reported
QUARANTINE_ERROR = 0.05  # above 5 % a producer is broken, not a message: block
COMPLETENESS_MIN = 0.9  # of the readings a series' scan rate promises in the hour
FRESHNESS = {
    "sensor_readings": timedelta(minutes=2),
    "grid_frequency": timedelta(minutes=2),
    "market_prices": timedelta(minutes=10),
}
ROW_COUNT_MAX_DEVIATION = 0.5  # from the median of the trailing windows
ROW_COUNT_TRAILING = 24  # windows
ROW_COUNT_MIN_HISTORY = 3
MAX_CLOCK_SKEW_S = 300  # an event may be stamped this far after its ingestion
MAX_LOSS_FRACTION = 0.08  # transmission and transformation losses, of generation
BALANCE_TOLERANCE = 0.02  # metering tolerance, of generation

_B, _S, _G = "bronze", "silver", "gold"
_SCHEMA_FIX = (
    "a column, a null key or an impossible timestamp means the producer or the loader "
    "changed: compare the failing examples with the topic's JSON Schema, fix the "
    "producer, then re-materialize the partition."
)


def _gx(layer: str, table: str, guards: str) -> CheckSpec:
    return CheckSpec((layer, table), "gx_contract", "ERROR", guards, _SCHEMA_FIX)


def _duplicates(table: str, key: str) -> CheckSpec:
    return CheckSpec(
        (_B, table),
        "gx_unique_events",
        "WARN",
        f"Great Expectations: ({key}) is unique; duplicated deliveries (Kafka is at least "
        "once) break it and silver keeps one copy.",
        "nothing to do when duplicates are rare; many mean a producer re-sends: check its "
        "acks and retries.",
    )


_QUARANTINE_FIX = (
    "read bronze.quarantine for the window (topic, partition, offset, error), fix the "
    "producer, republish the messages and re-materialize the partition."
)


def _quarantine(table: str) -> tuple[CheckSpec, CheckSpec]:
    return (
        CheckSpec(
            (_B, table),
            "quarantine_rate",
            "WARN",
            "No message of the hour was quarantined as undecodable.",
            _QUARANTINE_FIX,
        ),
        CheckSpec(
            (_B, table),
            "quarantine_budget",
            "ERROR",
            f"At most {QUARANTINE_ERROR:.0%} of the hour's messages quarantined: beyond that "
            "a producer is broken, not a message, and the hour is too incomplete to build on.",
            _QUARANTINE_FIX,
        ),
    )


def _freshness(table: str) -> CheckSpec:
    return CheckSpec(
        (_B, table),
        "freshness",
        "WARN",
        f"The topic's newest event in the window is at most {FRESHNESS[table]} before the "
        "window's end: a stalled producer or a lagging partition leaves the tail empty.",
        "check the producer and the topic's consumer lag; re-materialize the partition once "
        "the late messages are in.",
    )


def _row_count(table: str) -> CheckSpec:
    return CheckSpec(
        (_B, table),
        "row_count_anomaly",
        "WARN",
        f"Rows within ±{ROW_COUNT_MAX_DEVIATION:.0%} of the median of the last "
        f"{ROW_COUNT_TRAILING} materialized windows (needs {ROW_COUNT_MIN_HISTORY}).",
        "a drop means sensors or RTUs went silent (see completeness); a jump means "
        "duplicates or new equipment: confirm against the registry.",
    )


CHECKS: tuple[CheckSpec, ...] = (
    _gx(
        _B,
        "sensor_readings",
        "Great Expectations: the columns of the contract, no null keys, RTU quality flags "
        "from the known set, event times no later than ingestion (+5 min clock skew) and "
        "within Kafka's 7-day retention of it.",
    ),
    _duplicates("sensor_readings", "rtu, point, time"),
    *_quarantine("sensor_readings"),
    CheckSpec(
        (_B, "sensor_readings"),
        "completeness",
        "WARN",
        f"Every registered point reports at least {COMPLETENESS_MIN:.0%} of the readings its "
        "RTU's scan interval promises in the hour.",
        "the worst points and their RTUs are listed: check the RTU's link and the data_gap "
        "window; silver marks what is missing and interpolated_gaps fills at most 15 min.",
    ),
    _freshness("sensor_readings"),
    _row_count("sensor_readings"),
    CheckSpec(
        (_B, "sensor_readings"),
        "referential_integrity",
        "WARN",
        "Every point that reports is in the asset registry (silver.scada_points).",
        "unknown points are listed: add them to the registry export and reload it, or fix "
        "the RTU's point mapping; silver marks their readings bad_unknown_point.",
    ),
    _gx(
        _B,
        "grid_frequency",
        "Great Expectations: contract columns, no null keys, frequency within the hard "
        "limits 59-61 Hz, plausible event times.",
    ),
    CheckSpec(
        (_B, "grid_frequency"),
        "gx_normal_band",
        "WARN",
        "Great Expectations: at least 99 % of readings in the 59.9-60.1 Hz normal band.",
        "a unit trip or a large load loss: look at grid.alerts and the RoCoF of the hour.",
    ),
    _duplicates("grid_frequency", "region, time"),
    *_quarantine("grid_frequency"),
    _freshness("grid_frequency"),
    _row_count("grid_frequency"),
    _gx(
        _B,
        "market_prices",
        "Great Expectations: contract columns, no null keys, DA/RT only with 60/5-minute "
        "intervals, |LMP| ≤ $2,000/MWh (MISO's cost-verified offer cap) and "
        "LMP = energy + congestion + loss within $0.01.",
    ),
    _duplicates("market_prices", "market, node, time"),
    *_quarantine("market_prices"),
    _freshness("market_prices"),
    _row_count("market_prices"),
    *_quarantine("grid_alerts"),
    _gx(
        _S,
        "validated_readings",
        "Great Expectations: contract columns, no null keys, one reading per (point, time), "
        "known quality codes, and every reading coded good inside the physical bounds of "
        "its measurement (frequency 59-61 Hz, temperatures, loads, gases).",
    ),
    CheckSpec(
        (_S, "validated_readings"),
        "flagged_readings",
        "WARN",
        "No reading in the hour was flagged bad or uncertain (bad_source, "
        "bad_out_of_range, uncertain_spike, bad_unknown_point).",
        "the flagged points and codes are listed: a spike or dropout is kept out of gold "
        "already; persistent flags on one point mean a failing sensor: raise a work order.",
    ),
    _gx(
        _S,
        "clean_frequency",
        "Great Expectations: contract columns, one reading per (region, time), frequency "
        "within 59-61 Hz.",
    ),
    _gx(
        _S,
        "market_prices",
        "Great Expectations: contract columns, intervals that end after they start, "
        "|LMP| ≤ $2,000/MWh and LMP = energy + congestion + loss within $0.01.",
    ),
    CheckSpec(
        (_G, "generation_mix_hourly"),
        "physical_reconciliation",
        "ERROR",
        f"Each hour, generation - demand - net interchange (the implied losses) lies within "
        f"-{BALANCE_TOLERANCE:.0%} … {MAX_LOSS_FRACTION + BALANCE_TOLERANCE:.0%} of generation.",
        "a station, region load or tie meter is missing or mis-scaled: compare "
        "hourly_station_stats for the failing hours with the registry and re-run silver.",
    ),
)


def checks_for(asset: tuple[str, str]) -> tuple[CheckSpec, ...]:
    return tuple(c for c in CHECKS if c.asset == asset)


def spec(asset: tuple[str, str], name: str) -> CheckSpec:
    return next(c for c in CHECKS if c.asset == asset and c.name == name)
