"""`bench orchestration`: what Dagster costs around the work, through a real webserver and
daemon of the bench's own (see `deployment`).

Dagster is the stack's service (its webserver and `grid_intel.stack.daemon`), or with
`services` the webserver and Dagster's stock `dagster-daemon`, whose backfill loop
pauses 30 s between iterations.

1. The code location's import in a fresh interpreter, beside `import dagster` alone:
   every run process and code server pays it before any work. Once more as `dagster
   dev`'s processes see it (DAGSTER_IS_DEV_CLI set), where it also runs `dbt parse`.
2. One closed hour of a small topic published to Kafka, then that one bronze partition
   launched through the webserver (with its checks, as the UI's button runs it), by
   default twice: the first run after start-up and the same partition again. From
   the run's event log: dequeue -> RUN_SUCCESS (goal: 5 s), split into start-up, the
   asset's step, its checks and the end, beside the asset's own load seconds (its
   materialization metadata).
3. With `day`: the whole graph backfilled over one rehearsal day (goal: 300 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from grid_intel.bench.dagster_services import DEV_CLI
from grid_intel.bench.deployment import own_dagster
from grid_intel.bench.import_time import import_seconds
from grid_intel.bench.rehearsal_day import last_closed_day, rehearsal_day
from grid_intel.bench.run_phases import RunPhases, run_phases
from grid_intel.bench.webserver_run import (
    asset_checks,
    launch,
    launch_params,
    run_log,
    wait_for_run,
)
from grid_intel.ingestion.tables import BRONZE_TOPICS, BronzeTopic
from grid_intel.operations.graphql import DagsterGraphQL
from grid_intel.settings import Settings, project_root

Progress = Callable[[str], None]
TOPICS = {
    b.asset_name: b for b in BRONZE_TOPICS if b.asset_name in ("grid_frequency", "market_prices")
}
GOAL_RUN_S = 5.0
GOAL_IMPORT_S = 2.0  # `import grid_intel.definitions` on a quiet 2-core machine
GOAL_DAY_S = 300.0
GOAL_WEEK_S = 1200.0  # the goal for the rehearsal week (docs/operations.md)
SEED = 11
RUN_TIMEOUT_S = 600


def source_state(repo: Path) -> dict[str, object]:
    """HEAD, and the files changed beside it: what ran may not be HEAD's code alone."""

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=False)
        return out.stdout

    return {
        "git_commit": git("rev-parse", "HEAD").strip() or None,
        "uncommitted_files": sorted(line[3:] for line in git("status", "--porcelain").splitlines()),
    }


def changed_since(repo: Path, since: float) -> list[str]:
    """Code and dbt files modified after `since` (epoch seconds): edits during the bench
    make a warm run launcher replace its runner, so a run's figures include a cold start."""
    roots = [repo / "grid_intel", repo / "grid_intel_dbt" / "models"]
    return sorted(
        str(f.relative_to(repo))
        for root in roots
        for f in root.rglob("*")
        if f.suffix in (".py", ".sql", ".yml") and f.stat().st_mtime > since
    )


