"""Build the registry: the published stations plus equipment laid out by fixed rules.

The layout is deterministic (attributes drawn from generators seeded by asset
id), so every process, test and archive sees the same assets. `scale` multiplies
the distribution substations (and so the SCADA points) for load tests.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

from grid_intel.grid.cooling import CoolingClass
from grid_intel.grid.equipment import (
    Breaker,
    Intertie,
    Line,
    Point,
    Rtu,
    Substation,
    Transformer,
)
from grid_intel.grid.geography import pull_inside
from grid_intel.grid.regions import REGIONS, REGIONS_BY_ID, Region
from grid_intel.grid.stations import STATIONS, Station

SCAN_INTERVAL_S = 4.0
DISTRIBUTION_PER_SCALE = 40  # distribution substations across the province at scale 1
DESIGN_PEAK_MW = 5111.5  # the record provincial peak (reference): what equipment is sized for
STANDARD_MVA = (25.0, 33.0, 50.0, 75.0, 100.0, 150.0)

# HVDC converter stations and Bipoles (approximate lengths and ratings, public figures).
CONVERTERS = (
    ("radisson", "Radisson", "north", 56.43, -94.55),
    ("henday", "Henday", "north", 56.50, -94.15),
    ("keewatinohk", "Keewatinohk", "north", 56.60, -94.00),
    ("dorsey", "Dorsey", "winnipeg", 50.00, -97.45),
    ("riel", "Riel", "winnipeg", 49.82, -96.93),
)
BIPOLES = (
    ("bipole_1", "radisson", "dorsey", 450, 895, 1800),
    ("bipole_2", "henday", "dorsey", 500, 937, 1800),
    ("bipole_3", "keewatinohk", "riel", 500, 1384, 2000),
)
# Interties (reference: MISO export ≈ 3,185 MW, import ≈ 1,400 to 2,100 MW;
# Saskatchewan exports up to ≈ 315 MW; Ontario a few hundred MW, approx.).
INTERTIES = (
    ("tie_miso", "MHEB-MISO", "dorsey", 3185, 2100),
    ("tie_spc", "SaskPower", "hub_westman", 315, 315),
    ("tie_ieso", "IESO-Ontario", "hub_eastman", 300, 300),
)


@dataclass(frozen=True)
class Registry:
    scale: int
    regions: tuple[Region, ...]
    stations: tuple[Station, ...]
    substations: tuple[Substation, ...]
    transformers: tuple[Transformer, ...]
    lines: tuple[Line, ...]
    interties: tuple[Intertie, ...]
    breakers: tuple[Breaker, ...]
    rtus: tuple[Rtu, ...]
    points: tuple[Point, ...]

    @cached_property
    def by_id(self) -> dict[str, object]:
        """Every asset by id (ids are unique across kinds)."""
        out: dict[str, object] = {}
        for group in (
            self.regions,
            self.stations,
            self.substations,
            self.transformers,
            self.lines,
            self.interties,
            self.breakers,
            self.rtus,
            self.points,
        ):
            for item in group:
                out[item.id] = item
        return out

    @cached_property
    def points_by_rtu(self) -> dict[str, tuple[Point, ...]]:
        grouped: dict[str, list[Point]] = {r.id: [] for r in self.rtus}
        for p in self.points:
            grouped[p.rtu].append(p)
        return {k: tuple(v) for k, v in grouped.items()}


def _rng(asset_id: str) -> random.Random:
    return random.Random(f"grid-intel/{asset_id}")


def _near(region: Region, asset_id: str, spread: float) -> tuple[float, float]:
    r = _rng(asset_id + "/gis")
    return pull_inside(
        round(region.lat + r.uniform(-spread, spread), 4),
        round(region.lon + r.uniform(-spread, spread) * 1.5, 4),
        (region.lat, region.lon),
    )


def _transformer(
    tid: str,
    sub: str,
    mva: float,
    hv: float,
    lv: float,
    cooling: CoolingClass,
    years: tuple[int, int],
) -> Transformer:
    r = _rng(tid)
    year = r.randint(*years)
    return Transformer(
        id=tid,
        substation=sub,
        rating_mva=round(mva, 1),
        hv_kv=hv,
        lv_kv=lv,
        cooling=cooling,
        top_oil_rise_c=round(r.uniform(50.0, 55.0), 1),
        hot_spot_rise_c=round(r.uniform(20.0, 28.0), 1),
        loss_ratio=round(r.uniform(4.0, 8.0), 2),
        install_year=year,
        # Thermally upgraded paper became standard in North America by the 1970s.
        thermally_upgraded_paper=year >= 1975,
    )


def _station_hv_kv(station: Station) -> float:
    if station.region == "eastman":
        return 115.0
    return 138.0 if station.id in ("keeyask", "jenpeg", "kelsey") else 230.0


def _generation(subs: list[Substation], txs: list[Transformer], lines: list[Line]) -> None:
    for st in (s for s in STATIONS if s.grid_connected):
        region = REGIONS_BY_ID[st.region]
        sid = f"gs_{st.id}"
        lat, lon = _near(region, sid, 1.2)
        hv = _station_hv_kv(st)
        subs.append(Substation(sid, f"{st.name} GS", st.region, "generating", hv, lat, lon, st.id))
        n_tx = 2 if st.fuel == "wind" else max(1, math.ceil(st.units / 2))
        years = (2008, 2021) if st.fuel == "wind" else (1960, 2021)
        if st.id == "keeyask":
            years = (2020, 2022)
        for i in range(n_tx):
            mva = st.capacity_mw * 1.1 / n_tx
            lv = 34.5 if st.fuel == "wind" else 13.8
            cooling: CoolingClass = "OD" if mva > 150 else "ONAF"
            txs.append(_transformer(f"{sid}_t{i + 1}", sid, mva, hv, lv, cooling, years))
        dest = _collector(st)
        amps = st.capacity_mw * 1e6 / (math.sqrt(3) * hv * 1e3 * 0.95) * 1.3
        lines.append(
            Line(
                f"ln_{st.id}_{dest}",
                sid,
                dest,
                hv,
                round(_rng(sid).uniform(20, 120), 1),
                round(amps, -1),
            )
        )


def _collector(st: Station) -> str:
    """Where a station's output goes: northern plants to the converter stations."""
    if st.region == "north":
        return {
            "limestone": "keewatinohk",
            "long_spruce": "radisson",
            "kettle": "radisson",
            "keeyask": "radisson",
        }.get(st.id, "henday")
    return f"hub_{st.region}"


