"""Where a Dagster run's wall time goes, from its event log alone.

Pure arithmetic over (event_type, timestamp_s, step_key) tuples as the webserver's
`eventConnection` returns them, so the split of a run into start-up, the asset's step,
its checks and the end can be tested without a deployment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Event = tuple[str, float, str | None]  # (DagsterEventType, seconds since the epoch, step key)

# Where the run's own clock starts: the queue hands it over. Dagster 1.13's queue logs no
# RUN_DEQUEUED; its daemon hands the run to the launcher, which logs RUN_STARTING.
STARTS = ("RUN_DEQUEUED", "RUN_STARTING", "RUN_START")
STEP_ENDS = {"STEP_SUCCESS", "STEP_FAILURE"}


@dataclass(frozen=True)
class RunPhases:
    """Seconds per phase; None where the log holds no such phase (say, checks that run
    inside the asset's own step)."""

    started_by: str  # the event the run's wall time counts from
    run_wall_s: float  # that event -> RUN_SUCCESS
    queued_s: float | None  # RUN_ENQUEUED -> start: the daemon's queue, outside the wall
    startup_s: float | None  # start -> first STEP_START: process, code location, plan
    process_s: float | None  # start -> RUN_START: a process spawned, the code location loaded
    run_init_s: float | None  # RUN_START -> first STEP_START: resources, the step plan
    asset_step_s: float | None  # the materializing step(s): first STEP_START -> last end
    checks_s: float | None  # check-only steps: first STEP_START -> last end
    end_s: float | None  # last step end -> RUN_SUCCESS
    asset_steps: tuple[str, ...]
    check_steps: tuple[str, ...]


def _first(events: Sequence[Event], kind: str) -> float | None:
    return next((ts for k, ts, _ in events if k == kind), None)


def _span(events: Sequence[Event], steps: set[str]) -> float | None:
    """First STEP_START to the last STEP_SUCCESS/STEP_FAILURE of `steps` (retries inside)."""
    starts = [ts for k, ts, s in events if s in steps and k == "STEP_START"]
    ends = [ts for k, ts, s in events if s in steps and k in STEP_ENDS]
    return max(ends) - min(starts) if starts and ends else None


def run_phases(events: Sequence[Event]) -> RunPhases:
    """Phases of one successful run. The asset's steps are those that logged a
    materialization; check steps logged a check evaluation and no materialization."""
    ordered = sorted(events, key=lambda e: e[1])
    success = _first(ordered, "RUN_SUCCESS")
    if success is None:
        kinds = sorted({k for k, _, _ in ordered if k.startswith("RUN_")})
        raise ValueError(f"the run has no RUN_SUCCESS event (run events: {', '.join(kinds)})")
    started_by = next((k for k in STARTS if _first(ordered, k) is not None), None)
    if started_by is None:
        raise ValueError(f"the run has none of {', '.join(STARTS)}")
    start = _first(ordered, started_by)
    assert start is not None
    asset = {s for k, _, s in ordered if k == "ASSET_MATERIALIZATION" and s}
    checks = {s for k, _, s in ordered if k == "ASSET_CHECK_EVALUATION" and s} - asset
    first_step = _first(ordered, "STEP_START")
    step_ends = [ts for k, ts, _ in ordered if k in STEP_ENDS]
    enqueued, run_start = _first(ordered, "RUN_ENQUEUED"), _first(ordered, "RUN_START")
    if started_by == "RUN_START":
        run_start = None  # no launch phase of its own to split off
    return RunPhases(
        started_by=started_by,
        run_wall_s=success - start,
        queued_s=start - enqueued if enqueued is not None else None,
        startup_s=first_step - start if first_step is not None else None,
        process_s=run_start - start if run_start is not None else None,
        run_init_s=first_step - run_start
        if run_start is not None and first_step is not None
        else None,
        asset_step_s=_span(ordered, asset),
        checks_s=_span(ordered, checks),
        end_s=success - max(step_ends) if step_ends else None,
        asset_steps=tuple(sorted(asset)),
        check_steps=tuple(sorted(checks)),
    )
