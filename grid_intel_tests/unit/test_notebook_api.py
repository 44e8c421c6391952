"""The notebook API's pure parts: keys, partitions → windows → SQL, typed frames, and a
catalog that covers every asset of the code location."""

import importlib.util
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import dagster as dg
import polars as pl
import pytest

from grid_intel import notebook
from grid_intel.asset_metadata import ISSUED_AT_CLOSE, MONTHS_OF_WINDOW, ROWS_IN_WINDOW
from grid_intel.defs.dbt.translator import window_metadata
from grid_intel.defs.partitions import daily, hourly
from grid_intel.notebook import (
    AssetInfo,
    asset_info,
    parse_key,
    partition_window,
    resolve,
    select_query,
    to_frame,
)


def info(
    key: str = "gold/x",
    partitions: dg.TimeWindowPartitionsDefinition | None = hourly,
    column: str | None = "hour",
    window: str = ROWS_IN_WINDOW,
) -> AssetInfo:
    return AssetInfo(
        key=parse_key(key),
        kind="python",
        table=key.replace("/", "."),
        partitions_def=partitions,
        partition_column=column,
        partition_window=window,
        description="",
    )


def rendered(query: object) -> str:
    return query.as_string(None)  # type: ignore[attr-defined]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "key",
    [
        "gold/demand_forecasts",
        ["gold", "demand_forecasts"],
        dg.AssetKey(["gold", "demand_forecasts"]),
    ],
)
def test_keys_parse_from_string_list_or_asset_key(key):
    assert parse_key(key) == dg.AssetKey(["gold", "demand_forecasts"])


@pytest.mark.parametrize("key", ["", "gold//x", "/x", [], ["gold", ""], ["gold", 3]])
def test_malformed_keys_say_how_to_write_one(key):
    with pytest.raises(ValueError, match="gold/demand_forecasts"):
        parse_key(key)


def test_unknown_key_lists_close_matches():
    assets = {i.key: i for i in (info("gold/demand_forecasts"), info("gold/demand_hourly"))}
    with pytest.raises(KeyError, match="did you mean gold/demand_forecasts"):
        resolve("gold/demand_forcasts", assets)
    with pytest.raises(KeyError, match="list_assets"):
        resolve("bronze/nothing_like_it", assets)
    assert resolve(["gold", "demand_hourly"], assets).name == "gold/demand_hourly"


def test_partition_keys_become_utc_windows():
    assert partition_window(info(), "2026-01-05-13:00") == (
        utc(2026, 1, 5, 13),
        utc(2026, 1, 5, 14),
    )
    day = info(partitions=daily, column="day")
    assert partition_window(day, "2026-01-05") == (utc(2026, 1, 5), utc(2026, 1, 6))


@pytest.mark.parametrize(
    ("partitions", "key", "message"),
    [
        (hourly, "2026-01-05", "malformed partition"),
        (hourly, "2026-01-05 13:00", "malformed partition"),
        (hourly, "2026-01-05-13:30", "no partition"),  # dagster would round it to 14:00
        (hourly, "2025-12-31-23:00", "no partition"),  # before the first
        (hourly, "2999-01-01-00:00", "no partition"),  # not closed yet
        (daily, "2026-01-05-13:00", "malformed partition"),
    ],
)
def test_partitions_an_asset_does_not_have_say_what_keys_look_like(partitions, key, message):
    example = partitions.get_first_partition_key()
    with pytest.raises(ValueError, match=message) as raised:
        partition_window(info(partitions=partitions), key)
    assert example in str(raised.value)


def test_a_partition_of_an_unpartitioned_asset_is_refused():
    with pytest.raises(ValueError, match="without a partition"):
        partition_window(info(partitions=None, column=None), "2026-01-05")


def test_rows_in_window_are_half_open_and_parameterized():
    window = partition_window(info(), "2026-01-05-13:00")
    query, params = select_query(info(), ["hour", "fuel"], window, 10)
    assert rendered(query) == (
        'select "hour", "fuel" from "gold"."x"'
        ' where "hour" >= %(lo)s and "hour" < %(hi)s limit %(limit)s'
    )
    assert params == {"lo": utc(2026, 1, 5, 13), "hi": utc(2026, 1, 5, 14), "limit": 10}


def test_forecasts_issued_at_close_belong_to_the_hour_that_closed():
    forecasts = info("gold/demand_forecasts", column="issued_at", window=ISSUED_AT_CLOSE)
    query, params = select_query(
        forecasts, None, partition_window(forecasts, "2026-01-05-13:00"), None
    )
    assert rendered(query) == (
        'select * from "gold"."demand_forecasts"'
        ' where "issued_at" > %(lo)s and "issued_at" <= %(hi)s'
    )
    assert params == {"lo": utc(2026, 1, 5, 13), "hi": utc(2026, 1, 5, 14)}


@pytest.mark.parametrize(
    ("day", "months"),
    [
        ("2026-03-11", (utc(2026, 3, 1), utc(2026, 4, 1))),
        ("2026-03-31", (utc(2026, 3, 1), utc(2026, 4, 1))),
        ("2026-01-01", (utc(2026, 1, 1), utc(2026, 2, 1))),
    ],
)
def test_monthly_rollups_rebuilt_per_day_give_the_days_month(day, months):
    monthly = info("gold/reliability_monthly", daily, "month", MONTHS_OF_WINDOW)
    _, params = select_query(monthly, None, partition_window(monthly, day), None)
    assert (params["lo"], params["hi"]) == months
    assert notebook.next_month(utc(2026, 12, 31, 23)) == utc(2027, 1, 1)


