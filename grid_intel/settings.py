"""One typed settings object, read from the environment and a `.env` file.

Every service address the platform uses is derived here, so the CLI, Dagster,
dbt and the tests agree on where the stack lives. Nothing here connects.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from grid_intel.broker.security import KafkaSecurity

if TYPE_CHECKING:
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

API_ROLE = "grid_intel_api"  # the serving layer's database role (migration 0016)


def project_root() -> Path:
    """The checkout holding `pyproject.toml`, else the working directory."""
    here = Path(__file__).resolve().parent.parent
    if (here / "pyproject.toml").is_file() and (here / "grid_intel_dbt").is_dir():
        return here
    return Path.cwd()


class Environment(StrEnum):
    LOCAL = "local"
    CI = "ci"
    PROD = "prod"


class Settings(BaseSettings):
    """Platform settings; env vars are prefixed `GRID_INTEL_` unless noted."""

    model_config = SettingsConfigDict(
        env_prefix="GRID_INTEL_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    env: Environment = Field(default=Environment.LOCAL, description="local, ci or prod.")
    state_dir: Path = Field(
        default_factory=lambda: project_root() / ".state",
        description="Ports, pids, logs and data of the local stack.",
    )
    landing_dir: Path | None = Field(
        default=None,
        description="Landing folder the archive assets read (weather, MISO, outages, "
        "work orders, registry, GIS); unset means <state_dir>/landing.",
    )

    warehouse_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("GRID_INTEL_WAREHOUSE_URL", "DATABASE_URL"),
        description="PostgreSQL/TimescaleDB URL; unset means the embedded server.",
    )
    pg_port: int = Field(default=55432, description="Port of the embedded PostgreSQL.")
    warehouse_db: str = Field(default="grid_intel", description="Warehouse database name.")
    dagster_db: str = Field(default="dagster", description="Dagster storage database name.")
    dagster_pg_url: str | None = Field(
        default=None, description="Dagster storage URL; unset means the embedded server."
    )

    kafka_bootstrap_servers: str | None = Field(
        default=None, description="Kafka bootstrap list; unset means the local broker."
    )
    kafka_port: int = Field(default=59092, description="Local broker's client port.")
    kafka_controller_port: int = Field(default=59093, description="Local KRaft controller port.")
    kafka_heap: str = Field(default="768m", description="Local broker's JVM heap (-Xmx).")
    kafka_tls_port: int = Field(
        default=59094,
        description="Local broker's TLS listener (its CA: <state_dir>/kafka/tls/ca.pem).",
    )
    kafka_security_protocol: str = Field(
        default="PLAINTEXT",
        description="How clients reach the brokers: PLAINTEXT, or SSL for a TLS listener "
        "(MSK's 9094).",
    )
    kafka_ssl_cafile: Path | None = Field(
        default=None,
        description="CA file verifying the brokers over SSL; unset means the system's trust "
        "store (right for MSK).",
    )

    timescale_port: int = Field(default=55433, description="Port of the TimescaleDB lane.")

    dagster_home: Path | None = Field(
        default=None, description="DAGSTER_HOME; unset means <state_dir>/dagster."
    )
    dagster_port: int = Field(default=3000, description="Port of Dagster's webserver.")

    api_host: str = Field(default="127.0.0.1", description="Address the REST/WebSocket API binds.")
    api_port: int = Field(default=58080, description="Port of the REST/WebSocket API.")
    api_warehouse_url: str | None = Field(
        default=None,
        description="The API's database URL (its read-only role); unset means the warehouse "
        "URL with the user grid_intel_api.",
    )
    webhook_allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1", "localhost"],
        description="Hosts alert webhooks may be delivered to (exact names; '*' allows any).",
    )

    metrics_host: str = Field(
        default="127.0.0.1",
        description="Address the stream processor's and the exporter's /metrics bind "
        "(0.0.0.0 in containers).",
    )
    stream_metrics_port: int = Field(
        default=59464,
        ge=0,
        description="Port of the stream processor's Prometheus /metrics (0 = not served).",
    )
    exporter_port: int = Field(
        default=59465, ge=1, description="Port of `grid-intel exporter`'s Prometheus /metrics."
    )

    bounded_reads: bool = Field(
        default=False,
        description="Loads by Kafka's time index (backfills, UI re-runs) stop at each "
        "topic's allowed lateness after the window instead of reading to the topic's end. "
        "Only for topics whose records are stamped in the order they were produced (the "
        "demo's fresh stack): out of order, a bound from the time index can fall before "
        "the window's own records.",
    )
    sensor_lookback_hours: float = Field(
        default=24.0,
        ge=0,
        description="How far back a topic sensor without a cursor starts scanning Kafka.",
    )

    connect_timeout_s: float = Field(default=5.0, gt=0, description="Service connect timeout.")
    log_level: str = Field(default="INFO", description="Log level name.")
    log_format: str = Field(default="console", description="console or json.")

    @field_validator("env", mode="before")
    @classmethod
    def _known_env(cls, value: object) -> object:
        names = [e.value for e in Environment]
        if isinstance(value, str) and value.lower() not in names:
            raise ValueError(f"unknown environment {value!r}: use one of {', '.join(names)}")
        return value.lower() if isinstance(value, str) else value

    @field_validator("log_format")
    @classmethod
    def _known_format(cls, value: str) -> str:
        if value not in ("console", "json"):
            raise ValueError(f"unknown log format {value!r}: use console or json")
        return value

    @field_validator("kafka_security_protocol")
    @classmethod
    def _protocol_in_capitals(cls, value: str) -> str:
        return value.upper()

    @model_validator(mode="after")
    def _known_kafka_security(self) -> Settings:
        self.kafka_security  # noqa: B018 (KafkaSecurity raises on a bad protocol or pair)
        return self

    @property
    def embedded_postgres(self) -> bool:
        return self.warehouse_url is None

    @property
    def local_kafka(self) -> bool:
        return self.kafka_bootstrap_servers is None

    def local_pg_url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.pg_port}/{database}"

    @property
    def warehouse(self) -> str:
        return self.warehouse_url or self.local_pg_url(self.warehouse_db)

    @property
    def api_warehouse(self) -> str:
        """The warehouse as the API's read-only role sees it."""
        if self.api_warehouse_url:
            return self.api_warehouse_url
        parts = urlsplit(self.warehouse)
        host = parts.netloc.rsplit("@", 1)[-1]
        return parts._replace(netloc=f"{API_ROLE}@{host}").geturl()

    @property
    def dagster_storage_url(self) -> str:
        return self.dagster_pg_url or self.local_pg_url(self.dagster_db)

    @property
    def timescale_url(self) -> str:
        """The PGlite TimescaleDB lane (one connection at a time, no TLS)."""
        return (
            f"postgresql://postgres:lane@127.0.0.1:{self.timescale_port}/template1?sslmode=disable"
        )

    @property
    def kafka_bootstrap(self) -> str:
        """The configured brokers, else the local broker's listener for the protocol."""
        if self.kafka_bootstrap_servers:
            return self.kafka_bootstrap_servers
        tls = self.kafka_security_protocol == "SSL"
        return f"127.0.0.1:{self.kafka_tls_port if tls else self.kafka_port}"

    @property
    def kafka_security(self) -> KafkaSecurity:
        """TLS to the local broker trusts the CA the stack wrote, unless told otherwise."""
        cafile = self.kafka_ssl_cafile
        if cafile is None and self.local_kafka and self.kafka_security_protocol == "SSL":
            cafile = self.local_kafka_ca
        return KafkaSecurity(self.kafka_security_protocol, cafile)

    def kafka_producer(self, **options: Any) -> AbstractContextManager[KafkaProducer]:
        """A producer for this deployment's brokers: its address, connect timeout and
        security (options as `grid_intel.broker.client.producer`'s, e.g. `bulk=True`)."""
        from grid_intel.broker.client import producer

        return producer(**self._kafka(options))

    def kafka_consumer(self, **options: Any) -> AbstractContextManager[KafkaConsumer]:
        """A consumer for this deployment's brokers (options: `group_id`, `timeout_s`)."""
        from grid_intel.broker.client import consumer

        return consumer(**self._kafka(options))

    def kafka_admin(self, **options: Any) -> AbstractContextManager[KafkaAdminClient]:
        """An admin client for this deployment's brokers (options: `timeout_s`)."""
        from grid_intel.broker.client import admin_client

        return admin_client(**self._kafka(options))

    def _kafka(self, options: dict[str, Any]) -> dict[str, Any]:
        return {
            "bootstrap": self.kafka_bootstrap,
            "timeout_s": self.connect_timeout_s,
            "security": self.kafka_security,
            **options,
        }

    @property
    def local_kafka_ca(self) -> Path:
        """The CA file of the local broker's TLS listener, written on `stack up`."""
        return self.state_dir / "kafka" / "tls" / "ca.pem"

    def kafka_env(self) -> dict[str, str]:
        """The resolved brokers and protocol, for child processes whose settings must
        reach exactly the Kafka this process reaches."""
        security = self.kafka_security
        env = {
            "GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "GRID_INTEL_KAFKA_SECURITY_PROTOCOL": security.protocol,
        }
        if security.cafile is not None:
            env["GRID_INTEL_KAFKA_SSL_CAFILE"] = str(security.cafile)
        return env

    @property
    def resolved_dagster_home(self) -> Path:
        return self.dagster_home or self.state_dir / "dagster"

    @property
    def resolved_landing_dir(self) -> Path:
        return self.landing_dir or self.state_dir / "landing"

    def with_state_dir(self, folder: Path, **update: object) -> Settings:
        """A copy keeping its files in `folder` but reaching the same services: the
        local broker's CA stays where that broker wrote it."""
        if (cafile := self.kafka_security.cafile) is not None:
            update.setdefault("kafka_ssl_cafile", cafile)
        return self.model_copy(update={"state_dir": folder, **update})

    def with_warehouse(self, url: str) -> Settings:
        """A copy pointing the warehouse at another server (e.g. the TimescaleDB lane)."""
        return self.model_copy(update={"warehouse_url": url})


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


# `scheme://user:<password>@`: the password, up to the last @ before a space, /, ? or #.
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@?#]*:)[^\s/?#]*(?=@)")
REDACTED = "***"


def redact(text: str) -> str:
    """`text` (a URL, or a message quoting URLs) with every URL's password hidden, for
    logs and status lines."""
    return _URL_PASSWORD.sub(rf"\1{REDACTED}", text)
