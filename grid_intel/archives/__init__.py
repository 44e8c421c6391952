"""Historical archives in the formats utilities and markets publish: writers and readers.

Framework-free; one module per format, each with a writer (data to bytes, or
to a file through `files.write_atomic`) and a reader for the ingestion layer:

- `eccc`: Environment and Climate Change Canada hourly climate CSV (LST → UTC)
- `miso`: MISO DA ex-post and real-time 5-minute LMP files (EST → UTC); detect
  either with `grid_intel.market.read_miso_lmp` / `parse_miso_lmp`
- `outages`: outage records (OMS export), `work_orders`: maintenance (EAM export)
- `registry`: the asset registry, one CSV per kind
- `gis`: GeoJSON FeatureCollection of substations, stations and lines

Reader API, the same in every module:

    parse(path: Path) -> Parsed      # lenient
    read(path: Path) -> pl.DataFrame # strict: parse(path).strict()

(`eccc.parse/read`, `outages.parse/read`, `work_orders.parse/read`,
`registry.parse/read`, `gis.parse/read`, `miso.parse_da/parse_rt`.)
`Parsed(path, frame, rejects)` holds the good rows as a polars DataFrame
(snake_case columns, timestamps as UTC datetimes; MISO in gridstatus's
columns) and `rejects: list[Reject(line, raw, error)]`, the bad rows with their
1-based line numbers, for quarantine. `Parsed.strict()` returns the frame or
raises `ArchiveError` for the first reject. A file that is not the expected
layout at all (wrong header, not UTF-8, too short, not JSON) raises
`ArchiveError` from `parse` too. `ArchiveError(ValueError)` carries `path`,
`line` (1-based, or None for the whole file) and `reason`; its text is
`"{path}:{line}: {reason}"`.
"""

from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.parsed import Parsed, Reject

__all__ = ["ArchiveError", "Parsed", "Reject"]
