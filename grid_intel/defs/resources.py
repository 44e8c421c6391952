"""Resources for the warehouse and Kafka, configured from the typed settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import dagster as dg

from grid_intel.broker import client as kafka_client
from grid_intel.broker.security import KafkaSecurity
from grid_intel.ingestion.landing_watch import FileStamp, scan
from grid_intel.settings import Settings
from grid_intel.warehouse.connection import connect
from grid_intel.warehouse.migrate import Lane, recorded_lane

if TYPE_CHECKING:
    import psycopg
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer


class WarehouseResource(dg.ConfigurableResource):
    """The PostgreSQL/TimescaleDB warehouse; connections are opened per use."""

    url: str
    connect_timeout_s: float = 5.0

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection]:
        with connect(self.url, timeout_s=self.connect_timeout_s) as conn:
            yield conn

    def lane(self) -> Lane:
        with self.connection() as conn:
            return recorded_lane(conn)

    def dbt_env(self) -> dict[str, str]:
        """The GRID_INTEL_DBT_* variables `grid_intel_dbt/profiles.yml` reads."""
        parts = urlsplit(self.url)
        query = parse_qs(parts.query)
        return {
            "GRID_INTEL_DBT_HOST": parts.hostname or "127.0.0.1",
            "GRID_INTEL_DBT_PORT": str(parts.port or 5432),
            "GRID_INTEL_DBT_USER": parts.username or "postgres",
            "GRID_INTEL_DBT_PASSWORD": parts.password or "",
            "GRID_INTEL_DBT_DBNAME": parts.path.lstrip("/") or "postgres",
            "GRID_INTEL_DBT_SSLMODE": query.get("sslmode", ["prefer"])[0],
        }


class KafkaResource(dg.ConfigurableResource):
    """The Kafka cluster; clients are opened per use and closed after."""

    bootstrap_servers: str
    timeout_s: float = 5.0
    # The code location sets both from the settings (`build_resources`).
    security_protocol: str = "PLAINTEXT"
    ssl_cafile: str | None = None

    @property
    def security(self) -> KafkaSecurity:
        cafile = Path(self.ssl_cafile) if self.ssl_cafile else None
        return KafkaSecurity(self.security_protocol, cafile)

    @contextmanager
    def consumer(self, group_id: str | None = None) -> Iterator[KafkaConsumer]:
        with kafka_client.consumer(
            self.bootstrap_servers,
            group_id=group_id,
            timeout_s=self.timeout_s,
            security=self.security,
        ) as c:
            yield c

    @contextmanager
    def admin(self) -> Iterator[KafkaAdminClient]:
        with kafka_client.admin_client(
            self.bootstrap_servers, self.timeout_s, security=self.security
        ) as a:
            yield a

    def scan(
        self, topic: str, start: dict[int, int] | None, since: datetime, max_records: int
    ) -> tuple[list[tuple[int, int, int]], dict[int, int]]:
        """(partition, offset, timestamp_ms) past `start` (first scan: from `since`), and
        where the next scan continues."""
        with self.consumer() as c:
            begin = start or kafka_client.start_offsets(c, topic, since)
            return kafka_client.scan_timestamps(c, topic, begin, max_records=max_records)

    def time_index(self, topic: str, ts: datetime) -> dict[int, int | None]:
        with self.consumer() as c:
            return kafka_client.time_index(c, topic, ts)

    @contextmanager
    def producer(self) -> Iterator[KafkaProducer]:
        with kafka_client.producer(
            self.bootstrap_servers, self.timeout_s, security=self.security
        ) as p:
            yield p


class LandingResource(dg.ConfigurableResource):
    """The folder utilities' exports (or simulated archives) are dropped in."""

    folder: str

    @property
    def root(self) -> Path:
        return Path(self.folder)

    def scan(self) -> dict[str, FileStamp]:
        return scan(self.root)


def build_resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    from grid_intel.defs.dbt.project import dbt_resource

    # An explicit URL stays an EnvVar so its password never shows in the UI.
    url = (
        dg.EnvVar("GRID_INTEL_WAREHOUSE_URL")
        if os.environ.get("GRID_INTEL_WAREHOUSE_URL")
        else settings.warehouse
    )
    security = settings.kafka_security
    return {
        "warehouse": WarehouseResource(url=url, connect_timeout_s=settings.connect_timeout_s),
        "kafka": KafkaResource(
            bootstrap_servers=settings.kafka_bootstrap,
            timeout_s=settings.connect_timeout_s,
            security_protocol=security.protocol,
            ssl_cafile=str(security.cafile) if security.cafile else None,
        ),
        "dbt": dbt_resource(),
        "landing": LandingResource(folder=str(settings.resolved_landing_dir)),
    }
