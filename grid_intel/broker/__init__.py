"""Kafka, the broker every feed flows through: topic specs, message schemas and codecs,
clients, and the offset ↔ time-window maths. (Named `broker`, not `kafka`, so that it
never shadows the kafka library.)"""
