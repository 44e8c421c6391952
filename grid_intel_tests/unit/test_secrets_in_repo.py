"""No secret in the repository: no private key or cloud access key anywhere, and
passwords only as references (`$VAR`, `${VAR:?…}`, `env_var('VAR')`) except in the
local-development files, which must say that their defaults are for local use only.

Scans every file git tracks or would track (`git ls-files --cached --others
--exclude-standard`), so a secret is caught before it is committed too.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 2 << 20  # bigger files are data or locks, not config

# Anywhere, tests included: these are never fake enough to commit.
KEY_PATTERNS = {
    "private key": re.compile("-----BEGIN " + r"(?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
}
# `scheme://user:<password>@` and `…password…: value` / `= value` (not `${PASSWORD…}`).
URL_CREDENTIALS = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]+:([^\s/@'\"]+)@")
PASSWORD_VALUE = re.compile(
    r"(?i)(?<![\w.$-])(?<!\$\{)[\w.-]*(?:password|passwd)[\w.-]*[\"']?\s*[:=]\s*(\S.*)"
)
ENV_DEFAULT = re.compile(r"^\$\{\w+:?-(.*)\}$")  # ${VAR:-default}
DBT_DEFAULT = re.compile(r"env_var\(\s*'\w+'\s*(?:,\s*'([^']*)')?\s*\)")  # env_var('V', 'd')
NOT_A_VALUE = {"", "true", "false", "none", "null", "***"}

# Files for local development: default passwords may live here, said to be local-only.
LOCAL_DEV = ("docker-compose.yml", ".env.example", "infra/dev.sh", "infra/docker/*")
TESTS = ("grid_intel_tests/*",)  # fixtures with made-up credentials
DOCS = ("*.md",)  # may repeat the local-development defaults, to document them
# The PGlite TimescaleDB test lane accepts any password: its "lane" is a placeholder.
PLACEHOLDERS = {("grid_intel/settings.py", "lane"), ("grid_intel_dbt/profiles.yml", "lane")}
LOCAL_NOTE = re.compile(r"(?i)^\s*(#|//|--).*local development")
NOTE_WITHIN_LINES = 25


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    kind: str
    value: str
    comment: bool  # on a comment line (an example, not a default)


def literal(raw: str) -> str | None:
    """The password a config value spells out, or None for a reference or nothing."""
    raw = raw.strip()
    if raw[:1] in ("'", '"'):
        end = raw.find(raw[0], 1)
        value = raw[1:end] if end > 0 else raw[1:]
    else:
        value = raw.split(maxsplit=1)[0].rstrip(",;)") if raw else ""
    if (m := DBT_DEFAULT.search(value)) or value.startswith("{{"):
        return literal(m.group(1) or "") if m else None
    if m := ENV_DEFAULT.match(value):
        return literal(m.group(1))
    if value.startswith("$") or re.fullmatch(r"<[^<>]*>", value):
        return None  # a reference, or a placeholder such as <password>
    return None if value.lower() in NOT_A_VALUE else value


def findings(path: str, text: str) -> list[Finding]:
    """Keys anywhere, and passwords spelled out (in URLs or assignments)."""
    found = []
    python = path.endswith(".py")
    for n, line in enumerate(text.splitlines(), 1):
        comment = bool(re.match(r"\s*(#|//|--|<!--)", line))
        for kind, pattern in KEY_PATTERNS.items():
            found += [Finding(path, n, kind, m.group(0), comment) for m in pattern.finditer(line)]
        for kind, pattern in (("URL password", URL_CREDENTIALS), ("password", PASSWORD_VALUE)):
            for m in pattern.finditer(line):
                raw = m.group(1)
                if python and kind == "password" and raw[:1] not in ("'", '"'):
                    continue  # a Python name or call, not a literal
                if (value := literal(raw)) is not None:
                    found.append(Finding(path, n, kind, value, comment))
    return found


@cache
def repo_findings() -> tuple[Finding, ...]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    found: list[Finding] = []
    for rel in sorted(set(filter(None, listed.split("\0")))):
        path = ROOT / rel
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        found += findings(rel, data.decode("utf-8", "replace"))
    return tuple(found)


def local_defaults() -> set[str]:
    return {
        f.value
        for f in repo_findings()
        if not f.comment and any(fnmatch(f.path, p) for p in LOCAL_DEV)
    }


def allowed(f: Finding) -> bool:
    if any(fnmatch(f.path, p) for p in (*LOCAL_DEV, *TESTS)):
        return True
    documented = any(fnmatch(f.path, p) for p in DOCS) and f.value in local_defaults()
    return documented or (f.path, f.value) in PLACEHOLDERS


def test_the_scanner_finds_what_it_looks_for():
    """Planted secrets are found; references and empty values are not."""
    planted = "\n".join(
        [
            "-----BEGIN " + "OPENSSH PRIVATE KEY-----",
            "aws_key = AKIA" + "ABCDEFGHIJKLMNOP",
            "DATABASE_URL=postgresql://grid:hunter2@db:5432/gi",
            'password: "hunter3"',
            "  POSTGRES_PASSWORD: hunter4",
            "API_URL: postgresql://api:${API_DB_PASSWORD:-hunter5}@db/gi",
            "      password: \"{{ env_var('GRID_INTEL_DBT_PASSWORD', 'hunter6') }}\"",
        ]
    )
    assert [(f.line, f.kind, f.value) for f in findings("x.yml", planted)] == [
        (1, "private key", "-----BEGIN " + "OPENSSH PRIVATE KEY-----"),
        (2, "AWS access key", "AKIA" + "ABCDEFGHIJKLMNOP"),
        (3, "URL password", "hunter2"),
        (4, "password", "hunter3"),
        (5, "password", "hunter4"),
        (6, "URL password", "hunter5"),
        (7, "password", "hunter6"),
    ]
    references = "\n".join(
        [
            'ADMIN_URL="postgresql://admin:$MASTER_PW@$RDS/gi"',
            'psql -v pw="${API_DB_PASSWORD:?set API_DB_PASSWORD}"',
            "      password: \"{{ env_var('GRID_INTEL_DBT_PASSWORD', '') }}\"",
            'postgresqlPassword: ""',
            "manage_master_user_password = true",
            '--from-literal=DAGSTER_DB_PASSWORD="$DAGSTER_PW"',
            "redact('postgresql://u:***@h/db')",
            "# e.g. postgresql://user:<password>@host/db",
        ]
    )
    assert findings("x.yml", references) == []
    assert findings("x.py", "conn = connect(password=settings.password)") == []


def test_no_private_or_cloud_key_anywhere():
    keys = [f for f in repo_findings() if f.kind in KEY_PATTERNS]
    assert not keys, f"remove these keys and rotate them: {keys}"


def test_passwords_are_spelled_out_only_in_local_development_files():
    outside = [f for f in repo_findings() if f.kind not in KEY_PATTERNS and not allowed(f)]
    assert not outside, (
        "a password is written out; use a reference (${VAR:?…}, env_var('VAR')) or, for "
        f"local development only, put it in {LOCAL_DEV}: {outside}"
    )


def test_the_placeholders_allowed_are_still_there():
    """A stale exception would quietly allow a real password in its file."""
    found = {(f.path, f.value) for f in repo_findings()}
    assert found >= PLACEHOLDERS


def test_local_development_files_with_default_passwords_say_so_at_the_top():
    defaults = {
        f.path
        for f in repo_findings()
        if not f.comment and any(fnmatch(f.path, p) for p in LOCAL_DEV)
    }
    assert defaults, "the scan should see docker-compose.yml's defaults"
    unmarked = []
    for rel in sorted(defaults):
        head = (ROOT / rel).read_text().splitlines()[:NOTE_WITHIN_LINES]
        if not any(LOCAL_NOTE.search(line) for line in head):
            unmarked.append(rel)
    assert not unmarked, (
        f"{unmarked} hold default passwords: add a comment in their first "
        f"{NOTE_WITHIN_LINES} lines saying they are for local development only "
        "(e.g. '# For local development only: the passwords here are defaults; set …')"
    )


def test_the_real_env_file_is_ignored():
    """`.env` holds real settings (URLs with passwords): git must never pick it up."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT, check=False)
    assert ignored.returncode == 0
