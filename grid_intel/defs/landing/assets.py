"""Bronze assets of the landing folder's files: a UTC day of each time-based source, the
registry and GIS whole; bad rows quarantined, whole-file problems fail the run."""

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from grid_intel.archives.errors import ArchiveError
from grid_intel.defs.partitions import daily
from grid_intel.defs.resources import LandingResource, WarehouseResource
from grid_intel.grid.calendar import utc_days
from grid_intel.ingestion import archive_files as af
from grid_intel.ingestion.archive_files import Coverage, unreadable_message
from grid_intel.ingestion.landing_watch import DAYS_PER_RUN

if TYPE_CHECKING:
    from grid_intel.ingestion.archive_load import ArchiveLoadReport

DESCRIPTIONS = {
    af.WEATHER_HOURLY: "ECCC hourly climate observations of one UTC day, per station, from "
    "the station-month CSVs in LST (a day's first of the month reads two months); blank "
    "hours not yet observed are counted, not loaded.",
    af.WEATHER_FORECASTS: "Day-ahead weather forecasts per load region (temperature, wind, "
    "wind chill), hourly for nine days (216 h), of the 12 UTC issue of one UTC day.",
    af.MISO_LMP: "MISO day-ahead ex-post (hourly) and real-time 5-minute LMPs in gridstatus's "
    "columns, intervals starting on one UTC day, from the files of market days D-1 and D (EST).",
    af.OUTAGES: "Outage records (OMS export) that started on one UTC day.",
    af.WORK_ORDERS: "Maintenance work orders (EAM export) opened, or if never opened planned, "
    "on one UTC day.",
    af.ASSET_REGISTRY: "The asset registry, one row per kind and id with its attributes as "
    "JSON, replaced whole from registry/<kind>.csv.",
    af.GIS_FEATURES: "GIS features (substations, stations as points; lines) from "
    "gis/grid.geojson, replaced whole.",
}
KINDS = {af.GIS_FEATURES: {"geojson", "postgres"}}


def run_load(
    warehouse: WarehouseResource, root: Path, coverages: list[Coverage]
) -> "ArchiveLoadReport":
    """`load`, with its refusals as run failures that say what to do."""
    from grid_intel.ingestion.archive_load import MissingArchives, load

    try:
        with warehouse.connection() as conn:
            return load(conn, root, coverages)
    except MissingArchives as exc:
        raise dg.Failure(description=str(exc)) from None
    except ArchiveError as exc:
        raise dg.Failure(
            description=unreadable_message(exc),
            metadata={"path": str(exc.path), "line": exc.line or 0},
        ) from None


def _done(
    context: dg.AssetExecutionContext, report: "ArchiveLoadReport", what: str
) -> dg.MaterializeResult:
    context.log.info(
        f"{report.source} {what}: {report.rows} rows from {len(report.files)} files, "
        f"{report.quarantined} quarantined, {report.outside} outside the day, "
        f"{report.replaced} replaced, {report.seconds:.2f}s"
    )
    return dg.MaterializeResult(metadata=report.metadata())


def build_daily_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["bronze", source],
        partitions_def=daily,
        group_name="bronze",
        kinds={"csv", "postgres"},
        owners=["team:data-platform"],
        backfill_policy=dg.BackfillPolicy.multi_run(DAYS_PER_RUN),
        description=DESCRIPTIONS[source],
        metadata={"table": f"bronze.{source}", "partition_column": af.TIME_COLUMNS[source]},
    )
    def _daily(
        context: dg.AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        days = utc_days(*context.partition_time_window)
        names = landing.scan()
        coverages = [af.day_files(source, d, names) for d in days]
        report = run_load(warehouse, landing.root, coverages)
        return _done(context, report, f"{days[0]}..{days[-1]}")

    return _daily


def build_whole_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["bronze", source],
        group_name="bronze",
        kinds=KINDS.get(source, {"csv", "postgres"}),
        owners=["team:data-platform"],
        description=DESCRIPTIONS[source],
        metadata={"table": f"bronze.{source}"},
    )
    def _whole(
        context: dg.AssetExecutionContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        coverage = af.whole_files(source, landing.scan())
        return _done(context, run_load(warehouse, landing.root, [coverage]), "whole table")

    return _whole


ARCHIVE_ASSETS: dict[str, dg.AssetsDefinition] = {
    **{s: build_daily_asset(s) for s in af.DAILY},
    **{s: build_whole_asset(s) for s in af.WHOLE},
}

defs = dg.Definitions(assets=list(ARCHIVE_ASSETS.values()))
