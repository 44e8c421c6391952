"""The local stack: embedded PostgreSQL, a KRaft Kafka broker and the TimescaleDB lane."""
