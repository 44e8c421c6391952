"""Kafka: topic specs, message codecs and the offset ↔ time-window maths."""
