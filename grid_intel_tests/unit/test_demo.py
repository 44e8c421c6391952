"""The demo's sizing, backfill plan, stage lines and readiness verdicts (pure parts)."""

from datetime import UTC, datetime

import dagster as dg
import pytest

from grid_intel.defs.partitions import daily, hourly
from grid_intel.demo.narrate import Narrator
from grid_intel.demo.plan import LEFT_OUT, RECENT_ONLY, demo_plan
from grid_intel.demo.ready import findings, judge
from grid_intel.demo.shape import Shape, closed_hours
from grid_intel.demo.stages import StageWatch, stage_of

NOW = datetime(2026, 11, 24, 10, 37, tzinfo=UTC)


def test_closed_hours_are_complete_utc_hours():
    assert closed_hours(NOW, 2) == [
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 24, 9, tzinfo=UTC),
    ]


def test_history_covers_whole_days_then_todays_closed_hours():
    w = Shape(days=4, recent_hours=2).windows(NOW)
    assert w.start == datetime(2026, 11, 20, tzinfo=UTC)
    assert (w.recent, w.until) == (
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 24, 10, tzinfo=UTC),
    )
    assert w.faulty == w.recent and w.recent_hours == closed_hours(NOW, 2)
    assert w.days == [datetime(2026, 11, d, tzinfo=UTC) for d in range(20, 24)]


def test_just_after_midnight_the_recent_hours_are_yesterdays():
    w = Shape(days=4, recent_hours=2).windows(datetime(2026, 11, 24, 0, 10, tzinfo=UTC))
    assert w.until == datetime(2026, 11, 24, tzinfo=UTC)
    assert w.recent == datetime(2026, 11, 23, 22, tzinfo=UTC)
    assert w.start == datetime(2026, 11, 20, tzinfo=UTC) and len(w.days) == 4


def test_a_shape_without_history_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        Shape(days=0)


def spec(path: str, partitions=hourly) -> dg.AssetSpec:
    return dg.AssetSpec(path.split("/"), partitions_def=partitions)


def test_the_plan_builds_layers_over_history_and_products_over_the_recent_hours():
    w = Shape(days=4, recent_hours=2).windows(NOW)
    forecasts = next(iter(RECENT_ONLY))
    specs = [
        spec("bronze/sensor_readings"),
        spec("gold/equipment_health", daily),
        spec("/".join(forecasts.path)),
        spec("/".join(next(iter(LEFT_OUT)).path), daily),
        dg.AssetSpec(["silver", "equipment"]),
        dg.AssetSpec(["silver", "stations"]),
    ]
    loaded = {dg.AssetKey(["silver", "equipment"])}
    plan = demo_plan(specs, w, NOW, loaded)
    by_key = {a.key.to_user_string(): a.partitions for a in plan.assets}
    assert len(by_key["bronze/sensor_readings"]) == 4 * 24 + 10
    assert by_key["gold/equipment_health"] == tuple(f"2026-11-{d}" for d in range(20, 24))
    assert by_key[forecasts.to_user_string()] == ("2026-11-24-08:00", "2026-11-24-09:00")
    assert by_key["silver/stations"] is None  # unpartitioned, not loaded before: built once
    assert "silver/equipment" not in by_key
    assert next(iter(LEFT_OUT)).to_user_string() not in by_key


def test_stages_follow_the_layers_and_name_products():
    products = {"gold/demand_forecasts"}
    assert stage_of(["bronze", "grid_frequency"], products) == "bronze"
    assert stage_of(["silver", "validated_readings"], products) == "silver"
    assert stage_of(["gold", "demand_hourly"], products) == "gold"
    assert stage_of(["gold", "demand_forecasts"], products) == "products"


def status(path: str, targeted: int, done: int, failed: int = 0) -> dict:
    return {
        "__typename": "AssetPartitionsStatusCounts",
        "assetKey": {"path": path.split("/")},
        "numPartitionsTargeted": targeted,
        "numPartitionsMaterialized": done,
        "numPartitionsFailed": failed,
        "numPartitionsInProgress": targeted - done - failed,
    }


def test_each_stage_is_said_once_when_its_last_partition_is_done():
    watch = StageWatch({"gold/demand_forecasts"})
    first = [
        status("bronze/a", 10, 10),
        status("silver/b", 10, 4),
        status("gold/demand_forecasts", 2, 0),
    ]
    assert [(s, c.materialized) for s, c in watch.finished(first)] == [("bronze", 10)]
    assert watch.finished(first) == []
    later = [
        status("bronze/a", 10, 10),
        status("silver/b", 10, 9, 1),
        status("gold/demand_forecasts", 2, 2),
    ]
    said = watch.finished(later)
    assert [(s, c.materialized, c.failed) for s, c in said] == [
        ("silver", 9, 1),
        ("products", 2, 0),
    ]


def test_readiness_needs_data_not_just_200():
    assert judge("demand/forecast", 200, {"items": [{}], "issued_at": "t"}).ok
    assert not judge("demand/forecast", 404, {"detail": "no 24h demand forecast"}).ok
    assert "no 24h" in judge("demand/forecast", 404, {"detail": "no 24h demand forecast"}).detail
    assert not judge("anomalies", 200, {"items": []}).ok
    assert not judge("prices/current", 200, {"day_ahead": {"lmp": 1}, "real_time": None}).ok
    assert judge("prices/current", 200, {"day_ahead": {"lmp": 1}, "real_time": {"lmp": 2}}).ok
    assert not judge("carbon/intensity", 200, {"items": [{}], "forecast": None}).ok
    assert judge("carbon/intensity", 200, {"items": [{}], "forecast": {"items": [{}]}}).ok
    assert not judge("equipment/T1/health", 200, {"history": []}).ok


def test_findings_ask_each_endpoint_and_the_worst_assets_detail():
    asked = []

    def get(path: str):
        asked.append(path)
        if path.endswith("equipment/health?limit=1"):
            return 200, {"items": [{"asset": "DOR-T1"}]}
        if path.endswith("/DOR-T1/health"):
            return 200, {"history": [{}]}
        return 404, {"detail": "nothing"}

    found = {f.name: f.ok for f in findings(get)}
    assert found["equipment/DOR-T1/health"] and found["equipment/health"]
    assert not found["demand/forecast"]
    assert any(p.startswith("/api/v1/carbon/intensity") for p in asked)


def test_the_narrator_prints_stages_and_logs_everything_else(tmp_path, capsys):
    import warnings

    out = Narrator(tmp_path / "demo.log")
    with out.quiet():
        print("a library's chatter")
        warnings.warn("a preview warning", UserWarning, stacklevel=1)
        out.stage("bronze", "4/4 asset partitions")
    out.close()
    shown = capsys.readouterr().out
    assert "bronze" in shown and "chatter" not in shown and "preview" not in shown
    logged = (tmp_path / "demo.log").read_text()
    assert "chatter" in logged and "UserWarning: a preview warning" in logged
