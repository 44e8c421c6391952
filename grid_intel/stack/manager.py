"""`stack up | down | status` over the services the settings call for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grid_intel.settings import Settings
from grid_intel.stack.api import ApiServer
from grid_intel.stack.dagster import DagsterService
from grid_intel.stack.exporter import IngestionExporter
from grid_intel.stack.kafka import KafkaBroker
from grid_intel.stack.postgres import EmbeddedPostgres, ExternalPostgres
from grid_intel.stack.service import Progress, Service, ServiceStatus
from grid_intel.stack.simulator import LiveSimulator
from grid_intel.stack.stream import StreamProcessor
from grid_intel.stack.timescale import TimescaleLane
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import MigrationReport, migrate


@dataclass(frozen=True)
class Selection:
    timescale: bool = False
    dagster: bool = False
    simulator: bool = False
    stream: bool = False
    api: bool = False
    exporter: bool = False


EVERYTHING = Selection(
    timescale=True, dagster=True, simulator=True, stream=True, api=True, exporter=True
)


# The services `stack up` starts only when asked, by their Selection flag, in start order.
OPTIONAL: tuple[tuple[str, Callable[[Settings], Service]], ...] = (
    ("timescale", TimescaleLane),
    ("dagster", DagsterService),
    ("simulator", LiveSimulator),
    ("stream", StreamProcessor),
    ("api", ApiServer),
    ("exporter", IngestionExporter),
)


def services(settings: Settings, selection: Selection) -> list[Service]:
    out: list[Service] = [
        EmbeddedPostgres(settings) if settings.embedded_postgres else ExternalPostgres(settings),
        KafkaBroker(settings),
    ]
    return out + [service(settings) for flag, service in OPTIONAL if getattr(selection, flag)]


def up(
    settings: Settings, selection: Selection, progress: Progress
) -> tuple[list[ServiceStatus], list[MigrationReport]]:
    """Start what is missing, wait until each answers, migrate the warehouse(s)."""
    statuses: list[ServiceStatus] = []
    reports: list[MigrationReport] = []
    for svc in services(settings, Selection(timescale=selection.timescale)):
        statuses.append(svc.start(progress))
        if svc.name == "postgres":
            reports.append(migrate_url(settings.warehouse, settings))
        if svc.name == "timescale":
            reports.append(migrate_url(settings.timescale_url, settings))
    if selection.dagster:
        statuses.append(DagsterService(settings).start(progress))
    if selection.simulator:
        statuses.append(LiveSimulator(settings).start(progress))
    if selection.stream:
        statuses.append(StreamProcessor(settings).start(progress))
    if selection.api:
        statuses.append(ApiServer(settings).start(progress))
    if selection.exporter:
        statuses.append(IngestionExporter(settings).start(progress))
    return statuses, reports


def migrate_url(url: str, settings: Settings) -> MigrationReport:
    with connect(url, timeout_s=settings.connect_timeout_s) as conn:
        return migrate(conn)


def down(
    settings: Settings, purge: bool, progress: Progress, only: set[str] | None = None
) -> dict[str, str]:
    """Stop, in reverse order, only what `up` started; keep data unless purging."""
    every = services(settings, EVERYTHING)
    return {
        svc.name: svc.stop(purge=purge, progress=progress)
        for svc in reversed(every)
        if only is None or svc.name in only
    }


def status(settings: Settings) -> list[ServiceStatus]:
    return [svc.status() for svc in services(settings, EVERYTHING)]
