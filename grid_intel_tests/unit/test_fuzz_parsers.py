"""Property-based fuzzing of the MISO LMP (day-ahead and 5-minute) and ECCC hourly
climate readers (`grid_intel.archives.miso`, `.eccc`).

A landing file can hold anything. A reader must return good rows plus rejects,
or raise `ArchiveError` for a file that is not its layout. It must never raise
anything else, which would fail the archive asset with no file or line named.
The rows it keeps must be ones bronze can store (finite numbers, UTC times,
text without NUL) and, for LMP, must add up: LMP = energy + congestion + loss.
Inputs: arbitrary text and bytes, and rendered files mutated (columns and rows
dropped, duplicated or shuffled, numbers garbled, headers changed, dates pushed
to the calendar's ends, NUL and bare CR inserted, truncation). Files rendered
from generated prices and weather read back to the same values.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grid_intel.archives import ArchiveError, Parsed, eccc, miso
from grid_intel.archives.files import csv_text, fields
from grid_intel.market import parse_miso_lmp
from grid_intel_tests.unit.fuzzing import FUZZ

Rows = list[list[str]]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Thousands of small files: in memory where the machine has a tmpfs."""
    if Path("/dev/shm").is_dir():
        with tempfile.TemporaryDirectory(dir="/dev/shm", prefix="fuzz_parsers_") as name:
            yield Path(name)
    else:
        yield tmp_path_factory.mktemp("fuzz_parsers")


# --- what a read must give --------------------------------------------------------


def read(parse: Callable[[Path], Parsed], path: Path, data: bytes) -> Parsed | None:
    """The reader's result, or None when it refused the file with an ArchiveError."""
    path.write_bytes(data)
    try:
        parsed = parse(path)
    except ArchiveError as exc:
        assert exc.path == path and exc.reason, "an ArchiveError names the file and why"
        assert exc.line is None or exc.line >= 1
        return None
    n_lines = data.count(b"\n") + 1
    for r in parsed.rejects:
        assert 1 <= r.line <= n_lines and r.error, r
    if parsed.rejects:
        with pytest.raises(ArchiveError):
            parsed.strict()
    else:
        assert parsed.strict() is parsed.frame
    return parsed


