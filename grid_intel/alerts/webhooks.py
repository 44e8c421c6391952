"""Webhook rules without I/O: signing, URL checks, retry timing and alert filters.

A delivery carries `X-Grid-Intel-Timestamp` (Unix seconds) and
`X-Grid-Intel-Signature: sha256=<hex>`, the HMAC-SHA256 with the subscription's
secret of `<timestamp>.<raw body>`. Signing the timestamp with the body lets a
receiver reject replays: verify the HMAC, then refuse timestamps older than a few
minutes.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from grid_intel.broker.codec import SEVERITIES, Alert

SIGNATURE_HEADER = "X-Grid-Intel-Signature"
TIMESTAMP_HEADER = "X-Grid-Intel-Timestamp"
ALERT_ID_HEADER = "X-Grid-Intel-Alert-Id"
MAX_URL_LENGTH = 2048
TOLERANCE_S = 300

Outcome = Literal["delivered", "retry", "give_up"]


class InvalidWebhookUrl(ValueError):
    """A subscription URL the platform will not call; the text says why."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float,
    tolerance_s: float = TOLERANCE_S,
) -> bool:
    """What a receiver does: the signature matches (in constant time) and is fresh."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    if abs(now - ts) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature)


def validate_url(url: str, allowed_hosts: list[str], max_length: int = MAX_URL_LENGTH) -> str:
    """The URL if the platform may POST to it, else `InvalidWebhookUrl` with the reason.

    Hosts are matched by name, exactly (no suffixes, no DNS), against the operator's
    allow-list; '*' allows any host.
    """
    if len(url) > max_length:
        raise InvalidWebhookUrl(f"the URL is longer than {max_length} characters")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidWebhookUrl("the URL contains whitespace or control characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise InvalidWebhookUrl(f"the scheme must be http or https, not {parts.scheme!r}")
    if parts.username is not None or parts.password is not None:
        raise InvalidWebhookUrl(
            "the URL must not carry credentials (user:password@); "
            "verify the X-Grid-Intel-Signature header instead"
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidWebhookUrl("the URL has no host")
    try:
        parts.port  # noqa: B018 - urlsplit checks the port lazily
    except ValueError as exc:
        raise InvalidWebhookUrl(f"the port is not valid: {exc}") from exc
    allowed = {h.lower() for h in allowed_hosts}
    if "*" not in allowed and host not in allowed:
        raise InvalidWebhookUrl(
            f"host {host!r} is not allowed; allowed hosts: {', '.join(sorted(allowed)) or 'none'}"
            " (an operator sets GRID_INTEL_WEBHOOK_ALLOWED_HOSTS)"
        )
    return url


@dataclass(frozen=True)
class RetryPolicy:
    """Up to `attempts` tries; before try n+1, base_s * factor**(n-1) seconds (capped),
    spread by ±jitter so that receivers recovering from an outage are not hit in step."""

    attempts: int = 5
    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 60.0
    jitter: float = 0.2
    timeout_s: float = 10.0

    def schedule(self) -> list[float]:
        """Nominal waits between the attempts (one fewer than the attempts)."""
        return [min(self.cap_s, self.base_s * self.factor**n) for n in range(self.attempts - 1)]

    def delay(self, attempt: int, rand: float) -> float:
        """The wait after failed `attempt` (1-based), given `rand` uniform in [0, 1)."""
        nominal = self.schedule()[attempt - 1]
        return nominal * (1 + self.jitter * (2 * rand - 1))


def outcome(status_code: int | None) -> Outcome:
    """2xx delivers; connection errors (None), 429 and 5xx are worth retrying; other
    statuses (4xx, and 3xx, as redirects are not followed) will not change."""
    if status_code is None or status_code == 429 or status_code >= 500:
        return "retry"
    if 200 <= status_code < 300:
        return "delivered"
    return "give_up"


@dataclass(frozen=True)
class Filters:
    """A subscription's filters; None matches anything."""

    asset: str | None = None
    kind: str | None = None
    min_severity: str | None = None

    def matches(self, alert: Alert) -> bool:
        if self.asset is not None and alert.asset != self.asset:
            return False
        if self.kind is not None and alert.kind != self.kind:
            return False
        if self.min_severity is None:
            return True
        return severity_rank(alert.severity) >= severity_rank(self.min_severity)


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


def payload(alert: Alert, subscription_id: str) -> dict[str, object]:
    """The JSON body of a delivery: the alert as on grid.alerts, and whose it is."""
    return {
        "type": "grid.alert",
        "subscription_id": subscription_id,
        "alert": {
            "id": alert.alert_id,
            "ts": alert.ts.isoformat().replace("+00:00", "Z"),
            "asset": alert.asset,
            "kind": alert.kind,
            "severity": alert.severity,
            "message": alert.message,
            "detail": alert.detail,
        },
    }
