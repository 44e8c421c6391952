from datetime import timedelta

from grid_intel.broker.topics import TOPICS, TOPICS_BY_NAME


def test_topics_match_the_seed_architecture():
    expected = {
        "sensor.readings": (6, timedelta(days=7)),
        "grid.frequency": (3, timedelta(days=7)),
        "market.prices": (3, timedelta(days=30)),
        "grid.alerts": (1, timedelta(days=90)),
    }
    assert {t.name: (t.partitions, t.retention) for t in TOPICS} == expected


def test_topic_configs_carry_retention_in_ms():
    cfg = TOPICS_BY_NAME["market.prices"].configs
    assert cfg["retention.ms"] == str(30 * 24 * 3600 * 1000)
    assert cfg["message.timestamp.type"] == "CreateTime"