def assert_storable(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> None:
    """Finite numbers, text without NUL, aware times (frames are small: plain Python)."""
    assert dict(frame.schema) == schema
    for row in frame.iter_rows(named=True):
        for name, v in row.items():
            if isinstance(v, float):
                assert math.isfinite(v), f"{name} holds {v}"
            elif isinstance(v, str):
                assert "\x00" not in v, f"{name} holds a NUL"
            elif isinstance(v, datetime):
                assert v.utcoffset() == timedelta(0), f"{name} is not UTC"


def assert_lmp_rows(parsed: Parsed) -> None:
    """Kept LMP rows are storable, whole intervals, and add up (within float rounding)."""
    frame = parsed.frame
    assert_storable(frame, miso.COLUMNS)
    for name in ("Interval Start", "Interval End", "Market", "Location", "LMP"):
        assert frame[name].null_count() == 0, f"{name} is null"
    for start, end, market, lmp, energy, congestion, loss in frame.select(
        "Interval Start", "Interval End", "Market", "LMP", "Energy", "Congestion", "Loss"
    ).iter_rows():
        minutes = 60 if market == miso.DA_MARKET else 5
        assert end - start == timedelta(minutes=minutes)
        scale = max(1.0, abs(lmp), abs(energy), abs(congestion), abs(loss))
        assert abs(energy + congestion + loss - lmp) <= 1e-9 * scale


def assert_weather_rows(parsed: Parsed) -> None:
    frame = parsed.frame
    assert_storable(frame, eccc.SCHEMA)
    assert frame["ts"].null_count() == 0


# --- files as rows of fields, and what can go wrong with them ---------------------


@dataclass(frozen=True)
class Layout:
    """How a format is written, and how to move one of its rows to another time."""

    name: str
    file_name: str
    parse: Callable[[Path], Parsed]
    check: Callable[[Parsed], None]
    header: int  # index of the column header among the rows
    quote_all: bool
    bom: bool
    redate: Callable[[Rows, int, datetime], None]


def _redate_da(rows: Rows, i: int, t: datetime) -> None:
    rows[1] = [f"{t.month:02d}/{t.day:02d}/{t.year:04d}"]


def _redate_rt(rows: Rows, i: int, t: datetime) -> None:
    if rows[i]:
        rows[i][0] = f"{t.month:02d}/{t.day:02d}/{t.year:04d} {t.hour:02d}:{t.minute:02d}"


def _redate_eccc(rows: Rows, i: int, t: datetime) -> None:
    at = {name: k for k, name in enumerate(eccc.HEADER)}
    if len(rows[i]) == len(eccc.HEADER):
        rows[i][at["Date/Time (LST)"]] = f"{t.year:04d}-{t.month:02d}-{t.day:02d} {t:%H:%M}"
        rows[i][at["Year"]], rows[i][at["Month"]] = f"{t.year}", f"{t.month:02d}"
        rows[i][at["Day"]], rows[i][at["Time (LST)"]] = f"{t.day:02d}", f"{t:%H:%M}"


miso_layout = partial(
    Layout, parse=parse_miso_lmp, check=assert_lmp_rows, header=4, quote_all=False, bom=False
)
DA = miso_layout("da", miso.da_file_name(date(2026, 1, 20)), redate=_redate_da)
RT = miso_layout("rt", miso.rt_file_name(date(2026, 1, 20)), redate=_redate_rt)
ECCC = Layout(
    "eccc",
    eccc.file_name("5023222", 2026, 1),
    parse=eccc.parse,
    check=assert_weather_rows,
    header=0,
    quote_all=True,
    bom=True,
    redate=_redate_eccc,
)
LAYOUTS = {layout.name: layout for layout in (DA, RT, ECCC)}


def to_rows(data: bytes) -> Rows:
    text = data.decode("utf-8-sig").removesuffix("\n")
    return [fields(line) for line in text.split("\n")]


def to_lines(layout: Layout, rows: Rows) -> list[str]:
    return [csv_text([row], quote_all=layout.quote_all).removesuffix("\n") for row in rows]


def to_bytes(layout: Layout, lines: list[str]) -> bytes:
    return (("\ufeff" if layout.bom else "") + "".join(f"{s}\n" for s in lines)).encode()


GARBLED = [
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1e999",
    "-1e400",
    "1e308",
    "-1e308",
    "12.3x",
    "n/a",
    "1,5",
    "1_0",
    "0x1p3",
    "\u0661\u0662",
    "--1",
    "M",
    "HE 25",
    "LMP",
    "DAY_AHEAD",
    "99/99/2026",
    "02/30/2026 00:00",
    "2026-02-30 00:00",
    "24:00",
    "x" * 140_000,
]
hostile = st.sampled_from(["\x00", "\r", '"', ",", "\ufeff", "\n", "\u2028"])
anywhen = st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59))
OPS = (
    "drop_column",
    "duplicate_column",
    "shuffle_columns",
    "garble",
    "rename_header",
    "drop_row",
    "duplicate_row",
    "shuffle_rows",
    "redate",
)


