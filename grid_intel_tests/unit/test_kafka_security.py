"""Which protocol and trust each Kafka client gets, from the settings alone."""

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from grid_intel.broker.client import KafkaUnavailable, producer
from grid_intel.broker.security import KafkaSecurity
from grid_intel.settings import Settings
from grid_intel.stack.kafka import SERVER_PROPERTIES


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("GRID_INTEL_KAFKA_"):
            monkeypatch.delenv(name)


def test_plaintext_and_tls_client_options():
    assert KafkaSecurity().client_options() == {"security_protocol": "PLAINTEXT"}
    assert KafkaSecurity("SSL").client_options() == {
        "security_protocol": "SSL",
        "ssl_check_hostname": True,
    }
    ca = Path("/etc/ca.pem")
    assert KafkaSecurity("SSL", ca).client_options()["ssl_cafile"] == "/etc/ca.pem"


def test_unknown_protocols_and_a_ca_without_tls_are_refused():
    with pytest.raises(ValueError, match="unknown Kafka security protocol 'SASL_SSL'"):
        KafkaSecurity("SASL_SSL")
    with pytest.raises(ValueError, match="applies to TLS only"):
        KafkaSecurity("PLAINTEXT", Path("/etc/ca.pem"))


def test_hints_name_the_setting_to_change():
    assert "GRID_INTEL_KAFKA_SECURITY_PROTOCOL=SSL" in KafkaSecurity().hint()
    assert "system's trust store" in KafkaSecurity("SSL").hint()
    assert "/etc/ca.pem" in KafkaSecurity("SSL", Path("/etc/ca.pem")).hint()


def test_plaintext_by_default_on_the_local_broker(tmp_path):
    s = Settings(_env_file=None, state_dir=tmp_path)
    assert s.kafka_security == KafkaSecurity()
    assert s.kafka_bootstrap == "127.0.0.1:59092"
    assert s.kafka_env() == {
        "GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:59092",
        "GRID_INTEL_KAFKA_SECURITY_PROTOCOL": "PLAINTEXT",
    }


def test_tls_on_the_local_broker_uses_its_listener_and_ca(tmp_path):
    s = Settings(_env_file=None, state_dir=tmp_path, kafka_security_protocol="ssl")
    assert s.kafka_bootstrap == "127.0.0.1:59094"
    assert s.kafka_security == KafkaSecurity("SSL", tmp_path / "kafka" / "tls" / "ca.pem")
    # Child processes get an explicit bootstrap list, so they must get the CA too.
    child = Settings(
        _env_file=None,
        **{k.removeprefix("GRID_INTEL_").lower(): v for k, v in s.kafka_env().items()},
    )
    assert child.kafka_bootstrap == s.kafka_bootstrap
    assert child.kafka_security == s.kafka_security


def test_tls_to_a_managed_cluster_trusts_the_system_store(monkeypatch):
    monkeypatch.setenv("GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS", "b-1.msk:9094,b-2.msk:9094")
    monkeypatch.setenv("GRID_INTEL_KAFKA_SECURITY_PROTOCOL", "SSL")
    s = Settings(_env_file=None)
    assert s.kafka_bootstrap == "b-1.msk:9094,b-2.msk:9094"
    assert s.kafka_security == KafkaSecurity("SSL")
    assert "GRID_INTEL_KAFKA_SSL_CAFILE" not in s.kafka_env()


def test_settings_refuse_what_cannot_connect(monkeypatch):
    monkeypatch.setenv("GRID_INTEL_KAFKA_SECURITY_PROTOCOL", "TLS")
    with pytest.raises(ValidationError, match="unknown Kafka security protocol 'TLS'"):
        Settings(_env_file=None)
    monkeypatch.setenv("GRID_INTEL_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT")
    monkeypatch.setenv("GRID_INTEL_KAFKA_SSL_CAFILE", "/etc/ca.pem")
    with pytest.raises(ValidationError, match="applies to TLS only"):
        Settings(_env_file=None)


def test_a_missing_ca_file_is_reported_before_any_connection(tmp_path):
    security = KafkaSecurity("SSL", tmp_path / "nowhere.pem")
    with (
        pytest.raises(KafkaUnavailable, match=r"nowhere\.pem does not exist.*stack up"),
        producer("127.0.0.1:1", security=security),
    ):
        pass


def test_the_local_broker_serves_a_tls_listener():
    props = SERVER_PROPERTIES.format(
        port=1, tls_port=2, controller_port=3, data="/d", keystore="/k.p12", keystore_password="pw"
    )
    assert "SSL://127.0.0.1:2" in props.split("advertised.listeners=")[1].splitlines()[0]
    assert "SSL:SSL" in props and "ssl.keystore.location=/k.p12" in props


def test_a_copy_with_its_own_state_folder_still_trusts_the_brokers_ca(tmp_path):
    s = Settings(_env_file=None, state_dir=tmp_path / "a", kafka_security_protocol="SSL")
    moved = s.with_state_dir(tmp_path / "b", api_port=1)
    assert moved.state_dir == tmp_path / "b" and moved.api_port == 1
    assert moved.kafka_security.cafile == tmp_path / "a" / "kafka" / "tls" / "ca.pem"
    assert moved.kafka_env() == s.kafka_env()
    plain = Settings(_env_file=None, state_dir=tmp_path / "a")
    assert plain.with_state_dir(tmp_path / "b").kafka_security == KafkaSecurity()


def test_the_settings_clients_carry_their_protocol_and_ca(tmp_path):
    """`settings.kafka_producer()` and its kin pass the settings' security to the client,
    which reads no settings of its own: a TLS deployment's missing CA is named."""
    s = Settings(_env_file=None, state_dir=tmp_path, kafka_security_protocol="SSL")
    assert s._kafka({"bulk": True, "timeout_s": 1.0}) == {
        "bootstrap": "127.0.0.1:59094",
        "timeout_s": 1.0,
        "security": KafkaSecurity("SSL", tmp_path / "kafka" / "tls" / "ca.pem"),
        "bulk": True,
    }
    for client in (s.kafka_producer(), s.kafka_consumer(), s.kafka_admin()):
        with pytest.raises(KafkaUnavailable, match=r"ca\.pem does not exist"), client:
            pass
