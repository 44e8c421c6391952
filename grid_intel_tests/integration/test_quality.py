"""Data-quality checks on the real pipeline: messages with each kind of defect go
through Kafka into bronze, silver and gold, and the matching check fails with a
description that says why; clean hours pass every check; a blocking failure keeps
gold from that hour while the next hour proceeds."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import dagster as dg
import orjson
import pytest

from grid_intel.broker.client import consumer, time_index
from grid_intel.broker.security import KafkaSecurity
from grid_intel.defs.resources import build_resources
from grid_intel.grid.registry import build_registry
from grid_intel.quality.catalog import spec
from grid_intel.settings import Settings
from grid_intel.simulation.archives import write_archives
from grid_intel.simulation.messages import Message, scan_message
from grid_intel.simulation.scada import Scan
from grid_intel_tests.hours import hour_ago

HOUR = timedelta(hours=1)
RTUS = ("rtu_gs_kettle", "rtu_ds_winnipeg_001")  # the registry of this test: two RTUs
NODES = ("MHEB", "MINN.HUB")


# Each test publishes into two adjacent hours of its own, 1.5-6.5 days back (inside Kafka's
# 7-day retention and clear of the hours other modules use), in random order; a pair the
# broker already holds records in (an earlier run on a kept broker) is passed over.
_CANDIDATES = random.sample(range(20, 80), 60)
_TOPICS = ("sensor.readings", "grid.frequency", "market.prices")


def _untouched(bootstrap: str, start: datetime, end: datetime) -> bool:
    """No record stamped in [start, end) on any topic this module writes: the first offset
    at or after `start` is the first at or after `end` (records arrive in time order)."""
    with consumer(bootstrap, security=KafkaSecurity()) as c:  # the test stack: plaintext
        for topic in _TOPICS:
            if time_index(c, topic, start) != time_index(c, topic, end):
                return False
    return True


def free_hours(settings: Settings) -> list[datetime]:
    """Two adjacent closed hours no other test uses, with an empty hour either side,
    oldest first."""
    while _CANDIDATES:
        back = 2 * _CANDIDATES.pop()
        first, last = hour_ago(back + 1), hour_ago(back)
        if _untouched(settings.kafka_bootstrap, first - HOUR, last + 2 * HOUR):
            return [first, last]
    raise AssertionError("every candidate hour already holds records: purge the stack's broker")


def key(h: datetime) -> str:
    return h.strftime("%Y-%m-%d-%H:%M")


def send(messages: list[Message], settings: Settings) -> None:
    with settings.kafka_producer() as p:
        for m in messages:
            p.send(m.topic, key=m.key, value=m.value, timestamp_ms=m.timestamp_ms)
        p.flush()


def materialize(
    settings: Settings, keys: list[list[str]], partition: str | None, **kwargs: object
) -> dg.ExecuteInProcessResult:
    """The hour's bronze → silver → gold for `keys` with every asset check on them."""
    from grid_intel.defs.bronze.assets import bronze_assets
    from grid_intel.defs.dbt.assets import dbt_hourly_assets, dbt_reference_assets
    from grid_intel.defs.quality.checks import QUALITY_CHECKS

    return dg.materialize(
        [*bronze_assets, dbt_reference_assets, *dbt_hourly_assets, *QUALITY_CHECKS],
        selection=dg.AssetSelection.assets(*(dg.AssetKey(k) for k in keys)),
        partition_key=partition,
        resources=build_resources(settings),
        raise_on_error=False,
        **kwargs,
    )


def checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        f"{'/'.join(e.asset_key.path)}:{e.check_name}": e
        for e in result.get_asset_check_evaluations()
    }


# --- Blocking: market prices ------------------------------------------------------------


