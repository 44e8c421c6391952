"""Load the shipped JSON Schemas and validate messages against them."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from jsonschema import Draft202012Validator

SCHEMAS = {
    "sensor.readings": "sensor_reading.v1.json",
    "grid.frequency": "grid_frequency.v1.json",
    "market.prices": "market_price.v1.json",
    "grid.alerts": "grid_alert.v1.json",
}


@cache
def validator(topic: str) -> Draft202012Validator:
    if topic not in SCHEMAS:
        raise KeyError(f"no schema for topic {topic!r}; known: {sorted(SCHEMAS)}")
    text = resources.files("grid_intel.broker.schemas").joinpath(SCHEMAS[topic]).read_text()
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(topic: str, value: bytes) -> list[str]:
    """Why a message does not match its topic's schema (empty when it does)."""
    return [e.message for e in validator(topic).iter_errors(json.loads(value))]
