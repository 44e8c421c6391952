"""Asset checks from the quality catalog: one op per checked asset evaluates all of its
checks for the partition's window and reports each with its catalog severity.

An evaluation that raises (a missing table, a lost connection) is reported as a
failed check, never dropped: Dagster lets downstream assets run past a blocking
check that reported nothing.
"""

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

import dagster as dg

from grid_intel.defs.partitions import hourly
from grid_intel.defs.resources import WarehouseResource
from grid_intel.quality import catalog
from grid_intel.quality.catalog import CheckSpec
from grid_intel.quality.evaluations import (
    EVALUATIONS,
    Asset,
    CheckWindow,
    Evaluation,
    span_verdict,
)
from grid_intel.quality.screen import suspect_hours
from grid_intel.quality.suites import SUITES
from grid_intel.quality.verdict import Verdict


def trailing_hourly_rows(
    instance: dg.DagsterInstance, key: dg.AssetKey, before: datetime
) -> list[float]:
    """Rows per hour of the latest materialization of each of the last hours before
    `before`, from the bronze runs' metadata (a backfill run's count spans its hours)."""
    wanted = [
        hourly.get_partition_key_for_timestamp((before - timedelta(hours=h)).timestamp())
        for h in range(1, catalog.ROW_COUNT_TRAILING + 1)
    ]
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=key, asset_partitions=wanted), limit=len(wanted) * 4
    ).records
    seen: dict[str, float] = {}
    for r in records:  # newest first: keep each partition's latest
        m = r.asset_materialization
        if m is None or m.partition in seen:
            continue
        rows = m.metadata.get("dagster/row_count")
        hours = m.metadata.get("window_hours")
        if rows is not None:
            seen[m.partition] = float(rows.value) / float(hours.value if hours else 1.0)
    return list(seen.values())


# What a check reads besides its own asset, so lineage shows it.
EXTRA_DEPS: Mapping[Asset, tuple[Asset, ...]] = {
    ("bronze", "sensor_readings"): (("silver", "scada_points"),),
    ("gold", "generation_mix_hourly"): (("gold", "demand_hourly"), ("gold", "interchange_hourly")),
}


def result(spec: CheckSpec, verdict: Verdict) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(spec.asset)),
        check_name=spec.name,
        passed=verdict.passed,
        severity=dg.AssetCheckSeverity(spec.severity),
        description=verdict.summary
        if verdict.passed
        else f"{verdict.summary}. What to do: {spec.on_failure}",
        metadata={k: _metadata(v) for k, v in verdict.metadata.items()},
    )


def _metadata(value: object) -> object:
    return dg.MetadataValue.json(value) if isinstance(value, dict | list) else value


def evaluate(
    context: dg.AssetCheckExecutionContext, spec: CheckSpec, run: Evaluation, window: CheckWindow
) -> Verdict:
    try:
        return run(window)
    except Exception as exc:  # reported as a failure: an unevaluated blocking check must block
        context.log.error(f"{spec.name} could not be evaluated: {exc}")
        return Verdict.fail(f"could not be evaluated: {type(exc).__name__}: {str(exc)[:400]}")


def record_per_hour(
    context: dg.AssetCheckExecutionContext,
    asset: Asset,
    per_hour: dict[str, list[dg.AssetCheckResult]],
) -> None:
    """A run over many hours (a backfill) keeps its own results for no partition, so each
    hour's result is also logged on that hour, in the run: the UI shows it per partition,
    and automation holds back only the hours that failed.

    Logged in the run, each result fills the row Dagster planned for (run, check, hour).
    Reported runless instead, a second evaluation of the same hour (a retry, a re-run
    range) broke Dagster's unique index on (check, run_id '', partition)."""
    for key, results in per_hour.items():
        for r in results:
            context.op_execution_context.log_event(
                dg.AssetCheckEvaluation(
                    asset_key=r.asset_key,
                    check_name=r.check_name,
                    passed=r.passed,
                    metadata=r.metadata,
                    severity=r.severity,
                    description=r.description,
                    blocking=catalog.spec(asset, str(r.check_name)).blocking,
                    partition=key,
                )
            )


def over_range(spec: CheckSpec, per_hour: dict[str, dg.AssetCheckResult]) -> dg.AssetCheckResult:
    """The run's own result for a check over many hours: it fails when any hour fails (a
    blocking one then stops downstream for the whole run) and names those hours."""
    failed = [k for k, r in per_hour.items() if not r.passed]
    first = per_hour[failed[0]] if failed else next(iter(per_hour.values()))
    keys = list(per_hour)
    summary = (
        f"{len(failed)} of {len(keys)} hours failed ({', '.join(failed[:12])}); "
        f"first: {first.description}"
        if failed
        else f"all {len(keys)} hours passed"
    )
    return dg.AssetCheckResult(
        asset_key=first.asset_key,
        check_name=spec.name,
        passed=not failed,
        severity=dg.AssetCheckSeverity(spec.severity),
        description=summary,
        metadata={**first.metadata, "hours": len(keys), "failed_hours": failed},
    )