@st.composite
def mutated(draw: st.DrawFn, layout: Layout, valid: bytes) -> bytes:
    """A rendered file with one (mostly) to three things wrong with it, then perhaps a
    stray character or a cut."""
    rows = to_rows(valid)
    first = layout.header + 1
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        op = draw(st.sampled_from(OPS))
        width = len(rows[layout.header])
        i = draw(st.integers(first, len(rows) - 1)) if len(rows) > first else layout.header
        j = draw(st.integers(0, width - 1)) if width else 0
        targets = draw(st.sampled_from(["all", "header", "row"]))
        which = {"all": range(layout.header, len(rows)), "header": [layout.header], "row": [i]}
        if op == "drop_column":
            for k in which[targets]:
                rows[k] = rows[k][:j] + rows[k][j + 1 :]
        elif op == "duplicate_column":
            for k in which[targets]:
                rows[k] = rows[k][: j + 1] + rows[k][j:]
        elif op == "shuffle_columns":
            order = draw(st.permutations(range(width)))
            for k in which[targets]:
                if len(rows[k]) == width:
                    rows[k] = [rows[k][o] for o in order]
        elif op == "garble" and j < len(rows[i]):
            rows[i][j] = draw(st.sampled_from(GARBLED) | st.text(max_size=8))
        elif op == "rename_header" and j < width:
            rows[layout.header][j] = draw(st.sampled_from(GARBLED[:20]) | st.text(max_size=8))
        elif op == "drop_row":
            del rows[i]
        elif op == "duplicate_row":
            rows.insert(i, list(rows[i]))
        elif op == "shuffle_rows":
            rows[first:] = draw(st.permutations(rows[first:]))
        elif op == "redate":
            layout.redate(rows, i, draw(anywhen))
    lines = to_lines(layout, rows)
    if draw(st.integers(0, 3)) == 0 and lines:  # a stray character in some line
        i = draw(st.integers(0, len(lines) - 1))
        at = draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:at] + draw(hostile) + lines[i][at:]
    data = to_bytes(layout, lines)
    if draw(st.integers(0, 5)) == 0:  # a file cut short
        data = data[: draw(st.integers(0, len(data)))]
    return data


# --- valid files --------------------------------------------------------------------

NAME_CHARS = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz0123456789 ._-,'\"#é")
names = st.text(NAME_CHARS, min_size=1, max_size=10).map(str.strip).filter(bool)
cents = st.integers(-50_000_00, 50_000_00).map(lambda c: c / 100)
days = st.dates(date(1900, 1, 1), date(2100, 12, 31))
LMP_INPUT = {
    "interval_start": pl.Datetime("us", "UTC"),
    "location": pl.String(),
    "location_type": pl.String(),
    "lmp": pl.Float64(),
    "congestion": pl.Float64(),
    "loss": pl.Float64(),
}


@st.composite
def da_prices(draw: st.DrawFn) -> tuple[date, pl.DataFrame]:
    day = draw(days)
    start = miso.market_day_start(day)
    rows = []
    for node in draw(st.lists(names, min_size=1, max_size=2, unique=True)):
        kind = draw(names)
        prices = draw(st.lists(st.tuples(cents, cents, cents), min_size=1, max_size=4))
        rows += [
            (start + timedelta(hours=h), node, kind, *prices[h % len(prices)]) for h in range(24)
        ]
    return day, pl.DataFrame(rows, schema=LMP_INPUT, orient="row")


@st.composite
def rt_prices(draw: st.DrawFn) -> tuple[date, pl.DataFrame]:
    day = draw(days)
    start = miso.market_day_start(day)
    rows = []
    for node in draw(st.lists(names, min_size=1, max_size=3, unique=True)):
        slots = draw(st.lists(st.integers(0, 287), min_size=1, max_size=6, unique=True))
        for slot in slots:
            rows.append(
                (
                    start + timedelta(minutes=5 * slot),
                    node,
                    None,
                    *draw(st.tuples(cents, cents, cents)),
                )
            )
    return day, pl.DataFrame(rows, schema=LMP_INPUT, orient="row")


def element_values(decimals: int, scale: int) -> st.SearchStrategy[float | None]:
    return st.none() | st.integers(-99_999, 99_999).map(lambda n: n / 10**decimals * scale)


