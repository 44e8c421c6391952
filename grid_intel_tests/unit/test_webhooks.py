"""Webhook rules: signatures, URL checks, retry timing, filters (no I/O)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from importlib import resources

import pytest

from grid_intel.alerts import webhooks as wh
from grid_intel.api.auth import hash_secret, parse
from grid_intel.broker.codec import Alert

SECRET = "s3cr3t"
NOW = 1_760_000_000


def _alert(asset: str = "T1", kind: str = "overheating", severity: str = "warning") -> Alert:
    return Alert(datetime(2026, 1, 1, tzinfo=UTC), "a1", asset, kind, severity, "m", {})


def test_a_signature_verifies_and_any_tampering_breaks_it():
    body = b'{"alert": {"id": "a1"}}'
    sig = wh.sign(SECRET, NOW, body)
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", sig)
    assert wh.verify(SECRET, str(NOW), body, sig, now=NOW + 10)
    assert not wh.verify(SECRET, str(NOW), body + b" ", sig, now=NOW)  # body changed
    assert not wh.verify(SECRET, str(NOW + 1), body, sig, now=NOW)  # timestamp changed
    assert not wh.verify("other", str(NOW), body, sig, now=NOW)  # wrong secret
    assert not wh.verify(SECRET, str(NOW), body, sig[:-1] + "0", now=NOW)  # signature edited
    assert not wh.verify(SECRET, "soon", body, sig, now=NOW)


def test_an_old_signature_is_refused_as_a_replay():
    body = b"{}"
    sig = wh.sign(SECRET, NOW, body)
    assert wh.verify(SECRET, str(NOW), body, sig, now=NOW + wh.TOLERANCE_S)
    assert not wh.verify(SECRET, str(NOW), body, sig, now=NOW + wh.TOLERANCE_S + 1)


ALLOWED = ["127.0.0.1", "hooks.example.com"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://hooks.example.com/a/b?c=d",
        "https://HOOKS.example.com",
    ],
)
def test_urls_on_allowed_hosts_pass(url: str):
    assert wh.validate_url(url, ALLOWED) == url


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://127.0.0.1/hook", "scheme must be http or https"),
        ("file:///etc/passwd", "scheme must be http or https"),
        ("127.0.0.1/hook", "scheme"),
        ("http://user:pw@127.0.0.1/hook", "credentials"),
        ("http://user@127.0.0.1/hook", "credentials"),
        ("http://evil.example.com/hook", "not allowed"),
        ("http://hooks.example.com.evil.net/", "not allowed"),
        ("http://127.0.0.1:99999/", "port"),
        ("http://127.0.0.1:abc/", "port"),
        ("http:///hook", "no host"),
        ("http://127.0.0.1/a b", "whitespace"),
        ("http://127.0.0.1/" + "a" * 3000, "longer than"),
    ],
)
def test_urls_the_platform_will_not_call_are_refused_with_the_reason(url: str, reason: str):
    with pytest.raises(wh.InvalidWebhookUrl, match=reason):
        wh.validate_url(url, ALLOWED)


def test_a_star_allows_any_host_but_not_other_schemes_or_credentials():
    assert wh.validate_url("https://anywhere.example.org/x", ["*"])
    with pytest.raises(wh.InvalidWebhookUrl, match="scheme"):
        wh.validate_url("gopher://anywhere.example.org/", ["*"])
    with pytest.raises(wh.InvalidWebhookUrl, match="credentials"):
        wh.validate_url("https://a:b@anywhere.example.org/", ["*"])


def test_the_backoff_doubles_up_to_the_cap_with_bounded_jitter():
    policy = wh.RetryPolicy()
    assert policy.schedule() == [1.0, 2.0, 4.0, 8.0]  # 5 attempts, 4 waits
    assert wh.RetryPolicy(attempts=8, cap_s=10).schedule() == [1, 2, 4, 8, 10, 10, 10]
    assert policy.delay(3, 0.5) == 4.0
    assert policy.delay(3, 0.0) == pytest.approx(4.0 * 0.8)
    assert policy.delay(3, 0.999999) == pytest.approx(4.0 * 1.2, rel=1e-5)
    assert wh.RetryPolicy(attempts=1).schedule() == []


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "delivered"),
        (204, "delivered"),
        (None, "retry"),
        (429, "retry"),
        (500, "retry"),
        (503, "retry"),
        (400, "give_up"),
        (404, "give_up"),
        (410, "give_up"),
        (301, "give_up"),
    ],
)
def test_only_transient_failures_are_retried(status: int | None, expected: str):
    assert wh.outcome(status) == expected


def test_filters_match_asset_kind_and_minimum_severity():
    assert wh.Filters().matches(_alert())
    assert wh.Filters(asset="T1").matches(_alert())
    assert not wh.Filters(asset="T2").matches(_alert())
    assert not wh.Filters(kind="frequency_excursion").matches(_alert())
    assert wh.Filters(min_severity="info").matches(_alert(severity="warning"))
    assert wh.Filters(min_severity="warning").matches(_alert(severity="warning"))
    assert wh.Filters(min_severity="warning").matches(_alert(severity="critical"))
    assert not wh.Filters(min_severity="critical").matches(_alert(severity="warning"))
    assert not wh.Filters(asset="T1", kind="x", min_severity="info").matches(_alert())


def test_the_payload_carries_the_alert_as_published():
    body = wh.payload(_alert(), "sub-1")
    assert body["subscription_id"] == "sub-1"
    assert body["alert"]["ts"] == "2026-01-01T00:00:00Z"
    assert body["alert"]["id"] == "a1" and body["alert"]["severity"] == "warning"


def test_api_keys_parse_and_hash():
    assert parse("gi_ab12cd_se_cr-et") == ("ab12cd", "se_cr-et")
    for bad in ("", "gi_", "gi_ab12", "xx_ab12_secret", "gi__secret", "gi_ab12_"):
        assert parse(bad) is None
    assert hash_secret("x") == hash_secret("x") != hash_secret("y")


def test_both_lanes_create_the_subscription_tables_and_only_postgres_grants():
    """One common DDL file, so the lanes cannot drift; the API role exists only on
    PostgreSQL, so only its lane grants to it."""
    folder = resources.files("grid_intel.warehouse.migrations")
    tables = folder.joinpath("0017_alert_subscriptions.sql").read_text()
    pg = folder.joinpath("0018_alert_subscription_grants.postgres.sql").read_text()
    ts = folder.joinpath("0018_alert_subscription_grants.timescaledb.sql").read_text()
    for table in ("ops.api_keys", "ops.alert_subscriptions", "ops.webhook_deliveries"):
        assert f"create table if not exists {table}" in tables and table in pg
    assert "\ngrant " not in tables and "grid_intel_api" in pg and "\ngrant " not in ts
