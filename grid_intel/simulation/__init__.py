"""Simulated grid feeds published to Kafka."""
