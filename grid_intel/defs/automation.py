"""Declarative automation: downstream layers follow each upstream partition they depend on."""

import dagster as dg

# Reference data (registry, seeds) feeds every partition: a registry reload must
# not recompute all history, so its updates do not trigger partitioned models.
REFERENCE = dg.AssetSelection.tag("reference", "")

# MISO's published files arrive a day after the stream's prices: the hourly price
# model runs on the stream alone and re-runs when the file lands, never waits for it.
ARRIVES_LATER = dg.AssetSelection.assets(dg.AssetKey(["bronze", "miso_lmp"]))

# A partition whose upstream failed a blocking (ERROR) check waits until that
# upstream is re-materialized and its checks no longer fail. Dagster's own
# all_deps_blocking_checks_passed() also waits for checks that never ran against
# the latest materialization (dbt tests outside the op that built it), which
# stalls the chain for good; only a recorded failure holds a partition back.
NO_FAILED_BLOCKING_UPSTREAM_CHECK = ~dg.AutomationCondition.any_deps_match(
    dg.AutomationCondition.any_checks_match(
        dg.AutomationCondition.check_failed(), blocking_only=True
    )
).with_label("no upstream blocking check failed")

# History kept apart from the stream (maintenance and outage archives): a score reads
# what has landed and re-runs when more lands, never waits for it.
HISTORY = dg.AssetSelection.assets(
    dg.AssetKey(["silver", "maintenance"]), dg.AssetKey(["silver", "outages"])
)


def follows_upstream(
    arrives_later: dg.AssetSelection = ARRIVES_LATER,
) -> dg.AutomationCondition:
    """Every partition follows its updated upstream partitions (eager() only looks at
    the latest one; a sensor loads whole backlogs and late data re-loads old hours),
    without waiting for the inputs in `arrives_later`."""
    return (
        (
            dg.AutomationCondition.newly_missing()
            | dg.AutomationCondition.any_deps_updated().ignore(REFERENCE)
        ).since_last_handled()
        & ~dg.AutomationCondition.any_deps_missing().ignore(arrives_later)
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
        & NO_FAILED_BLOCKING_UPSTREAM_CHECK
    ).with_label("follows each updated upstream partition")


FOLLOWS_UPSTREAM = follows_upstream()

# Reference models and seeds have no partitions: build them once when missing (the
# first registry load, a fresh warehouse), then again whenever what they read updates.
REBUILT_WITH_INPUTS = (
    (
        dg.AutomationCondition.missing() | dg.AutomationCondition.any_deps_updated()
    ).since_last_handled()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.in_progress()
).with_label("built when missing, then on each upstream update")

automation_sensor = dg.AutomationConditionSensorDefinition(
    "layers_follow_upstream",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Materializes silver and gold partitions once the partitions they read change.",
)
