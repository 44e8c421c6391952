"""JSON Schemas of the platform's Kafka messages, one file per message type and version."""