def _backbone(subs: list[Substation], txs: list[Transformer], lines: list[Line]) -> None:
    for cid, name, region, lat, lon in CONVERTERS:
        subs.append(
            Substation(cid, f"{name} Converter Station", region, "converter", 500.0, lat, lon)
        )
        for i in range(2):
            txs.append(
                _transformer(f"{cid}_t{i + 1}", cid, 600.0, 500.0, 230.0, "OD", (1972, 2018))
            )
    for bid, a, b, kv, km, amps in BIPOLES:
        lines.append(Line(bid, a, b, kv, km, amps, hvdc=True))
    for region in REGIONS:
        hid = f"hub_{region.id}"
        lat, lon = _near(region, hid, 0.2)
        subs.append(
            Substation(hid, f"{region.name} 230 kV", region.id, "transmission", 230.0, lat, lon)
        )
        # Enough 300 MVA units (and parallel circuits) for about a third of the region's load.
        n_hub = hub_transformers(region)
        for t in range(n_hub):
            txs.append(
                _transformer(f"{hid}_t{t + 1}", hid, 300.0, 230.0, 115.0, "ONAF", (1965, 2020))
            )
        src = "henday" if region.id == "north" else ("riel" if region.id == "eastman" else "dorsey")
        lines.append(
            Line(
                f"ln_{src}_{hid}",
                src,
                hid,
                230.0,
                round(_rng(hid).uniform(30, 250), 1),
                1200.0 * n_hub,
            )
        )


def _distribution_rating(region: Region, substations: int, margin: float) -> float:
    """The smallest standard size that carries its share of the record peak with margin."""
    needed = region.load_share * DESIGN_PEAK_MW * 0.85 * margin / (2 * substations)
    return next((s for s in STANDARD_MVA if s >= needed), STANDARD_MVA[-1])


def hub_transformers(region: Region) -> int:
    return max(1, round(region.load_share * 12))


def _distribution(
    scale: int, subs: list[Substation], txs: list[Transformer], lines: list[Line]
) -> None:
    for region in REGIONS:
        count = max(2, round(region.load_share * DISTRIBUTION_PER_SCALE * scale))
        for i in range(count):
            did = f"ds_{region.id}_{i + 1:03d}"
            lat, lon = _near(region, did, 0.35 if region.id == "winnipeg" else 1.0)
            subs.append(
                Substation(
                    did, f"{region.name} DS {i + 1}", region.id, "distribution", 115.0, lat, lon
                )
            )
            mva = _distribution_rating(region, count, _rng(did).uniform(0.9, 1.3))
            for t in range(2):
                txs.append(
                    _transformer(f"{did}_t{t + 1}", did, mva, 115.0, 24.94, "ONAF", (1962, 2024))
                )
            lines.append(
                Line(
                    f"ln_hub_{region.id}_{did}",
                    f"hub_{region.id}",
                    did,
                    115.0,
                    round(_rng(did).uniform(3, 60), 1),
                    600.0,
                )
            )


