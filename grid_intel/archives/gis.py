"""GIS features as GeoJSON (RFC 7946): substations and stations as points, lines between them.

One FeatureCollection, one feature per line (so a bad feature has a line
number), coordinates `[longitude, latitude]` in WGS 84. Every feature's
properties carry at least `id` and `kind`; the rest depend on the kind
(voltage, region, capacity, ...). The reader returns one row per feature with
the first and last vertex and the properties as JSON text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.files import lines
from grid_intel.archives.parsed import Parsed, Reject

FILE_NAME = "grid.geojson"
GEOMETRIES = ("Point", "LineString")
SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(),
    "kind": pl.String(),
    "name": pl.String(),
    "region": pl.String(),
    "voltage_kv": pl.Float64(),
    "geometry": pl.String(),
    "lon": pl.Float64(),
    "lat": pl.Float64(),
    "lon_end": pl.Float64(),
    "lat_end": pl.Float64(),
    "properties": pl.String(),
}


@dataclass(frozen=True)
class Feature:
    geometry: str  # Point or LineString
    coordinates: tuple[tuple[float, float], ...]  # (lon, lat) vertices; one for a point
    properties: dict[str, object] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        coords: object = (
            list(self.coordinates[0])
            if self.geometry == "Point"
            else [list(c) for c in self.coordinates]
        )
        return {
            "type": "Feature",
            "geometry": {"type": self.geometry, "coordinates": coords},
            "properties": self.properties,
        }


def render(features: list[Feature]) -> bytes:
    """A FeatureCollection, one feature per line."""
    body = ",\n".join(
        json.dumps(f.as_json(), separators=(",", ":"), ensure_ascii=False) for f in features
    )
    return ('{"type":"FeatureCollection","features":[\n' + body + "\n]}\n").encode()


def parse(path: Path) -> Parsed:
    """Read a FeatureCollection leniently: bad features come back as rejects."""
    text = lines(path)
    try:
        doc = json.loads("\n".join(text))
    except json.JSONDecodeError as exc:
        raise ArchiveError(path, exc.lineno, f"not JSON: {exc.msg}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ArchiveError(path, 1, "not a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list):
        raise ArchiveError(path, 1, "FeatureCollection without a features list")
    one_per_line = len(text) == len(features) + 2
    rows, rejects = [], []
    for i, feature in enumerate(features):
        line = i + 2 if one_per_line else 1
        try:
            rows.append(_row(feature))
        except (ValueError, TypeError, KeyError) as exc:
            raw = text[line - 1] if one_per_line else json.dumps(feature)
            rejects.append(Reject(line, raw, f"feature {i}: {exc}"))
    return Parsed(path, pl.DataFrame(rows, schema=SCHEMA, orient="row"), rejects)


def read(path: Path) -> pl.DataFrame:
    """Read a FeatureCollection; ArchiveError on the first bad feature."""
    return parse(path).strict()


def _row(feature: object) -> dict[str, object]:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("not a Feature")
    geometry = feature.get("geometry") or {}
    kind = geometry.get("type")
    if kind not in GEOMETRIES:
        raise ValueError(f"geometry {kind!r} is not one of {', '.join(GEOMETRIES)}")
    coords = geometry.get("coordinates")
    vertices = [coords] if kind == "Point" else coords
    if not isinstance(vertices, list) or len(vertices) < (1 if kind == "Point" else 2):
        raise ValueError(f"{kind} without enough coordinates")
    for v in vertices:
        if (
            not isinstance(v, list)
            or len(v) < 2
            or not all(isinstance(x, int | float) for x in v[:2])
            or not (-180 <= v[0] <= 180 and -90 <= v[1] <= 90)
        ):
            raise ValueError(f"coordinate {v!r} is not [longitude, latitude]")
    props = feature.get("properties") or {}
    if not props.get("id") or not props.get("kind"):
        raise ValueError("properties need an id and a kind")
    voltage = props.get("voltage_kv")
    return {
        "id": str(props["id"]),
        "kind": str(props["kind"]),
        "name": props.get("name"),
        "region": props.get("region"),
        "voltage_kv": None if voltage is None else float(voltage),
        "geometry": kind,
        "lon": float(vertices[0][0]),
        "lat": float(vertices[0][1]),
        "lon_end": float(vertices[-1][0]),
        "lat_end": float(vertices[-1][1]),
        "properties": json.dumps(props, separators=(",", ":"), ensure_ascii=False),
    }