def pick_hour(now: datetime, avoid: tuple[datetime, datetime] | None = None) -> datetime:
    """The latest closed UTC hour outside `avoid` (the rehearsal day, published apart).

    The latest, because bronze reads a window from Kafka's time index at its start to
    the end offsets: an older hour published after newer ones would read theirs too."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    if avoid and avoid[0] <= hour < avoid[1]:
        hour = avoid[0] - timedelta(hours=1)
    return hour


def records_in_hour(seen_ms: Iterable[int], hour: datetime) -> int:
    """How many of the timestamps (ms) fall in [hour, hour + 1 h)."""
    start = int(hour.timestamp() * 1000)
    return sum(1 for ms in seen_ms if start <= ms < start + 3_600_000)


def _seen_ms(settings: Settings, topic: str, since: datetime) -> list[int]:
    """Timestamps of the topic's records stamped at or after `since` (their offsets all
    lie past the time index at `since`, so one scan from there is exact)."""
    from grid_intel.broker.client import scan_timestamps, start_offsets

    with settings.kafka_consumer() as c:
        metas, _ = scan_timestamps(
            c, topic, start_offsets(c, topic, since), max_records=2_000_000, timeout_s=60
        )
    return [ts for _, _, ts in metas]


def publish_hour(settings: Settings, bronze: BronzeTopic, hour: datetime) -> int:
    """The simulator's messages of one topic for the hour, into Kafka; how many."""
    from grid_intel.simulation.feeds import Feeds
    from grid_intel.simulation.producer import PublishStats, publish

    topic = bronze.topic.name
    messages = [
        m for m in Feeds(SEED).messages(hour, hour + timedelta(hours=1)) if m.topic == topic
    ]
    stats = PublishStats()
    with settings.kafka_producer(bulk=True) as p:
        publish(p, messages, stats)
        p.flush()
    return sum(stats.messages.values())


def time_run(
    settings: Settings, bronze: BronzeTopic, hour: datetime, progress: Progress
) -> tuple[dict[str, object], RunPhases]:
    """Launch the hour's partition through the webserver: the run's figures for the
    report, and its phases."""
    path = ["bronze", bronze.asset_name]
    partition = hour.strftime("%Y-%m-%d-%H:%M")
    with DagsterGraphQL.local(settings.dagster_port) as client:
        checks = asset_checks(client, path)
        progress(
            f"run: launching {'/'.join(path)} {partition} and its {len(checks)} checks "
            "through the webserver"
        )
        run_id = launch(client, launch_params(path, partition, checks))
        status = wait_for_run(client, run_id, RUN_TIMEOUT_S, progress)
        log = run_log(client, run_id)
    if status != "SUCCESS":
        said = "\n".join(log.errors[:5]) or "no error in its event log"
        raise RuntimeError(f"run {run_id} ended {status}:\n{said}")
    phases = run_phases(log.events)
    meta = log.materializations.get("/".join(path), {})
    run = {
        "asset": "/".join(path),
        "partition": partition,
        "run_id": run_id,
        "checks": checks,
        "events": len(log.events),
        "phases": {k: _round(v) for k, v in vars(phases).items()},
        "metadata": meta,
        "own_seconds": meta.get("seconds", phases.asset_step_s),
        "own_from": "materialization metadata `seconds`" if "seconds" in meta else "asset step",
    }
    return run, phases


def _round(value: object) -> object:
    return round(value, 3) if isinstance(value, float) else value


def row(
    figure: str,
    seconds: float | None,
    detail: str = "",
    baseline: str = "-",
    baseline_s: float | None = None,
    goal_s: float | None = None,
) -> dict[str, object]:
    """One line of the table; ratio = seconds / baseline seconds."""
    ratio = round(seconds / baseline_s, 1) if seconds and baseline_s else None
    cells = {
        "figure": figure,
        "seconds": None if seconds is None else round(seconds, 2),
        "baseline": baseline,
        "baseline_seconds": None if baseline_s is None else round(baseline_s, 3),
        "ratio": ratio,
        "goal_seconds": goal_s,
        "meets_goal": None if goal_s is None or seconds is None else seconds <= goal_s,
        "detail": detail,
    }
    return {k: "-" if v is None else v for k, v in cells.items()}


