"""One benchmark in a process of its own, so its peak memory is its own.

`python -m grid_intel.bench.child NAME '{"args": [...], "kwargs": {...}}' OUT` runs
`bench_NAME(settings, *args, progress, **kwargs)`, logs progress to stderr and writes
one JSON object to the file OUT (stdout carries whatever the libraries log): the
report and the peak RSS (MiB) of this process and of the processes it started and
waited for (the stream bench's processor service).
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from grid_intel import bench
from grid_intel.settings import get_settings


def peak_rss_mib(who: int) -> float:
    """High-water resident memory; Linux reports ru_maxrss in KiB."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


def main() -> None:
    name, spec, out_path = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
    report = getattr(bench, f"bench_{name}")(
        get_settings(),
        *spec.get("args", []),
        lambda line: print(f"  {line}", file=sys.stderr, flush=True),
        **spec.get("kwargs", {}),
    )
    out = {
        "report": report,
        "peak_rss_mib": peak_rss_mib(resource.RUSAGE_SELF),
        "children_peak_rss_mib": peak_rss_mib(resource.RUSAGE_CHILDREN),
    }
    out_path.write_text(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
