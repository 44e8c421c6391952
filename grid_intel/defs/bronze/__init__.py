"""Kafka topics into bronze: one asset per topic, partitioned by hour, and the sensors
that request a range run when an hour closes."""
