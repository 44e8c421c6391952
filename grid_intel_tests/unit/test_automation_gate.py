"""Automation holds a partition back only when an upstream blocking check failed on it.

A toy graph under the project's own condition, on an in-memory Dagster instance:
what is under test is the condition, not the warehouse.
"""

import warnings

import dagster as dg

from grid_intel.defs.automation import FOLLOWS_UPSTREAM

warnings.filterwarnings("ignore", category=dg.BetaWarning)
warnings.filterwarnings("ignore", category=dg.PreviewWarning)

PARTS = dg.StaticPartitionsDefinition(["ok", "bad", "unchecked"])
FAILING: set[str] = set()  # partitions whose blocking check fails on the next run


@dg.asset(partitions_def=PARTS)
def upstream(context: dg.AssetExecutionContext) -> None:
    context.log.info("loaded %s", context.partition_key)


@dg.multi_asset_check(
    specs=[dg.AssetCheckSpec("sane", asset=upstream, blocking=True, partitions_def=PARTS)],
    can_subset=True,
)
def sane(context: dg.AssetCheckExecutionContext):
    yield dg.AssetCheckResult(
        check_name="sane", asset_key=upstream.key, passed=context.partition_key not in FAILING
    )


@dg.asset(partitions_def=PARTS, deps=[upstream], automation_condition=FOLLOWS_UPSTREAM)
def downstream() -> None:
    """Stands for gold: built only from upstream partitions that did not fail."""


def _requested(result: dg.EvaluateAutomationConditionsResult) -> set[str]:
    return set(result.get_requested_partitions(dg.AssetKey("downstream")))


def test_a_failed_blocking_check_holds_back_only_its_partition():
    defs = dg.Definitions(assets=[upstream, downstream], asset_checks=[sane])
    with dg.DagsterInstance.ephemeral() as instance:
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        FAILING.clear()
        FAILING.add("bad")
        for part in ("ok", "bad"):
            dg.materialize(
                [upstream, sane], instance=instance, partition_key=part, raise_on_error=False
            )
        # A check that never ran against this materialization does not hold it back.
        dg.materialize(
            [upstream], instance=instance, partition_key="unchecked", selection=[upstream]
        )
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
        assert _requested(tick) == {"ok", "unchecked"}

        # The bad hour is re-loaded and now passes: it follows like any other.
        FAILING.clear()
        dg.materialize([upstream, sane], instance=instance, partition_key="bad")
        tick = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick.cursor)
        assert _requested(tick) == {"bad"}
