"""The local broker's TLS listener: a self-signed certificate made with the JDK's keytool.

With it the whole local stack runs with GRID_INTEL_KAFKA_SECURITY_PROTOCOL=SSL, as
clients do against MSK, and the tests make real TLS handshakes. The certificate
names 127.0.0.1 and localhost, so clients check the host name as they would in
production. The keystore's password is for this machine only and never leaves
the state folder or reaches a command line.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from grid_intel.stack.proc import require_tool, run_checked
from grid_intel.stack.service import Progress

SUBJECT = "CN=localhost, O=Manitoba Grid Intelligence local stack"
NAMES = "SAN=ip:127.0.0.1,dns:localhost"
VALID_DAYS = 3650


@dataclass(frozen=True)
class BrokerTls:
    keystore: Path
    password: str
    ca: Path


def ensure_broker_tls(ca: Path, progress: Progress) -> BrokerTls:
    """The keystore, its password and the CA file clients trust (`ca`, whose folder holds
    the rest); made once per state folder."""
    folder = ca.parent
    keystore = folder / "broker.p12"
    secret = folder / "keystore.password"
    if keystore.is_file() and secret.is_file() and ca.is_file():
        return BrokerTls(keystore, secret.read_text().strip(), ca)
    keytool = require_tool("keytool", "install a JDK 17 (apt-get install openjdk-17-jre-headless)")
    progress("kafka: making the TLS listener's certificate (first run only)")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    for stale in (keystore, ca):
        stale.unlink(missing_ok=True)
    password = secrets.token_urlsafe(24)
    secret.write_text(password)
    secret.chmod(0o600)
    store = ["-keystore", str(keystore), "-storetype", "PKCS12", "-storepass:file", str(secret)]
    run_checked(
        [
            *(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048"),
            *("-validity", str(VALID_DAYS), "-dname", SUBJECT, "-ext", NAMES, "-ext", "BC:c"),
            *store,
        ],
        what="making the Kafka TLS certificate with keytool",
        timeout=120,
    )
    run_checked(
        [keytool, "-exportcert", "-rfc", "-alias", "broker", "-file", str(ca), *store],
        what="exporting the Kafka TLS certificate with keytool",
        timeout=60,
    )
    return BrokerTls(keystore, password, ca)
