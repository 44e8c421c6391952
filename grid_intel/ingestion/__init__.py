"""Framework-free bronze ingestion logic: Kafka records → typed rows and rejects."""
