"""Facts about the machine and the stack a suite ran on, kept in its report."""

from __future__ import annotations

import os
import platform
import re
from pathlib import Path

from grid_intel.warehouse.connection import connect


def cpu_model(cpuinfo: str) -> str:
    """The first `model name` in /proc/cpuinfo's text."""
    m = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    return m.group(1).strip() if m else "unknown"


def ram_gib(meminfo: str) -> float | None:
    """MemTotal from /proc/meminfo's text, in GiB."""
    m = re.search(r"^MemTotal:\s*(\d+)\s*kB", meminfo, re.MULTILINE)
    return round(int(m.group(1)) / 1024**2, 1) if m else None


def kafka_version(pom: str) -> str | None:
    """The broker version the stack fetches (infra/kafka/pom.xml's kafka.version)."""
    m = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom)
    return m.group(1).strip() if m else None


def git_commit(git_dir: Path) -> str | None:
    """HEAD's commit, read from the repository's files (no git process)."""
    try:
        head = (git_dir / "HEAD").read_text().strip()
    except OSError:
        return None
    if not head.startswith("ref: "):
        return head
    ref = head.removeprefix("ref: ")
    loose = git_dir / ref
    if loose.exists():
        return loose.read_text().strip()
    packed = git_dir / "packed-refs"
    if packed.exists():
        for line in packed.read_text().splitlines():
            if line.endswith(f" {ref}"):
                return line.split()[0]
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def facts(warehouse_url: str, repo: Path) -> dict[str, object]:
    """CPU, cores, RAM, Python, PostgreSQL and Kafka versions, and the git commit."""
    try:
        with connect(warehouse_url) as conn:
            postgres = str(conn.execute("show server_version").fetchone()[0])  # type: ignore[index]
    except Exception as exc:  # the report still says what ran
        postgres = f"unknown ({exc.__class__.__name__})"
    return {
        "cpu": cpu_model(_read(Path("/proc/cpuinfo"))),
        "cores": os.cpu_count(),
        "ram_gib": ram_gib(_read(Path("/proc/meminfo"))),
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "kafka": kafka_version(_read(repo / "infra" / "kafka" / "pom.xml")),
        "git_commit": git_commit(repo / ".git"),
    }
