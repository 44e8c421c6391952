import os

import pytest
from pydantic import ValidationError

from grid_intel.settings import Environment, Settings, redact


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """Settings tests see only the variables they set (CI exports GRID_INTEL_ENV=ci)."""
    for name in list(os.environ):
        if name.startswith("GRID_INTEL_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)


def test_defaults_point_at_the_local_stack(tmp_path):
    s = Settings(_env_file=None, state_dir=tmp_path)
    assert s.env is Environment.LOCAL
    assert s.embedded_postgres and s.local_kafka
    assert s.warehouse == "postgresql://postgres@127.0.0.1:55432/grid_intel"
    assert s.dagster_storage_url.endswith(":55432/dagster")
    assert s.kafka_bootstrap == "127.0.0.1:59092"
    assert s.resolved_dagster_home == tmp_path / "dagster"


def test_unknown_environment_is_an_error():
    with pytest.raises(ValidationError, match="unknown environment 'staging'"):
        Settings(_env_file=None, env="staging")


def test_environment_names_are_case_insensitive():
    assert Settings(_env_file=None, env="CI").env is Environment.CI


def test_env_vars_and_database_url_alias(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:secret@db:5432/grid")
    monkeypatch.setenv("GRID_INTEL_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("GRID_INTEL_ENV", "prod")
    s = Settings(_env_file=None)
    assert s.warehouse == "postgresql://u:secret@db:5432/grid"
    assert not s.embedded_postgres
    assert s.kafka_bootstrap == "k1:9092,k2:9092"
    assert s.env is Environment.PROD


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text("GRID_INTEL_PG_PORT=6543\nGRID_INTEL_ENV=ci\n")
    s = Settings(_env_file=env_file)
    assert s.pg_port == 6543 and s.env is Environment.CI


def test_redact_hides_passwords_only():
    assert redact("postgresql://u:secret@h:1/db") == "postgresql://u:***@h:1/db"
    assert redact("postgresql://u@h:1/db") == "postgresql://u@h:1/db"


def test_env_example_documents_every_setting():
    from grid_intel.settings import project_root

    documented = (project_root() / ".env.example").read_text()
    for name, field in Settings.model_fields.items():
        alias = f"GRID_INTEL_{name.upper()}"
        assert alias in documented, f"{alias} is missing from .env.example"
        assert field.description or name in ("log_level",), f"{name} lacks a description"
