"""An open-loop HTTP/1.1 load generator for `bench api`, run as its own process.

Requests are scheduled at a fixed rate (request i at start + i / rate) over a pool of
keep-alive connections, and each latency runs from the request's scheduled time to
its response, so a stalled server shows as latency instead of silently lowering the
rate (coordinated omission). Raw asyncio streams keep the client's own cost small
beside the server's on a two-core machine.

    python -m grid_intel.bench.http_load URL RATE SECONDS CONNECTIONS  ->  JSON on stdout
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit

import numpy as np


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> int:
    writer.write(raw)
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if chunked:
        while (size := int((await reader.readline()).strip(), 16)) > 0:
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(length)
    return status


async def run(url: str, rate: float, seconds: float, connections: int) -> dict[str, object]:
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    raw = (
        f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: keep-alive\r\n\r\n"
    ).encode()
    total = int(rate * seconds)
    latencies = np.full(total, np.nan)
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    start = time.perf_counter() + 0.2

    async def scheduler() -> None:
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            queue.put_nowait(i)
        for _ in range(connections):
            queue.put_nowait(-1)

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        try:
            while (i := await queue.get()) >= 0:
                try:
                    status = await _request(reader, writer, raw)
                except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                    status = 0
                    writer.close()
                    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
                latencies[i] = time.perf_counter() - (start + i / rate)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(scheduler(), *(worker() for _ in range(connections)))
    elapsed = time.perf_counter() - max(began, start)
    done = latencies[~np.isnan(latencies)] * 1000
    return {
        "requests": int(done.size),
        "achieved_rps": round(done.size / elapsed, 1),
        "p50_ms": round(float(np.percentile(done, 50)), 2),
        "p99_ms": round(float(np.percentile(done, 99)), 2),
        "max_ms": round(float(done.max()), 2),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def main() -> None:
    url, rate, seconds, connections = sys.argv[1:5]
    result = asyncio.run(run(url, float(rate), float(seconds), int(connections)))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