def price(
    ts: datetime, market: str, node: str, lmp: float, parts: tuple[float, float, float]
) -> Message:
    body = {
        "v": 1,
        "ts": ts.isoformat().replace("+00:00", "Z"),
        "market": market,
        "node": node,
        "location_type": "Interface" if node == "MHEB" else "Hub",
        "interval_minutes": 60 if market == "DA" else 5,
        "lmp": lmp,
        "mec": parts[0],
        "mcc": parts[1],
        "mlc": parts[2],
    }
    return Message("market.prices", node.encode(), orjson.dumps(body), int(ts.timestamp() * 1000))


def prices(hour: datetime, broken: bool) -> list[Message]:
    out = []
    for node in NODES:
        out.append(price(hour, "DA", node, 31.5, (30.0, 1.0, 0.5)))
        for i in range(12):
            out.append(price(hour + timedelta(minutes=5 * i), "RT", node, 28.25, (27.0, 1.0, 0.25)))
    if broken:  # a price whose components do not add up to the LMP
        out[5] = price(hour + timedelta(minutes=20), "RT", "MHEB", 128.25, (27.0, 1.0, 0.25))
    return out


PRICE_CHAIN = [["bronze", "market_prices"], ["silver", "market_prices"], ["gold", "prices_hourly"]]


def test_blocking_price_check_stops_gold_of_that_hour_only(test_db: Settings, dbt_manifest):
    bad, good = free_hours(test_db)
    send(prices(bad, broken=True) + prices(good, broken=False), test_db)

    failed = materialize(test_db, PRICE_CHAIN, key(bad))
    contract = checks(failed)["bronze/market_prices:gx_contract"]
    assert not contract.passed and contract.severity == dg.AssetCheckSeverity.ERROR
    assert "lmp.residual" in contract.description
    todo = spec(("bronze", "market_prices"), "gx_contract").on_failure
    assert contract.description.endswith(f"What to do: {todo}")
    (failure,) = contract.metadata["failures"].value
    assert failure["examples"] and failure["examples"][0]["node"] == "MHEB"
    done = {"/".join(m.asset_key.path) for m in failed.get_asset_materialization_events()}
    assert done == {"bronze/market_prices"}  # silver and gold were not built

    passed = materialize(test_db, PRICE_CHAIN, key(good))
    assert passed.success
    evaluations = checks(passed)
    assert {"bronze/market_prices:gx_contract", "silver/market_prices:gx_contract"} <= set(
        evaluations
    )
    assert all(e.passed for e in evaluations.values()), [
        (k, e.description) for k, e in evaluations.items() if not e.passed
    ]
    done = {"/".join(m.asset_key.path) for m in passed.get_asset_materialization_events()}
    assert {"silver/market_prices", "gold/prices_hourly"} <= done


def test_a_backfill_run_records_its_checks_on_each_hour(test_db: Settings, dbt_manifest):
    """A run over many hours judges each hour on its own and records it on that hour, in
    the row Dagster planned for that run and hour; the run's own result fails because one
    hour did. The same range run again (a retry, a re-run) records its hours again: results
    reported runless collided on Dagster's unique (check, run '', hour) index here."""
    first, last = free_hours(test_db)
    send(prices(first, broken=True) + prices(last, broken=False), test_db)
    contract = dg.AssetCheckKey(dg.AssetKey(["bronze", "market_prices"]), "gx_contract")
    tags = {
        "dagster/asset_partition_range_start": key(first),
        "dagster/asset_partition_range_end": key(last),
    }
    with dg.instance_for_test() as instance:
        runs = []
        for _ in range(2):
            result = materialize(test_db, PRICE_CHAIN[:1], None, instance=instance, tags=tags)
            run_result = checks(result)["bronze/market_prices:gx_contract"]
            assert not run_result.passed and key(first) in str(run_result.description)
            runs.append(result.run_id)
            # One pass over both hours finds where rows broke an expectation: only the
            # broken hour's contract is judged alone; the rest pass from that pass.
            once = {
                (e.partition, e.check_name): "judged over the run's 2 hours at once"
                in str(e.description)
                for e in result.get_asset_check_evaluations()
                if e.partition and e.check_name.startswith("gx_")
            }
            assert once == {
                (key(first), "gx_contract"): False,
                (key(last), "gx_contract"): True,
                (key(first), "gx_unique_events"): True,
                (key(last), "gx_unique_events"): True,
            }
        history = instance.event_log_storage.get_asset_check_execution_history(contract, limit=20)
        rows = [(r.run_id, r.partition, r.status.value) for r in history if r.partition]
    for run in runs:
        mine = {p: s for r, p, s in rows if r == run}
        assert mine == {key(first): "FAILED", key(last): "SUCCEEDED"}, rows


