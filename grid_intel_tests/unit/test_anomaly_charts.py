"""Control charts on the model residuals: in a clean hour they leave the fleet alone, in
a faulted one they flag the overheating transformers and overloaded lines."""

from datetime import UTC, datetime, timedelta

import numpy as np

from grid_intel.anomaly.charts import CHARTS, chart, chart_scores
from grid_intel.simulation.feeds import Feeds


def hour_scores(seed: int, hour: datetime, kinds: tuple[str, ...]):
    feeds = Feeds(seed=seed, faults=kinds, faults_per_day=30)
    list(feeds.messages(hour, hour + timedelta(hours=1)))
    assert feeds.last_block is not None
    registry = feeds.scada.registry
    scored = chart_scores(hour, feeds.last_block, registry.points, registry)
    return scored, {f.asset for f in feeds.faults(hour, hour + timedelta(hours=1))}


def test_a_clean_hour_leaves_the_fleet_alone():
    scored, _ = hour_scores(7, datetime(2026, 1, 14, 18, tzinfo=UTC), ())
    assert set(scored["detector"]) == set(CHARTS)
    for (group,), rows in scored.group_by(["group"]):
        assert rows.filter(rows["flag"])["asset"].n_unique() <= 0.07 * rows["asset"].n_unique(), (
            group
        )


def test_a_faulted_hour_flags_the_faulted_assets_first():
    hour = datetime(2026, 7, 14, 13, tzinfo=UTC)
    scored, faulted = hour_scores(3, hour, ("transformer_overheating", "line_overload"))
    for detector in CHARTS:
        rows = scored.filter(
            (scored["group"] == "transformer_thermal") & (scored["detector"] == detector)
        )
        hot = rows.filter(rows["asset"].is_in(list(faulted)))
        assert hot.height >= 5 and hot["flag"].all(), detector
        assert hot["rank"].max() <= hot.height + 3  # the faulted units lead the ranking
    lines = scored.filter(
        (scored["group"] == "line_loading") & scored["asset"].is_in(list(faulted))
    )
    assert lines.height >= 2 and lines.filter(lines["detector"] == "cusum")["flag"].all()


def test_a_chart_flags_a_shift_not_noise():
    x = np.random.default_rng(4).normal(0, 1, 60)
    assert not any(f.sum() >= 3 for f in chart(x, 1.0).values())
    x[30:] += 4
    assert all(f[30:].sum() >= 20 for f in chart(x, 1.0).values())
