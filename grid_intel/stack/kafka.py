"""A real single-node Apache Kafka broker in KRaft mode, from Maven Central jars.

The jars are fetched with Maven from `infra/kafka/pom.xml` into the state
folder; the broker runs on the machine's Java 17 as `kafka.Kafka`.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import uuid

from grid_intel.broker.client import admin_client, describe_topics, ensure_topics
from grid_intel.broker.topics import TOPICS, TOPICS_BY_NAME
from grid_intel.settings import Settings, project_root
from grid_intel.stack.errors import StackError
from grid_intel.stack.kafka_tls import ensure_broker_tls
from grid_intel.stack.proc import (
    Daemon,
    ensure_port_free,
    port_open,
    require_tool,
    run_checked,
)
from grid_intel.stack.service import Progress, ServiceStatus, StateFolder

POM = project_root() / "infra" / "kafka" / "pom.xml"
LOG4J = project_root() / "infra" / "kafka" / "log4j2.yaml"

SERVER_PROPERTIES = """\
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:{controller_port}
listeners=PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{tls_port},CONTROLLER://127.0.0.1:{controller_port}
advertised.listeners=PLAINTEXT://127.0.0.1:{port},SSL://127.0.0.1:{tls_port},CONTROLLER://127.0.0.1:{controller_port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL
ssl.keystore.type=PKCS12
ssl.keystore.location={keystore}
ssl.keystore.password={keystore_password}
inter.broker.listener.name=PLAINTEXT
log.dirs={data}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=268435456
log.retention.check.interval.ms=300000
message.max.bytes=8388608
"""


def pom_digest() -> str:
    return hashlib.sha256(POM.read_bytes()).hexdigest()[:16]


class KafkaBroker(StateFolder):
    name = "kafka"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.libs = self.root / "libs"
        self.daemon = Daemon(self.root, "kafka")
        self.props = self.root / "server.properties"
        self.port = settings.kafka_port
        self.bootstrap = settings.kafka_bootstrap
        self.security = settings.kafka_security

    @property
    def local(self) -> bool:
        return self.settings.local_kafka

    def status(self) -> ServiceStatus:
        managed = self.local and self.daemon.running()
        if self.local and not port_open("127.0.0.1", self.port):
            return ServiceStatus(self.name, False, self.bootstrap, "nothing listens", managed)
        try:
            with admin_client(
                self.bootstrap, self.settings.connect_timeout_s, security=self.security
            ) as admin:
                states = describe_topics(admin, TOPICS)
        except Exception as exc:  # any failure to answer means "down", with the reason
            return ServiceStatus(
                self.name, False, self.bootstrap, " ".join(str(exc).split())[:160], managed
            )
        bad = [s.name for s in states if not s.matches(TOPICS_BY_NAME[s.name])]
        detail = f"{len(states)} topics as specified" if not bad else f"topics off-spec: {bad}"
        return ServiceStatus(self.name, not bad, self.bootstrap, detail, managed)

    def start(self, progress: Progress) -> ServiceStatus:
        if not self.local:
            progress(f"kafka: using the configured cluster {self.bootstrap}")
            return self._topics(progress)
        if self.daemon.running():
            return self._topics(progress)
        ensure_port_free("kafka", self.port, "GRID_INTEL_KAFKA_PORT")
        ensure_port_free(
            "kafka controller",
            self.settings.kafka_controller_port,
            "GRID_INTEL_KAFKA_CONTROLLER_PORT",
        )
        ensure_port_free("kafka TLS", self.settings.kafka_tls_port, "GRID_INTEL_KAFKA_TLS_PORT")
        java = require_tool("java", "install a JDK 17 (apt-get install openjdk-17-jre-headless)")
        self._fetch_jars(progress)
        tls = ensure_broker_tls(self.settings.local_kafka_ca, progress)
        self.props.write_text(
            SERVER_PROPERTIES.format(
                port=self.port,
                tls_port=self.settings.kafka_tls_port,
                controller_port=self.settings.kafka_controller_port,
                data=self.data,
                keystore=tls.keystore,
                keystore_password=tls.password,
            )
        )
        self.props.chmod(0o600)  # it holds the keystore's password
        if not (self.data / "meta.properties").exists():
            progress("kafka: formatting KRaft storage")
            run_checked(
                [
                    java,
                    "-cp",
                    f"{self.libs}/*",
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    _cluster_id(),
                    "-c",
                    str(self.props),
                    "--standalone",
                ],
                what="kafka storage format",
                timeout=90,
            )
        progress(
            f"kafka: starting broker on 127.0.0.1:{self.port} "
            f"(TLS on 127.0.0.1:{self.settings.kafka_tls_port}, CA {tls.ca})"
        )
        cmd = [
            java,
            f"-Xmx{self.settings.kafka_heap}",
            f"-Xms{self.settings.kafka_heap}",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J}",
            f"-Dkafka.logs.dir={self.root}",
            "-cp",
            f"{self.libs}/*",
            "kafka.Kafka",
            str(self.props),
        ]
        self.daemon.launch(
            cmd, port=self.port, ready=lambda: port_open("127.0.0.1", self.port), timeout=90
        )
        return self._topics(progress)

    def _topics(self, progress: Progress) -> ServiceStatus:
        with admin_client(
            self.bootstrap, self.settings.connect_timeout_s, security=self.security
        ) as admin:
            states = ensure_topics(admin, TOPICS)
        for s in states:
            if s.created:
                progress(f"kafka: created topic {s.name} ({s.partitions} partitions)")
            if not s.matches(TOPICS_BY_NAME[s.name]):
                spec = TOPICS_BY_NAME[s.name]
                raise StackError(
                    f"topic {s.name} has {s.partitions} partitions and retention.ms="
                    f"{s.retention_ms}, but the platform needs {spec.partitions} and "
                    f"{spec.retention_ms}: delete it or run `grid-intel stack down --purge`"
                )
        return self.status()

    def _fetch_jars(self, progress: Progress) -> None:
        stamp = self.libs / ".pom-digest"
        if stamp.exists() and stamp.read_text() == pom_digest():
            return
        mvn = require_tool("mvn", "install Maven (Debian: apt-get install maven)")
        progress("kafka: fetching broker jars from Maven Central (first run only)")
        if self.libs.exists():
            shutil.rmtree(self.libs)
        run_checked(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={self.libs}",
                "-DincludeScope=runtime",
            ],
            what="fetching the Kafka jars with Maven",
            timeout=600,
        )
        stamp.write_text(pom_digest())

    def stop(self, *, purge: bool, progress: Progress) -> str:
        said = self.daemon.halt(progress, timeout=45) if self.local else "external, left running"
        if purge and self.data.exists():
            shutil.rmtree(self.data)
            said += ", data purged"
        return said


def _cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding.

    Like Kafka's own `Uuid.randomUuid`, never one starting with "-", which the
    storage tool's argument parser would take for an option.
    """
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid
