"""Each recent hour's data-quality checks, as the daemon recorded them: the faulty hour
fails its WARN checks, the clean one passes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg

Progress = Callable[[str], None]


def check_outcomes(
    instance: dg.DagsterInstance, check_keys: Sequence[dg.AssetCheckKey], partition: str
) -> dict[dg.AssetCheckKey, bool | None]:
    """Each check's latest result for the partition (None: not evaluated yet)."""
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus as Status,
    )

    out: dict[dg.AssetCheckKey, bool | None] = {}
    for key in check_keys:
        records = instance.event_log_storage.get_asset_check_execution_history(key, limit=50)
        latest = next((r for r in records if r.partition == partition), None)
        done = latest is not None and latest.status in (Status.SUCCEEDED, Status.FAILED)
        out[key] = (latest.status == Status.SUCCEEDED) if done else None
    return out


def report_checks(
    instance: dg.DagsterInstance, keys: Sequence[str], progress: Progress
) -> dict[str, list[str]]:
    """Per hour, the checks that failed (read once the backfill has ended: every check
    that will run has run)."""
    from grid_intel.defs.quality.checks import QUALITY_CHECKS

    check_keys = [k for c in QUALITY_CHECKS for k in c.check_keys]
    failed: dict[str, list[str]] = {}
    for partition in keys:
        outcomes = check_outcomes(instance, check_keys, partition)
        bad = sorted(
            f"{k.asset_key.to_user_string()}:{k.name}" for k, ok in outcomes.items() if ok is False
        )
        passed = sum(1 for ok in outcomes.values() if ok)
        pending = sum(1 for ok in outcomes.values() if ok is None)
        progress(
            f"{partition}: {passed} checks passed, {len(bad)} failed"
            + (f", {pending} not run" if pending else "")
            + (f": {', '.join(bad)}" if bad else "")
        )
        failed[partition] = bad
    return failed
