"""MISO's published LMP files: day-ahead ex-post (hourly) and real-time 5-minute.

`YYYYMMDD_da_expost_lmp.csv`: four preamble lines (title, market date, blank,
a note that hours ending are EST), then `Node,Type,Value,HE 1,…,HE 24` with one
row per node and Value (`LMP`, `MCC`, `MLC`). `YYYYMMDD_5MIN_LMP.csv`: four
preamble lines, then `MKTHOUR_EST,PNODENAME,LMP,CON_LMP,LOSS_LMP` with one row
per 5-minute interval (its start, EST) and node, and a footer line. Prices are
dollars and cents. MISO's clock is Eastern Standard Time all year (UTC-5): HE 1
of a market day is 00:00-01:00 EST.

Readers return gridstatus's LMP columns with UTC interval times; Energy is
LMP - MCC - MLC.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl

from grid_intel.archives.errors import ArchiveError
from grid_intel.archives.files import checked_fields, csv_text, lines, numbered, optional_float
from grid_intel.archives.parsed import Parsed, Reject

EST = timezone(timedelta(hours=-5), "EST")
PREAMBLE_LINES = 4
DA_HEADER = ("Node", "Type", "Value", *(f"HE {h}" for h in range(1, 25)))
RT_HEADER = ("MKTHOUR_EST", "PNODENAME", "LMP", "CON_LMP", "LOSS_LMP")
DA_TITLE = "Day Ahead Market ExPost LMPs"
RT_TITLE = "Real-Time Ex-Post 5 Minute LMP Report"
RT_FOOTER = "End of Report"
DA_MARKET = "DAY_AHEAD_HOURLY"
RT_MARKET = "REAL_TIME_5_MIN"
COMPONENTS = {"LMP": "lmp", "MCC": "congestion", "MLC": "loss"}
COLUMNS: dict[str, pl.DataType] = {
    "Interval Start": pl.Datetime("us", "UTC"),
    "Interval End": pl.Datetime("us", "UTC"),
    "Market": pl.String(),
    "Location": pl.String(),
    "Location Type": pl.String(),
    "LMP": pl.Float64(),
    "Energy": pl.Float64(),
    "Congestion": pl.Float64(),
    "Loss": pl.Float64(),
}


def da_file_name(market_day: date) -> str:
    return f"{market_day:%Y%m%d}_da_expost_lmp.csv"


def rt_file_name(market_day: date) -> str:
    return f"{market_day:%Y%m%d}_5MIN_LMP.csv"


def market_day_start(market_day: date) -> datetime:
    """00:00 EST of a market day, in UTC."""
    return datetime.combine(market_day, datetime.min.time(), tzinfo=EST).astimezone(UTC)


def market_days(utc_day: date) -> tuple[date, date]:
    """The market days a UTC day overlaps: D-1 until 05:00 UTC, then D."""
    return utc_day - timedelta(days=1), utc_day


def _preamble(title: str, market_day: date, note: list[object]) -> list[list[object]]:
    return [[title], [f"{market_day:%m/%d/%Y}"], [], note]


def render_da(market_day: date, frame: pl.DataFrame) -> bytes:
    """A DA ex-post file from hourly LMPs (interval_start UTC, location, lmp, …) of the day."""
    start = market_day_start(market_day)
    note = ["", "", "", "All Hours-Ending are Eastern Standard Time (EST)"]
    rows = _preamble(DA_TITLE, market_day, note)
    rows.append(list(DA_HEADER))
    day = frame.filter(
        (pl.col("interval_start") >= start) & (pl.col("interval_start") < start + timedelta(days=1))
    ).sort("interval_start")
    for (node,), part in day.group_by("location", maintain_order=True):
        if part.height != 24:
            raise ValueError(f"{node}: {part.height} hours on {market_day}, expected 24")
        kind = part["location_type"][0]
        for value, column in COMPONENTS.items():
            rows.append([node, kind, value, *(f"{v:.2f}" for v in part[column])])
    return csv_text(rows).encode()


def render_rt(market_day: date, frame: pl.DataFrame) -> bytes:
    """A 5-minute LMP file from RT LMPs (interval_start UTC, location, …) of the day."""
    start = market_day_start(market_day)
    rows = _preamble(RT_TITLE, market_day, ["", "", "All times are Eastern Standard Time (EST)"])
    rows.append(list(RT_HEADER))
    day = frame.filter(
        (pl.col("interval_start") >= start) & (pl.col("interval_start") < start + timedelta(days=1))
    ).sort("interval_start", "location")
    for rec in day.iter_rows(named=True):
        rows.append(
            [
                rec["interval_start"].astimezone(EST).strftime("%m/%d/%Y %H:%M"),
                rec["location"],
                f"{rec['lmp']:.2f}",
                f"{rec['congestion']:.2f}",
                f"{rec['loss']:.2f}",
            ]
        )
    rows.append([RT_FOOTER])
    return csv_text(rows).encode()


def header_of(path: Path, text: list[str]) -> tuple[str, ...]:
    """The column header after the preamble, names stripped of spaces."""
    if len(text) <= PREAMBLE_LINES:
        raise ArchiveError(
            path,
            None,
            f"{len(text)} lines: a MISO LMP file has {PREAMBLE_LINES} preamble lines "
            "and a column header",
        )
    try:
        return tuple(name.strip() for name in checked_fields(text[PREAMBLE_LINES]))
    except ValueError as exc:
        raise ArchiveError(path, PREAMBLE_LINES + 1, f"unreadable column header: {exc}") from None


def parse_da(path: Path, text: list[str] | None = None) -> Parsed:
    """Read a DA ex-post LMP file leniently: bad rows come back as rejects."""
    text = lines(path) if text is None else text
    if header_of(path, text) != DA_HEADER:
        raise ArchiveError(path, PREAMBLE_LINES + 1, "not a MISO DA ex-post LMP header")
    day = _market_day(path, text)
    start = market_day_start(day)
    nodes: dict[str, dict[str, object]] = {}
    first_line: dict[str, tuple[int, str]] = {}
    rejects: list[Reject] = []
    for n, line in numbered(text, PREAMBLE_LINES + 2):
        try:
            f = [x.strip() for x in checked_fields(line)]
            if len(f) != len(DA_HEADER):
                raise ValueError(f"expected {len(DA_HEADER)} fields, found {len(f)}")
            node, kind, value = f[0], f[1], f[2]
            if not node:
                raise ValueError("empty Node")
            if value not in COMPONENTS:
                raise ValueError(f"Value {value!r} is not one of LMP, MCC, MLC")
            prices = [optional_float(x) for x in f[3:]]
            if any(p is None for p in prices):
                raise ValueError("an hour has no price")
            entry = nodes.setdefault(node, {"type": kind})
            if value in entry:
                raise ValueError(f"second {value} row for {node}")
            entry[value] = prices
            first_line.setdefault(node, (n, line))
        except ValueError as exc:
            rejects.append(Reject(n, line, str(exc)))
    rows = []
    for node, entry in nodes.items():
        missing = [v for v in COMPONENTS if v not in entry]
        if missing:
            n, line = first_line[node]
            rejects.append(Reject(n, line, f"{node} has no {'/'.join(missing)} row"))
            continue
        hours = [tuple(entry[v][h] for v in COMPONENTS) for h in range(24)]  # type: ignore[index]
        if not all(math.isfinite(lmp - mcc - mlc) for lmp, mcc, mlc in hours):
            n, line = first_line[node]
            rejects.append(Reject(n, line, f"{node}: LMP - MCC - MLC overflows"))
            continue
        for h, (lmp, mcc, mlc) in enumerate(hours):
            t0 = start + timedelta(hours=h)
            rows.append(
                (t0, t0 + timedelta(hours=1), DA_MARKET, node, entry["type"], lmp, None, mcc, mlc)
            )
    frame = pl.DataFrame(rows, schema=COLUMNS, orient="row").with_columns(
        Energy=pl.col("LMP") - pl.col("Congestion") - pl.col("Loss")
    )
    return Parsed(path, frame.sort("Interval Start", "Location"), sorted(rejects, key=_by_line))


def parse_rt(path: Path, text: list[str] | None = None) -> Parsed:
    """Read a 5-minute LMP file leniently; a missing footer is a reject (truncated file)."""
    text = lines(path) if text is None else text
    if header_of(path, text) != RT_HEADER:
        raise ArchiveError(path, PREAMBLE_LINES + 1, "not a MISO 5-minute LMP header")
    body = list(numbered(text, PREAMBLE_LINES + 2))
    rejects: list[Reject] = []
    if body and _looks_like_row(body[-1][1]):
        n, line = body[-1]
        rejects.append(Reject(n, line, "no footer after the last row: the file is truncated"))
    elif body:
        body = body[:-1]
    rows = []
    for n, line in body:
        try:
            f = [x.strip() for x in checked_fields(line)]
            if len(f) != len(RT_HEADER):
                raise ValueError(f"expected {len(RT_HEADER)} fields, found {len(f)}")
            try:
                t0 = datetime.strptime(f[0], "%m/%d/%Y %H:%M").replace(tzinfo=EST)
            except ValueError:
                raise ValueError(f"MKTHOUR_EST {f[0]!r} is not MM/DD/YYYY HH:MM") from None
            if not f[1]:
                raise ValueError("empty PNODENAME")
            lmp, mcc, mlc = (optional_float(x) for x in f[2:])
            if lmp is None or mcc is None or mlc is None:
                raise ValueError("a price is missing")
            if not math.isfinite(lmp - mcc - mlc):
                raise ValueError("LMP - CON_LMP - LOSS_LMP overflows")
            try:
                start = t0.astimezone(UTC)
                end = start + timedelta(minutes=5)
            except OverflowError:
                raise ValueError(f"MKTHOUR_EST {f[0]!r} is out of range") from None
            node = f[1]
            rows.append((start, end, RT_MARKET, node, location_type(node), lmp, None, mcc, mlc))
        except ValueError as exc:
            rejects.append(Reject(n, line, str(exc)))
    frame = pl.DataFrame(rows, schema=COLUMNS, orient="row").with_columns(
        Energy=pl.col("LMP") - pl.col("Congestion") - pl.col("Loss")
    )
    return Parsed(path, frame.sort("Interval Start", "Location"), sorted(rejects, key=_by_line))


def location_type(node: str) -> str | None:
    """What the 5-minute file does not say: hubs by name, and the Manitoba interface."""
    if node.endswith(".HUB"):
        return "Hub"
    return {"MHEB": "Interface"}.get(node)


def _by_line(r: Reject) -> int:
    return r.line


def _looks_like_row(line: str) -> bool:
    try:
        f = checked_fields(line)
    except ValueError:
        return True  # not a footer either: it is read (and rejected) as a row
    return len(f) > 1 and f[0][:2].isdigit()


def _market_day(path: Path, text: list[str]) -> date:
    try:
        stamp = next(iter(checked_fields(text[1])), "").strip()
    except ValueError as exc:
        raise ArchiveError(path, 2, f"unreadable market date: {exc}") from None
    try:
        day = datetime.strptime(stamp, "%m/%d/%Y").date()
    except ValueError:
        raise ArchiveError(path, 2, f"market date {stamp!r} is not MM/DD/YYYY") from None
    try:
        market_day_start(day) + timedelta(days=1)
    except OverflowError:
        raise ArchiveError(path, 2, f"market date {stamp!r} is out of range") from None
    return day
