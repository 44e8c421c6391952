"""The vocabulary of the utility's outage and work-order records, shared by the
simulator that makes them and the readers that load them."""

OUTAGE_CAUSES = (
    "weather",
    "vegetation",
    "animal",
    "equipment_failure",
    "third_party",
    "unknown",
    "planned",
)
MOMENTARY_S = 300  # IEEE 1366: interruptions shorter than 5 minutes are momentary (MAIFI)

WORK_ORDER_KINDS = (
    "inspection",
    "dga_sample",
    "breaker_maintenance",
    "transformer_maintenance",
    "line_maintenance",
    "corrective_repair",
)
WORK_ORDER_STATUSES = ("completed", "cancelled")