@st.composite
def weather_month(draw: st.DrawFn, max_hours: int = 3) -> tuple[eccc.Station, pl.DataFrame]:
    station = eccc.Station(
        draw(st.text(NAME_CHARS, min_size=1, max_size=16)),
        draw(st.text("0123456789ABX", min_size=1, max_size=7)),
        draw(st.integers(-9000, 9000)) / 100,
        draw(st.integers(-18000, 18000)) / 100,
    )
    t0, t1 = eccc.month_hours(draw(st.integers(1900, 2100)), draw(st.integers(1, 12)))
    span = int((t1 - t0).total_seconds() // 3600)
    hours = sorted(
        draw(st.lists(st.integers(0, span - 1), min_size=1, max_size=max_hours, unique=True))
    )
    rows = []
    for h in hours:
        row: dict[str, Any] = {"ts": t0 + timedelta(hours=h)}
        for _, _, name, _, decimals, scale in eccc.ELEMENTS:
            row[name] = draw(element_values(decimals, scale))
        row["weather"] = draw(st.none() | names)
        rows.append(row)
    schema = {"ts": pl.Datetime("us", "UTC")}
    schema |= {e[2]: pl.Float64() for e in eccc.ELEMENTS} | {"weather": pl.String()}
    return station, pl.DataFrame(rows, schema=schema)


SAMPLE_DAY = date(2026, 1, 20)


def _sample(layout: Layout) -> bytes:
    start = miso.market_day_start(SAMPLE_DAY)
    if layout is ECCC:
        t0, _ = eccc.month_hours(2026, 1)
        frame = pl.DataFrame({"ts": [t0, t0 + timedelta(hours=1)], "temp_c": [-21.5, None]})
        frame = frame.with_columns(
            pl.lit(None, pl.Float64()).alias(e[2]) for e in eccc.ELEMENTS[1:]
        )
        return eccc.render(
            eccc.Station("GIMLI", "5021054", 50.63, -97.05),
            frame.with_columns(weather=pl.lit("Snow")),
        )
    hours = range(24) if layout is DA else (0, 1)
    step = timedelta(hours=1) if layout is DA else timedelta(minutes=5)
    frame = pl.DataFrame(
        [(start + h * step, "MHEB", "Interface", 30.0 + h, 1.25, -0.5) for h in hours],
        schema=LMP_INPUT,
        orient="row",
    )
    render = miso.render_da if layout is DA else miso.render_rt
    return render(SAMPLE_DAY, frame)


SAMPLES = [(layout, _sample(layout)) for layout in (DA, RT, ECCC)]


def valid_file(layout: Layout) -> st.SearchStrategy[bytes]:
    if layout is DA:
        return da_prices().map(lambda d: miso.render_da(*d))
    if layout is RT:
        return rt_prices().map(lambda d: miso.render_rt(*d))
    return weather_month(max_hours=2).map(lambda w: eccc.render(*w))


# --- what the fuzzing found -----------------------------------------------------------


def _edit(layout: Layout, edits: dict[int, Callable[[str], str]]) -> bytes:
    """A sample file with lines (1-based) edited."""
    text = dict(SAMPLES)[layout].decode("utf-8-sig").split("\n")
    for line, edit in edits.items():
        text[line - 1] = edit(text[line - 1])
    return (("\ufeff" if layout.bom else "") + "\n".join(text)).encode()


def _eccc_set(values: dict[str, str]) -> Callable[[str], str]:
    """Edit an ECCC row's fields by column name."""
    at = {name: k for k, name in enumerate(eccc.HEADER)}

    def edit(line: str) -> str:
        row = fields(line)
        for name, value in values.items():
            row[at[name]] = value
        return csv_text([row], quote_all=True).removesuffix("\n")

    return edit


ECCC_TIME = ("Date/Time (LST)", "Year", "Month", "Day", "Time (LST)")
Edits = dict[int, Callable[[str], str]]
FOUND: dict[str, tuple[Layout, Edits, str]] = {
    # A bare carriage return or a field over csv's 128 KiB limit raised _csv.Error.
    "CR in a 5-minute row": (RT, {6: lambda s: s.replace("MHEB", "MH\rEB")}, "not a CSV line"),
    "CR in the last row": (RT, {8: lambda s: "01/20/2026 00:10,M\rH,1,1,1"}, "not a CSV line"),
    "CR in a day-ahead row": (DA, {6: lambda s: s.replace("LMP", "L\rMP")}, "not a CSV line"),
    "CR in an ECCC row": (ECCC, {2: lambda s: s.replace('"GIMLI"', "GIM\rLI")}, "not a CSV"),
    "CR in the ECCC header": (ECCC, {1: lambda s: "\r" + s}, "unreadable column header"),
    "CR in the MISO header": (RT, {5: lambda s: s.replace("LMP,", "L\rMP,")}, "unreadable"),
    "CR in the market date": (DA, {2: lambda s: s + "\r1"}, "unreadable market date"),
    "a 140 kB field": (RT, {7: lambda s: s.replace("MHEB", "M" * 140_000)}, "field limit"),
    # Times at the calendar's end raised OverflowError on their way to UTC.
    "market date 12/31/9999": (DA, {2: lambda s: "12/31/9999"}, "is out of range"),
    "5-minute interval in UTC year 10000": (
        RT,
        {6: lambda s: s.replace("01/20/2026 00:00", "12/31/9999 23:55")},
        "is out of range",
    ),
    "ECCC hour in UTC year 10000": (
        ECCC,
        {
            2: _eccc_set(
                dict(zip(ECCC_TIME, ("9999-12-31 23:00", "9999", "12", "31", "23:00"), strict=True))
            )
        },
        "is out of range",
    ),
    # NaN, infinities and overflowing sums were kept as prices and weather.
    "NaN price": (RT, {6: lambda s: s.replace("30.00", "nan")}, "is not a finite number"),
    "infinite price": (DA, {6: lambda s: s.replace("30.00", "1e999")}, "is not a finite number"),
    "energy overflows (RT)": (
        RT,
        {6: lambda s: s.replace("30.00,1.25", "1e308,-1e308")},
        "overflows",
    ),
    "energy overflows (DA)": (
        DA,
        {6: lambda s: s.replace("30.00", "1.7e308"), 7: lambda s: s.replace("1.25", "-1.7e308")},
        "overflows",
    ),
    "infinite temperature": (ECCC, {2: _eccc_set({"Temp (°C)": "inf"})}, "not a finite number"),
    "wind direction overflows x 10": (
        ECCC,
        {2: _eccc_set({"Wind Dir (10s deg)": "1e308"})},
        "is out of range",
    ),
    # A NUL reached bronze's text columns, where it fails the whole file's COPY.
    "NUL in a node": (RT, {6: lambda s: s.replace("MHEB", "MH\x00EB")}, "NUL"),
    "NUL in a station name": (ECCC, {2: lambda s: s.replace("GIMLI", "GIM\x00LI")}, "NUL"),
}


@pytest.mark.parametrize("case", FOUND)
def test_what_fuzzing_found_is_a_reject_or_an_archive_error_with_the_reason(case: str, folder):
    layout, edits, reason = FOUND[case]
    line = min(edits)
    path = folder / layout.file_name
    path.write_bytes(_edit(layout, edits))
    try:
        parsed = layout.parse(path)
    except ArchiveError as exc:
        assert (exc.line, reason in exc.reason) == (line, True), exc
        return
    errors = [r.error for r in parsed.rejects if r.line == line]
    assert any(reason in e for e in errors), parsed.rejects
    layout.check(parsed)


# --- properties --------------------------------------------------------------------


def any_file() -> st.SearchStrategy[bytes]:
    """Arbitrary text or bytes, alone or after a valid preamble and header."""
    heads = [b"", *(b"\n".join(v.split(b"\n")[: lay.header + 1]) + b"\n" for lay, v in SAMPLES)]
    body = st.text(max_size=300).map(str.encode) | st.binary(max_size=300)
    return st.tuples(st.sampled_from(heads), body).map(b"".join)


def _found_examples(test: Callable[..., None]) -> Callable[..., None]:
    for layout, edits, _ in FOUND.values():
        test = example(data=_edit(layout, edits))(test)
    return test


@_found_examples
@FUZZ
@given(data=any_file())
def test_any_file_reads_to_storable_rows_or_an_archive_error(data: bytes, folder):
    for layout in (DA, ECCC):  # the MISO reader tells DA from RT by the header
        parsed = read(layout.parse, folder / layout.file_name, data)
        if parsed is not None:
            layout.check(parsed)


@pytest.mark.parametrize("name", sorted(LAYOUTS))
@FUZZ
@given(data=st.data())
def test_mutated_files_read_to_storable_rows_or_an_archive_error(name: str, data, folder):
    layout = LAYOUTS[name]
    damaged = data.draw(mutated(layout, data.draw(valid_file(layout))))
    parsed = read(layout.parse, folder / layout.file_name, damaged)
    if parsed is not None:
        layout.check(parsed)


# --- round trips -------------------------------------------------------------------


def _lmp_expected(frame: pl.DataFrame, market: str, minutes: int) -> list[tuple]:
    return sorted(
        (
            start,
            start + timedelta(minutes=minutes),
            market,
            node,
            kind if market == miso.DA_MARKET else miso.location_type(node),
            lmp,
            congestion,
            loss,
        )
        for start, node, kind, lmp, congestion, loss in frame.iter_rows()
    )


def _lmp_read(parsed: Parsed) -> list[tuple]:
    cols = ("Interval Start", "Interval End", "Market", "Location", "Location Type", "LMP")
    return sorted(parsed.frame.select(*cols, "Congestion", "Loss").iter_rows())


@FUZZ
@given(prices=da_prices())
def test_day_ahead_files_read_back_what_was_written(prices, folder):
    day, frame = prices
    parsed = read(DA.parse, folder / miso.da_file_name(day), miso.render_da(day, frame))
    assert parsed is not None and not parsed.rejects
    assert _lmp_read(parsed) == _lmp_expected(frame, miso.DA_MARKET, 60)
    assert_lmp_rows(parsed)


@FUZZ
@given(prices=rt_prices())
def test_real_time_files_read_back_what_was_written(prices, folder):
    day, frame = prices
    parsed = read(RT.parse, folder / miso.rt_file_name(day), miso.render_rt(day, frame))
    assert parsed is not None and not parsed.rejects
    assert _lmp_read(parsed) == _lmp_expected(frame, miso.RT_MARKET, 5)
    assert_lmp_rows(parsed)


@FUZZ
@given(month=weather_month())
def test_eccc_files_read_back_what_was_written(month, folder):
    station, frame = month
    parsed = read(ECCC.parse, folder / ECCC.file_name, eccc.render(station, frame))
    assert parsed is not None and not parsed.rejects
    back = parsed.frame
    assert back["ts"].to_list() == frame["ts"].to_list()
    assert set(back["station_name"]) == {station.name}
    assert set(back["climate_id"]) == {station.climate_id}
    assert set(zip(back["latitude"], back["longitude"], strict=True)) == {
        (station.lat, station.lon)
    }
    names = [e[2] for e in eccc.ELEMENTS]
    for got, sent in zip(back.iter_rows(named=True), frame.iter_rows(named=True), strict=True):
        observed = any(sent[n] is not None for n in names)
        for _, _, name, flag, _, _ in eccc.ELEMENTS:
            assert got[name] == pytest.approx(sent[name], abs=1e-9), name
            missing = observed and sent[name] is None and name not in eccc.CONDITIONAL
            assert got[flag] == ("M" if missing else None), flag
        assert got["weather"] == (sent["weather"] if observed else None)
    assert_weather_rows(parsed)


@pytest.mark.parametrize("bad", ["a\rb,c", "x\x00y", "q" * (140 * 1024)])
def test_outage_and_registry_tables_reject_unreadable_lines(tmp_path, bad):
    from grid_intel.archives import tables

    columns = (("id", "str"), ("n", "int"))
    path = tmp_path / "t.csv"
    path.write_text(f"id,n\na,1\n{bad}\nb,2\n")
    parsed = tables.parse(path, columns, "test")
    assert parsed.frame["id"].to_list() == ["a", "b"] and len(parsed.rejects) == 1
    path.write_text(f"{bad}\na,1\n")
    with pytest.raises(ArchiveError):
        tables.parse(path, columns, "test")