def test_names_from_callers_are_quoted_identifiers_never_sql():
    query, params = select_query(info(), ['x"; drop table gold.x; --'], None, None)
    assert rendered(query) == 'select "x""; drop table gold.x; --" from "gold"."x"'
    assert params == {}


def test_a_partition_needs_a_partition_column():
    with pytest.raises(ValueError, match="load it whole"):
        select_query(info(column=None), None, (utc(2026, 1, 1), utc(2026, 1, 2)), None)


def test_frames_keep_types_when_empty_and_convert_json_numeric_uuid():
    oids = [1184, 3802, 1700, 2950, 25]
    names = ["ts", "detail", "amount", "id", "name"]
    empty = to_frame(names, oids, [])
    assert empty.schema == pl.Schema(
        {
            "ts": pl.Datetime("us", "UTC"),
            "detail": pl.String,
            "amount": pl.Float64,
            "id": pl.String,
            "name": pl.String,
        }
    )
    row = (utc(2026, 1, 5), {"a": [1, 2]}, Decimal("1.50"), UUID(int=1), "x")
    frame = to_frame(names, oids, [row, (None, None, None, None, None)])
    assert frame.row(0) == (utc(2026, 1, 5), '{"a": [1, 2]}', 1.5, str(UUID(int=1)), "x")
    assert frame.row(1) == (None, None, None, None, None)


def test_asset_info_reads_table_and_partition_metadata():
    dbt = asset_info(
        dg.AssetSpec(
            ["silver", "validated_readings"],
            kinds={"dbt", "postgres"},
            partitions_def=hourly,
            metadata={
                "dagster/table_name": "grid_intel.silver.validated_readings",
                "partition_column": "ts",
            },
        )
    )
    assert (dbt.kind, dbt.table, dbt.partitioning, dbt.partition_window) == (
        "dbt",
        "silver.validated_readings",
        "hourly",
        ROWS_IN_WINDOW,
    )
    python = asset_info(
        dg.AssetSpec(
            ["gold", "lmp_forecasts"],
            kinds={"python", "postgres"},
            partitions_def=hourly,
            metadata={
                "table": "gold.lmp_forecasts",
                "partition_column": "issued_at",
                "partition_window": ISSUED_AT_CLOSE,
            },
        )
    )
    assert (python.kind, python.table, python.partition_window) == (
        "python",
        "gold.lmp_forecasts",
        ISSUED_AT_CLOSE,
    )
    with pytest.raises(ValueError, match="partition_window"):
        asset_info(dg.AssetSpec("x", metadata={"partition_window": "whenever"}))


def test_dbt_partition_column_comes_from_the_models_clearing_pre_hook():
    def node(hook: str) -> dict:
        return {
            "config": {"pre-hook": [{"sql": hook}]},
            "depends_on": {"macros": ["macro.grid_intel.rollup_clear"]},
        }

    macros = {
        "macro.grid_intel.rollup_clear": {
            "name": "rollup_clear",
            "macro_sql": "{% if x %}{{ grid_intel.clear_window('hour') }}{% endif %}",
        }
    }
    assert window_metadata(node("{{ clear_window('day', grain='day') }}"), macros) == {
        "partition_column": "day",
        "partition_window": ROWS_IN_WINDOW,
    }
    assert window_metadata(node("{{ clear_window('month', months=true) }}"), macros) == {
        "partition_column": "month",
        "partition_window": MONTHS_OF_WINDOW,
    }
    assert window_metadata(node("{{ rollup_clear() }}"), macros)["partition_column"] == "hour"
    assert window_metadata(node("{{ clear_window() }}"), macros)["partition_column"] == "ts"
    assert window_metadata({"config": {}, "depends_on": {}}, macros) == {}


def test_list_assets_covers_every_asset_and_every_partition_maps_to_rows(dbt_manifest):
    from grid_intel.definitions import defs

    specs = {s.key.to_user_string(): s for s in defs.resolve_all_asset_specs()}
    listed = notebook.list_assets()
    assert listed.columns == list(notebook.COLUMNS)
    assert sorted(listed["key"]) == sorted(specs)
    assert listed["table"].null_count() == 0
    for row in listed.iter_rows(named=True):
        spec = specs[row["key"]]
        assert row["kind"] == ("dbt" if "dbt" in spec.kinds else "python"), row
        assert (row["partitioning"] == "none") == (spec.partitions_def is None), row
        # Every partitioned asset says which column its partitions fill.
        assert (row["partition_column"] is None) == (spec.partitions_def is None), row
        if row["kind"] == "dbt" and row["partition_column"]:
            documented = spec.metadata["dagster/column_schema"].columns
            assert row["partition_column"] in {c.name for c in documented}, row


def test_import_grid_intel_stays_light_and_exports_lazily():
    code = (
        "import sys, grid_intel; "
        "heavy = [m for m in ('dagster', 'polars', 'grid_intel.notebook') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    import grid_intel

    assert grid_intel.load_asset is notebook.load_asset
    assert grid_intel.list_assets is notebook.list_assets
    assert grid_intel.carbon.hourly_intensity is sys.modules["grid_intel.carbon"].hourly_intensity
    for name in grid_intel.ANALYTICS:  # importing them all here would take seconds
        assert importlib.util.find_spec(f"grid_intel.{name}") is not None, name
        assert name in dir(grid_intel)
    with pytest.raises(AttributeError):
        _ = grid_intel.no_such_thing