# --- Defects in SCADA readings -------------------------------------------------------------


def registry_of(folder: Path, rtus: set[str]) -> Path:
    """The simulator's registry export cut down to some RTUs (so an hour is small)."""
    day = hour_ago(0).replace(hour=0)
    write_archives(folder, 7, day - timedelta(days=1), day, lambda _: None)
    for name in ("rtus.csv", "points.csv"):
        path = folder / "registry" / name
        head, *rows = path.read_text().splitlines()
        column = 0 if name == "rtus.csv" else 1
        kept = [r for r in rows if r.split(",")[column] in rtus]
        path.write_text("\n".join([head, *kept]) + "\n")
    return folder


def load_registry(settings: Settings, landing: Path) -> Settings:
    from grid_intel.defs.dbt.assets import dbt_reference_assets
    from grid_intel.defs.landing.assets import ARCHIVE_ASSETS

    settings = settings.model_copy(update={"landing_dir": landing})
    whole = [a for a in ARCHIVE_ASSETS.values() if a.partitions_def is None]
    resources = build_resources(settings)
    assert dg.materialize([*whole, dbt_reference_assets], resources=resources).success
    return settings


def scans(hour: datetime, *, defects: bool) -> list[Message]:
    registry = build_registry()
    subs = {r.id: r.substation for r in registry.rtus}
    points = {rtu: [p for p in registry.points if p.rtu == rtu] for rtu in RTUS}
    out: list[Message] = []
    for i in range(900):  # every 4 s
        ts = hour + timedelta(seconds=4 * i)
        for rtu in RTUS:
            if defects and ((rtu == RTUS[1] and 10 <= i // 15 < 25) or i // 15 >= 55):
                continue  # a data gap on one RTU, then both silent for the last 5 minutes
            values = {p.id: round((p.low + p.high) / 2, 3) for p in points[rtu]}
            if defects and rtu == RTUS[0] and i == 300:
                values["gs_kettle_t1.top_oil_temp_c"] += 60  # a spike
                values["ghost.load_mw"] = 12.0  # a point the registry does not know
            out.append(scan_message(Scan(rtu, ts, int(ts.timestamp()) // 4, values), subs[rtu]))
    if defects:
        out.append(out[100])  # a producer retry: the same scan twice
        out.append(
            Message("sensor.readings", RTUS[0].encode(), b'{"v":1,"rtu":', out[200].timestamp_ms)
        )
    return out


READING_CHAIN = [["bronze", "sensor_readings"], ["silver", "validated_readings"]]


def test_each_defect_fails_its_check_and_clean_hour_passes_all(
    test_db: Settings, dbt_manifest, tmp_path: Path
):
    settings = load_registry(test_db, registry_of(tmp_path, set(RTUS)))

    faulty, clean = free_hours(test_db)
    send(scans(faulty, defects=True) + scans(clean, defects=False), settings)

    result = materialize(settings, READING_CHAIN, key(faulty))
    assert result.success  # WARN checks report and do not block
    got = checks(result)
    failing = {k for k, e in got.items() if not e.passed}
    assert failing == {
        "bronze/sensor_readings:gx_unique_events",
        "bronze/sensor_readings:quarantine_rate",
        "bronze/sensor_readings:completeness",
        "bronze/sensor_readings:freshness",
        "bronze/sensor_readings:referential_integrity",
        "silver/validated_readings:flagged_readings",
    }, {k: e.description for k, e in got.items()}
    assert all(got[k].severity == dg.AssetCheckSeverity.WARN for k in failing)
    says = {k.split(":")[1]: got[k].description for k in failing}
    assert "1 of" in says["quarantine_rate"] and "bronze.quarantine" in says["quarantine_rate"]
    assert (
        "below 90%" in says["completeness"]
        and "gs_kettle" not in says["completeness"].split("(")[1]
    )
    assert "ghost.load_mw" in str(
        got["bronze/sensor_readings:referential_integrity"].metadata["examples"].value
    )
    assert (
        "uncertain_spike" in says["flagged_readings"]
        and "bad_unknown_point" in says["flagged_readings"]
    )
    assert "before the window's end" in says["freshness"]
    dupes = got["bronze/sensor_readings:gx_unique_events"].metadata["failures"].value[0]
    assert dupes["examples"] and dupes["examples"][0]["copies"] == 2

    result = materialize(settings, READING_CHAIN, key(clean))
    assert result.success
    got = checks(result)
    assert len(got) >= 9
    assert all(e.passed for e in got.values()), {
        k: e.description for k, e in got.items() if not e.passed
    }


# --- The single-connection TimescaleDB lane (GX validates through pandas there) ----------


@pytest.mark.timescale
def test_checks_run_on_the_timescaledb_lane(timescale_db: Settings, dbt_manifest):
    from grid_intel.broker.codec import FrequencyReading, encode_frequency

    hour = free_hours(timescale_db)[0]
    region = f"test-{random.randrange(10**8)}"
    readings = [
        FrequencyReading(hour + timedelta(seconds=2 * i), region, 60.0 + (i % 5) / 1e3, 0.0)
        for i in range(1800)
    ]
    messages = [
        Message(
            "grid.frequency", region.encode(), encode_frequency(r), int(r.ts.timestamp() * 1000)
        )
        for r in readings
    ]
    messages.append(messages[10])  # delivered twice
    send(messages, timescale_db)

    chain = [["bronze", "grid_frequency"], ["silver", "clean_frequency"]]
    result = materialize(timescale_db, chain, key(hour))
    assert result.success
    got = checks(result)
    assert not got["bronze/grid_frequency:gx_unique_events"].passed
    assert got["bronze/grid_frequency:gx_contract"].passed
    assert got["silver/clean_frequency:gx_contract"].passed
    assert got["bronze/grid_frequency:gx_normal_band"].passed


# --- The simulator's own stream faults ------------------------------------------------------

STREAM_CHECKS = {
    "data_gap": "completeness",
    "duplicate_message": "gx_unique_events",
    "malformed_message": "quarantine_rate",
}


def test_the_simulators_stream_faults_fail_their_checks(
    test_db: Settings, dbt_manifest, tmp_path: Path
):
    """The RTUs the simulator's fault plan hits in an hour, with their faults injected."""
    from grid_intel.simulation.feeds import Feeds

    hour = free_hours(test_db)[0]
    end = hour + timedelta(hours=1)
    feeds = Feeds(7, faults=tuple(STREAM_CHECKS), faults_per_day=48)
    labels = [f for f in feeds.faults(hour, end) if f.kind in STREAM_CHECKS]
    rtus = {f.asset for f in labels}
    assert labels, "the fault plan put no stream fault in this hour"
    settings = load_registry(test_db, registry_of(tmp_path, rtus))
    messages = [*feeds.messages(hour, end), *feeds.flush_late()]
    send([m for m in messages if m.topic == "sensor.readings" and m.key.decode() in rtus], settings)

    result = materialize(settings, [["bronze", "sensor_readings"]], key(hour))
    assert result.success
    got = checks(result)
    for f in labels:
        inside = min(f.end, end) - max(f.start, hour)
        if f.kind == "data_gap" and inside < timedelta(minutes=7):
            continue  # a gap this short leaves the RTU above the 90 % completeness bar
        check = got[f"bronze/sensor_readings:{STREAM_CHECKS[f.kind]}"]
        assert not check.passed, (f, check.description)
    assert got["bronze/sensor_readings:gx_contract"].passed
