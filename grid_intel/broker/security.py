"""How clients reach the brokers: plaintext on a private network, or TLS.

MSK's TLS listener presents a certificate from a public CA, so the system's trust
store verifies it; a broker with a private CA (the local stack's TLS listener) is
verified against that CA's file. The hostname is always checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROTOCOLS = ("PLAINTEXT", "SSL")


@dataclass(frozen=True)
class KafkaSecurity:
    protocol: str = "PLAINTEXT"
    cafile: Path | None = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise ValueError(
                f"unknown Kafka security protocol {self.protocol!r}: use {' or '.join(PROTOCOLS)}"
            )
        if self.cafile is not None and self.protocol != "SSL":
            raise ValueError(
                "a Kafka CA file applies to TLS only: set GRID_INTEL_KAFKA_SECURITY_PROTOCOL=SSL "
                "or unset GRID_INTEL_KAFKA_SSL_CAFILE"
            )

    @property
    def tls(self) -> bool:
        return self.protocol == "SSL"

    def client_options(self) -> dict[str, object]:
        """kafka-python's connection options for this protocol."""
        if not self.tls:
            return {"security_protocol": "PLAINTEXT"}
        options: dict[str, object] = {"security_protocol": "SSL", "ssl_check_hostname": True}
        if self.cafile is not None:
            options["ssl_cafile"] = str(self.cafile)
        return options

    def missing_cafile(self) -> str | None:
        """Why the CA file cannot be used, or None when it can (or none is needed)."""
        if self.cafile is None or self.cafile.is_file():
            return None
        return (
            f"the Kafka CA file {self.cafile} does not exist: point GRID_INTEL_KAFKA_SSL_CAFILE "
            "at the broker's CA (the local stack writes <state_dir>/kafka/tls/ca.pem on "
            "`grid-intel stack up`), or unset it to use the system's trust store"
        )

    def hint(self) -> str:
        """What to check when a broker does not answer this client."""
        if not self.tls:
            return (
                "The client speaks plaintext: if that address is a TLS listener (MSK's 9094), "
                "set GRID_INTEL_KAFKA_SECURITY_PROTOCOL=SSL."
            )
        trust = self.cafile or "the system's trust store"
        return (
            f"The client speaks TLS and verifies the broker against {trust}: check that "
            "the address is a TLS listener and that the CA signed the broker's certificate "
            "for that host name."
        )