def run_rows(run: dict, p: RunPhases, label: str = "run") -> list[dict[str, object]]:
    """One run's lines: its wall time against the goal, then where it went."""
    rows_loaded = run["metadata"].get("dagster/row_count")
    what = f"{run['asset']} {run['partition']}" + (
        f", {rows_loaded:,.0f} rows" if rows_loaded is not None else ""
    )
    checks = f"{len(run['checks'])} checks in {', '.join(p.check_steps) or 'the asset step'}"
    own = f"asset's own ({run['own_from']})"
    return [
        row(
            f"{label} {p.started_by} -> RUN_SUCCESS",
            p.run_wall_s,
            what,
            own,
            run["own_seconds"],
            GOAL_RUN_S,
        ),
        row("  start-up (-> first STEP_START)", p.startup_s),
        row("    process (-> RUN_START)", p.process_s, "spawn, import, load the code location"),
        row("    run init (RUN_START -> step)", p.run_init_s, "resources, step plan"),
        row("  asset step", p.asset_step_s, ", ".join(p.asset_steps)),
        row("  checks", p.checks_s, checks),
        row("  end (last step -> RUN_SUCCESS)", p.end_s),
        row(
            f"  queued (RUN_ENQUEUED -> {p.started_by})",
            p.queued_s,
            "the daemon's queue; not in the goal",
        ),
    ]


def day_row(day: dict) -> dict[str, object]:
    days = int(day.get("days", 1))
    name, goal = ("day", GOAL_DAY_S) if days == 1 else (f"{days}-day", None)
    goal = GOAL_WEEK_S if days == 7 else goal
    span = day["day"] if days == 1 else f"{days} days from {day['day']}"
    if day["dry_run"]:
        return row(
            f"{name} backfill (dry run)",
            None,
            f"{span}: {day['partitions']} asset partitions planned",
            goal_s=goal,
        )
    detail = (
        f"{span}: {day['partitions']} asset partitions, {day['partitions_per_min']}/min, "
        f"{day['failed']} failed"
    )
    out = row(f"{name} backfill (whole graph)", day["seconds"], detail, goal_s=goal)
    if day["failed"] and out["meets_goal"] != "-":
        out["meets_goal"] = False  # the goal is the whole graph with no failed partition
    return out


def goal_lines(rows: Iterable[dict[str, object]]) -> list[str]:
    """`goal: ...` per row that has one: met, missed, or not measured."""
    out = []
    for r in rows:
        if r["goal_seconds"] == "-":
            continue
        verdict = {True: "met", False: "MISSED", "-": "not measured"}[r["meets_goal"]]  # type: ignore[index]
        out.append(
            f"goal: {r['figure'].strip()} <= {r['goal_seconds']:g} s: {verdict} ({r['seconds']} s)"
        )
    return out


def time_imports(progress: Progress) -> tuple[dict[str, float], list[dict[str, object]]]:
    """The import figures for the report, and their table rows."""
    progress("import: fresh interpreters, best of 3 each")
    # As the deployment runs it: this environment's executables (dbt) first on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env = {k: v for k, v in os.environ.items() if k != DEV_CLI} | {"PATH": path}
    defs_s = import_seconds("grid_intel.definitions", env)
    dagster_s = import_seconds("dagster", env)
    progress(f"import: grid_intel.definitions {defs_s:.2f} s, dagster alone {dagster_s:.2f} s")
    dev_s = import_seconds("grid_intel.definitions", env | {DEV_CLI: "1"}, repeats=1)
    progress(
        f"import: grid_intel.definitions with {DEV_CLI}=1, as under dagster dev: {dev_s:.2f} s"
    )
    figures = {
        "definitions_seconds": round(defs_s, 3),
        "dagster_seconds": round(dagster_s, 3),
        "definitions_under_dagster_dev_seconds": round(dev_s, 3),
    }
    rows = [
        row(
            "import grid_intel.definitions",
            defs_s,
            "fresh interpreter, best of 3",
            "import dagster",
            dagster_s,
            goal_s=GOAL_IMPORT_S,
        ),
        row(
            "  as under dagster dev",
            dev_s,
            f"{DEV_CLI}=1: dbt parses only after a dbt file changed; once",
            "the import above",
            defs_s,
        ),
    ]
    return figures, rows