def _points(
    subs: list[Substation],
    txs: list[Transformer],
    lines: list[Line],
    breakers: list[Breaker],
    interties: list[Intertie],
) -> tuple[list[Rtu], list[Point]]:
    rtus = [Rtu(f"rtu_{s.id}", s.id, SCAN_INTERVAL_S) for s in subs]
    points: list[Point] = []

    def add(rtu: str, asset: str, kind: str, spec: Iterator[tuple[str, str, float, float]]) -> None:
        for measurement, unit, low, high in spec:
            points.append(
                Point(
                    f"{asset}.{measurement}",
                    rtu,
                    asset,
                    kind,  # type: ignore[arg-type]
                    measurement,
                    unit,
                    low,
                    high,
                )
            )

    big = {t.id for t in txs if t.rating_mva >= 100}
    for s in subs:
        add(
            f"rtu_{s.id}",
            s.id,
            "substation",
            iter(
                [
                    ("voltage_kv", "kV", 0.0, s.voltage_kv * 1.2),
                    ("frequency_hz", "Hz", 59.0, 61.0),
                ]
            ),
        )
        if s.station:
            add(
                f"rtu_{s.id}", s.station, "station", iter([("active_power_mw", "MW", -5.0, 2000.0)])
            )
    for t in txs:
        spec = [
            ("load_mva", "MVA", 0.0, t.rating_mva * 2.0),
            ("ambient_temp_c", "degC", -50.0, 45.0),
            ("top_oil_temp_c", "degC", -50.0, 150.0),
            ("hot_spot_temp_c", "degC", -50.0, 200.0),
            ("tap_position", "step", -16.0, 16.0),
        ]
        if t.id in big:  # online DGA monitors on the large units
            spec += [
                (f"{gas}_ppm", "ppm", 0.0, 50_000.0)
                for gas in ("h2", "ch4", "c2h2", "c2h4", "c2h6", "co")
            ]
        add(f"rtu_{t.substation}", t.id, "transformer", iter(spec))
    for ln in lines:
        add(
            f"rtu_{ln.from_substation}",
            ln.id,
            "line",
            iter(
                [
                    ("current_a", "A", 0.0, ln.rating_a * 2.0),
                    ("active_power_mw", "MW", -5000.0, 5000.0),
                    ("reactive_power_mvar", "Mvar", -2000.0, 2000.0),
                    ("conductor_temp_c", "degC", -50.0, 150.0),
                ]
            ),
        )
    for b in breakers:
        add(
            f"rtu_{b.substation}",
            b.id,
            "breaker",
            iter(
                [
                    ("status", "closed", 0.0, 1.0),
                    ("operation_count", "count", 0.0, 1e7),
                ]
            ),
        )
    # The EMS's area loads (one per region, reported by its 230 kV hub's RTU) and the
    # metered tie-line flows (positive = export from Manitoba): what demand and
    # interchange are reported from, last so the equipment points keep their order.
    for region in REGIONS:
        high = round(DESIGN_PEAK_MW * region.load_share * 2, -1)
        add(f"rtu_hub_{region.id}", region.id, "region", iter([("load_mw", "MW", 0.0, high)]))
    for tie in interties:
        add(
            f"rtu_{tie.substation}",
            tie.id,
            "intertie",
            iter([("active_power_mw", "MW", -tie.import_mw * 1.5, tie.export_mw * 1.5)]),
        )
    return rtus, points


@lru_cache(maxsize=8)
def build_registry(scale: int = 1) -> Registry:
    """The whole grid at `scale` (1 = the province as modelled; N multiplies distribution)."""
    if scale < 1:
        raise ValueError(f"scale must be a positive integer, got {scale}")
    subs: list[Substation] = []
    txs: list[Transformer] = []
    lines: list[Line] = []
    _backbone(subs, txs, lines)
    _generation(subs, txs, lines)
    _distribution(scale, subs, txs, lines)
    breakers = [Breaker(f"cb_{t.id}", t.substation, t.id) for t in txs]
    breakers += [
        Breaker(f"cb_{ln.id}_{end}", sub, ln.id)
        for ln in lines
        if not ln.hvdc
        for end, sub in (("a", ln.from_substation), ("b", ln.to_substation))
    ]
    interties = [Intertie(*t) for t in INTERTIES]
    rtus, points = _points(subs, txs, lines, breakers, interties)
    return Registry(
        scale,
        REGIONS,
        STATIONS,
        tuple(subs),
        tuple(txs),
        tuple(lines),
        tuple(interties),
        tuple(breakers),
        tuple(rtus),
        tuple(points),
    )
