"""The landing sensor: new or changed archive files request the loads they call for.

It only decides (`landing_watch.decide`): it stats the files, compares them with
its cursor and requests the UTC days, or whole tables, whose files changed and
are all present (consecutive days as partition-range runs), with run keys that
hash the files' stamps.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg

from grid_intel.archives.landing import FOLDERS
from grid_intel.defs.landing.assets import ARCHIVE_ASSETS
from grid_intel.defs.partitions import daily, range_tags
from grid_intel.defs.resources import LandingResource
from grid_intel.ingestion.landing_watch import (
    Decision,
    FileStamp,
    LandingCursor,
    Request,
    decide,
)


def skip_message(root: Path, files: dict[str, FileStamp], step: Decision) -> str:
    folders = ", ".join(f"{f}/" for f in sorted(set(FOLDERS.values())))
    said = [f"watched {len(files)} files in {folders} under {root}"]
    said.append(f"{len(step.changed)} new or changed" if step.changed else "none new or changed")
    if step.waiting:
        said.append(
            "waiting for "
            + "; ".join(
                f"{c.source} {c.day or 'table'}: {', '.join(c.missing)}" for c in step.waiting[:3]
            )
        )
    pending = [f"{s} {d}" for s, days in step.cursor.pending.items() for d in days]
    if pending:
        said.append(f"days still open, loaded once closed: {', '.join(pending[:5])}")
    return "; ".join(said)


def run_request(request: Request) -> dg.RunRequest:
    """One day as its partition; consecutive days as one partition-range run."""
    tags = {"grid_intel/trigger": "landing-file"}
    days = [d.isoformat() for d in request.days]
    if len(days) > 1:
        tags |= range_tags(days[0], days[-1])
    return dg.RunRequest(
        run_key=request.run_key,
        partition_key=days[0] if len(days) == 1 else None,
        asset_selection=[ARCHIVE_ASSETS[request.source].key],
        tags=tags,
    )


@dg.sensor(
    name="landing_archives_sensor",
    target=list(ARCHIVE_ASSETS.values()),
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches the landing folder and requests the bronze archive partitions (and "
    "the registry and GIS tables) whose files appeared or changed.",
)
def landing_sensor(
    context: dg.SensorEvaluationContext, landing: LandingResource
) -> dg.SensorResult:
    cursor = LandingCursor.from_json(context.cursor)
    root = landing.root
    if not root.is_dir():
        return dg.SensorResult(
            cursor=context.cursor,
            skip_reason=dg.SkipReason(
                f"landing folder {root} does not exist: drop a utility's exports there or "
                "write simulated ones with `grid-intel simulate archives`"
            ),
        )
    files = landing.scan()
    last = daily.get_last_partition_key()
    step = decide(
        cursor,
        files,
        daily.start.date(),
        date.fromisoformat(last) if last else None,
        datetime.now(UTC).date(),
    )
    for cov in step.waiting:
        context.log.info(f"{cov.source} {cov.day or 'table'} waits for {', '.join(cov.missing)}")
    if step.ignored:
        context.log.info(f"not an archive file name, ignored: {', '.join(step.ignored[:10])}")
    if step.skipped:
        context.log.info(f"outside the partitions, not requested: {', '.join(step.skipped[:10])}")
    requests = [run_request(r) for r in step.requests]
    return dg.SensorResult(
        run_requests=requests,
        cursor=step.cursor.to_json(),
        skip_reason=None if requests else dg.SkipReason(skip_message(root, files, step)),
    )


defs = dg.Definitions(sensors=[landing_sensor])
