"""Declarative automation: downstream layers follow each upstream partition they depend on."""

import dagster as dg

# eager() only looks at the latest hour; a sensor loads whole backlogs of hours,
# and late data re-loads old ones, so every partition follows its upstream.
FOLLOWS_UPSTREAM = (
    dg.AutomationCondition.eager()
    .without(dg.AutomationCondition.in_latest_time_window())
    .with_label("follows each updated upstream partition")
)

automation_sensor = dg.AutomationConditionSensorDefinition(
    "layers_follow_upstream",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Materializes silver and gold partitions once the partitions they read change.",
)