def publish_once(
    settings: Settings, bronze: BronzeTopic, hour: datetime, progress: Progress
) -> tuple[int, int]:
    """Messages published for the hour, and those already there (from an earlier run in
    this clock hour: publishing again would double them)."""
    topic_name = bronze.topic.name
    there = records_in_hour(_seen_ms(settings, topic_name, hour), hour)
    if there:
        sent = 0
        progress(
            f"kafka: {there:,} {topic_name} messages of {hour:%Y-%m-%d %H:00} UTC already there"
        )
    else:
        t0 = time.perf_counter()
        sent = publish_hour(settings, bronze, hour)
        progress(
            f"kafka: {sent:,} {topic_name} messages of {hour:%Y-%m-%d %H:00} UTC "
            f"published in {time.perf_counter() - t0:.1f} s"
        )
    return sent, there


def bench_orchestration(
    settings: Settings,
    topic: str,
    day: bool,
    date: str | None,
    dry_run: bool,
    runs: int,
    services: bool,
    progress: Progress,
    days: int = 1,
) -> dict[str, object]:
    """Import time, a bronze hour's run (`runs` times: the first after start-up may pay
    for warming what later runs reuse) and, with `day`, a rehearsal day's backfill,
    through a real webserver and daemon."""
    if topic not in TOPICS:
        raise ValueError(f"--topic must be one of {', '.join(TOPICS)}, got {topic!r}")
    if runs < 1:
        raise ValueError(f"--runs must be at least 1, got {runs}")
    if dry_run and not day:
        raise ValueError("--dry-run plans the rehearsal day's backfill: pass --day with it")
    bronze = TOPICS[topic]
    now = datetime.now(UTC)
    if days < 1:
        raise ValueError(f"--days must be at least 1, got {days}")
    the_day = (
        datetime.fromisoformat(date).replace(tzinfo=UTC) if date else last_closed_day(now, days)
    )
    began = time.time()
    report: dict[str, object] = {
        "benchmark": "orchestration",
        **source_state(project_root()),
        "load_average_start": os.getloadavg()[0],
    }
    changed = len(report["uncommitted_files"])  # type: ignore[arg-type]
    progress(f"code: commit {str(report['git_commit'])[:10]}, {changed} files changed beside it")

    report["import"], rows = time_imports(progress)
    hour = pick_hour(now, (the_day, the_day + timedelta(days=days)) if day else None)
    sent, there = publish_once(settings, bronze, hour, progress)

    report["deployment"] = (
        "dagster-webserver + stock dagster-daemon" if services else "the stack's Dagster service"
    )
    with own_dagster(settings, progress, services) as deployed:
        report["hour"] = {
            "start": hour.isoformat(),
            "messages_published": sent,
            "messages_already_there": there,
        }
        report["hour_runs"] = []
        for i in range(1, runs + 1):
            run, phases = time_run(deployed, bronze, hour, progress)
            report["hour_runs"].append(run)  # type: ignore[attr-defined]
            label = "run" if runs == 1 else f"run {i}/{runs}"
            rows += run_rows(run, phases, label)
            progress(
                f"{label}: {phases.run_wall_s:.2f} s {phases.started_by} -> RUN_SUCCESS, "
                f"the asset's own work {run['own_seconds']:.2f} s"
            )
        if day:
            report["day"] = rehearsal_day(deployed, the_day, progress, dry_run, days)
            rows.append(day_row(report["day"]))  # type: ignore[arg-type]
    report["runs"] = rows
    report["goals"] = goal_lines(rows)
    report["changed_during_bench"] = changed_since(project_root(), began)
    if report["changed_during_bench"]:
        progress(
            f"code: changed during the bench, figures may include a restart: "
            f"{', '.join(report['changed_during_bench'])}"  # type: ignore[arg-type]
        )
    report["load_average_end"] = os.getloadavg()[0]
    for line in report["goals"]:  # type: ignore[union-attr]
        progress(line)
    return report
