"""What every check returns: passed or not, how bad, why, and evidence for the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["ERROR", "WARN"]


@dataclass(frozen=True)
class Verdict:
    passed: bool
    summary: str
    metadata: dict[str, object] = field(default_factory=dict)

    @staticmethod
    def ok(summary: str, **metadata: object) -> Verdict:
        return Verdict(True, summary, dict(metadata))

    @staticmethod
    def fail(summary: str, **metadata: object) -> Verdict:
        return Verdict(False, summary, dict(metadata))
