"""The stream processor: Kafka consumer group -> live aggregates and grid.alerts."""