def run_span(keys: list[str]) -> tuple[datetime, datetime]:
    """From the first hour's start to the last hour's end."""
    return (
        hourly.time_window_for_partition_key(keys[0]).start,
        hourly.time_window_for_partition_key(keys[-1]).end,
    )


def clean_hours(
    context: dg.AssetCheckExecutionContext,
    asset: Asset,
    selected: list[CheckSpec],
    span: CheckWindow,
    keys: list[str],
) -> dict[str, set[str]]:
    """For each Great Expectations check, the run's hours (`keys`) where no row broke any
    of its expectations, found in one SQL pass over the run's whole span
    (`quality/screen.py`): those hours pass without a validation of their own, and only
    the others are judged hour by hour by GX. Every expectation in the suites is
    row-level (uniqueness counts copies per key and time, so an hour's count is never
    above the span's)."""
    out = {}
    for s in selected:
        if (*asset, s.name) not in SUITES:
            continue
        try:
            suspects = suspect_hours(span.conn, SUITES[(*asset, s.name)], span.start, span.end)
        except Exception as exc:  # judged hour by hour instead, which reports the error
            context.log.warning(f"{s.name} over the run's span: {exc}; judged per hour")
            continue
        if suspects is not None:
            bad = {hourly.get_partition_key_for_timestamp(h.timestamp()) for h in suspects}
            out[s.name] = set(keys) - bad
    return out


def check_line(name: str, by_hour: dict[str, dg.AssetCheckResult]) -> str:
    """What one check found over a run's hours: each failed hour with its reason."""
    failed = {k: r for k, r in by_hour.items() if not r.passed}
    first, last = min(by_hour), max(by_hour)
    hours = first if first == last else f"{first}..{last}"
    said = f"{name} {hours}: {len(by_hour) - len(failed)} of {len(by_hour)} hours passed"
    if len(by_hour) == 1:
        (only,) = by_hour.values()
        said = f"{name} {first}: {'passed' if only.passed else 'FAILED'}"
        return f"{said}: {only.description}"
    return said + "".join(f"; FAILED {k}: {r.description}" for k, r in sorted(failed.items()))


def build_checks(asset: Asset) -> dg.AssetChecksDefinition:
    specs = catalog.checks_for(asset)
    missing = {s.name for s in specs} ^ set(EVALUATIONS[asset])
    if missing:
        raise ValueError(f"catalog and evaluations disagree for {asset}: {sorted(missing)}")
    key = dg.AssetKey(list(asset))

    @dg.multi_asset_check(
        specs=[
            dg.AssetCheckSpec(
                s.name,
                asset=key,
                description=s.description,
                blocking=s.blocking,
                additional_deps=[dg.AssetKey(list(d)) for d in EXTRA_DEPS.get(asset, ())],
                partitions_def=hourly,
                metadata={"severity": s.severity},
            )
            for s in specs
        ],
        name=f"{asset[0]}__{asset[1]}__quality",
        can_subset=True,
    )
    def _checks(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = [
            s for s in specs if s.name in {k.name for k in context.selected_asset_check_keys}
        ]
        keys = context.partition_keys
        per_hour: dict[str, list[dg.AssetCheckResult]] = {}
        with warehouse.connection() as conn:
            conn.autocommit = True

            def trailing(name: str, before: datetime) -> list[float]:
                key = dg.AssetKey(["bronze", name])
                return trailing_hourly_rows(context.instance, key, before)

            def window(start: datetime, end: datetime) -> CheckWindow:
                return CheckWindow(warehouse.url, conn, start, end, trailing)

            span = window(*run_span(keys))
            clean = clean_hours(context, asset, selected, span, keys) if len(keys) > 1 else {}
            for key in keys:  # each hour judged on its own, also within a backfill run
                hour = window(*hourly.time_window_for_partition_key(key))
                per_hour[key] = []
                for s in selected:
                    verdict = (
                        span_verdict(asset, s.name, len(keys))
                        if key in clean.get(s.name, ())
                        else evaluate(context, s, EVALUATIONS[asset][s.name], hour)
                    )
                    per_hour[key].append(result(s, verdict))
        # One line per check, not per hour and check: each line is an event in Dagster's
        # storage, and a day-run's hundreds of them took seconds to write.
        for i, s in enumerate(selected):
            context.log.info(check_line(s.name, {k: r[i] for k, r in per_hour.items()}))
        if context.has_partition_key:
            yield from per_hour[keys[0]]
            return
        record_per_hour(context, asset, per_hour)
        for i, s in enumerate(selected):
            yield over_range(s, {k: r[i] for k, r in per_hour.items()})

    return _checks


QUALITY_CHECKS = [build_checks(asset) for asset in EVALUATIONS]

defs = dg.Definitions(asset_checks=QUALITY_CHECKS)
