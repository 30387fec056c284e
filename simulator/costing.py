"""OCPI 2.2.1 tariff costing: the price of a session from its charging periods.

Rules (mod_tariffs / mod_cdrs of the spec): each dimension looks up, per charging period, the first
tariff element whose restrictions hold and that prices that dimension; FLAT is looked up once, at the
start; `step_size` rounds the session total of ENERGY once, and of TIME/PARKING_TIME once (for the
kind the session ended in), at the price of the last component used; VAT is per component;
`min_price`/`max_price` bound the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from simulator.timefmt import parse_iso

DAY_NAMES = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]
STEP_UNIT = {"ENERGY": 1000.0, "TIME": 3600.0, "PARKING_TIME": 3600.0}  # steps per kWh / per hour


@dataclass
class _Context:
    local: datetime
    kwh_so_far: float
    seconds_so_far: float
    power_kw: float | None


@dataclass
class DimensionCost:
    volume: float = 0.0
    excl_vat: float = 0.0
    incl_vat: float = 0.0
    last_component: dict | None = None

    def add(self, volume: float, component: dict) -> None:
        cost = volume * component["price"]
        self.volume += volume
        self.excl_vat += cost
        self.incl_vat += cost * (1 + (component.get("vat") or 0.0) / 100)
        self.last_component = component


@dataclass
class SessionCost:
    dimensions: dict[str, DimensionCost] = field(default_factory=dict)

    def total(self) -> tuple[float, float]:
        return (
            sum(d.excl_vat for d in self.dimensions.values()),
            sum(d.incl_vat for d in self.dimensions.values()),
        )


def _hhmm(value: str) -> time:
    return time(int(value[:2]), int(value[3:5]))


def _restrictions_hold(r: dict | None, ctx: _Context) -> bool:
    if not r:
        return True
    if r.get("reservation"):
        return False
    t = ctx.local.time()
    if "start_time" in r or "end_time" in r:
        start = _hhmm(r.get("start_time", "00:00"))
        end = _hhmm(r.get("end_time", "00:00"))
        inside = (start <= t < end) if start < end else (t >= start or t < end)
        if not inside:
            return False
    day = ctx.local.date().isoformat()
    if "start_date" in r and day < r["start_date"]:
        return False
    if "end_date" in r and day >= r["end_date"]:
        return False
    if "day_of_week" in r and DAY_NAMES[ctx.local.weekday()] not in r["day_of_week"]:
        return False
    if "min_kwh" in r and ctx.kwh_so_far < r["min_kwh"]:
        return False
    if "max_kwh" in r and ctx.kwh_so_far >= r["max_kwh"]:
        return False
    if "min_duration" in r and ctx.seconds_so_far < r["min_duration"]:
        return False
    if "max_duration" in r and ctx.seconds_so_far >= r["max_duration"]:
        return False
    if ctx.power_kw is not None:
        if "min_power" in r and ctx.power_kw < r["min_power"]:
            return False
        if "max_power" in r and ctx.power_kw >= r["max_power"]:
            return False
    return True


def find_component(tariff: dict, kind: str, ctx: _Context) -> dict | None:
    for element in tariff["elements"]:
        if not _restrictions_hold(element.get("restrictions"), ctx):
            continue
        for comp in element["price_components"]:
            if comp["type"] == kind:
                return comp
    return None


def _apply_step(dim: DimensionCost, kind: str) -> None:
    comp = dim.last_component
    if not comp or comp.get("step_size", 1) <= 1:
        return
    steps = dim.volume * STEP_UNIT[kind]
    billed = math.ceil(round(steps, 6) / comp["step_size"]) * comp["step_size"]
    dim.add(billed / STEP_UNIT[kind] - dim.volume, comp)


def price_periods(tariff: dict, periods: list[dict], time_zone: str) -> SessionCost:
    """Cost of charging periods (OCPI `ChargingPeriod` dicts, volumes included) under `tariff`."""
    tz = ZoneInfo(time_zone)
    result = SessionCost()
    if not periods:
        return result
    session_start = parse_iso(periods[0]["start_date_time"])
    kwh = 0.0
    last_time_kind = None
    for period in periods:
        start = parse_iso(period["start_date_time"])
        dims = {d["type"]: d["volume"] for d in period["dimensions"]}
        power = dims.get("MAX_POWER") or dims.get("MIN_POWER")
        ctx = _Context(start.astimezone(tz), kwh, (start - session_start).total_seconds(), power)
        for kind in ("ENERGY", "TIME", "PARKING_TIME"):
            volume = dims.get(kind)
            if not volume:
                continue
            if kind != "ENERGY":
                last_time_kind = kind
            comp = find_component(tariff, kind, ctx)
            if comp is not None:
                result.dimensions.setdefault(kind, DimensionCost()).add(volume, comp)
        kwh += dims.get("ENERGY", 0.0)
    start_ctx = _Context(session_start.astimezone(tz), 0.0, 0.0, None)
    flat = find_component(tariff, "FLAT", start_ctx)
    if flat is not None:
        result.dimensions.setdefault("FLAT", DimensionCost()).add(1.0, flat)
    if "ENERGY" in result.dimensions:
        _apply_step(result.dimensions["ENERGY"], "ENERGY")
    if last_time_kind in result.dimensions:
        _apply_step(result.dimensions[last_time_kind], last_time_kind)
    return result


def bounded_total(tariff: dict, cost: SessionCost) -> tuple[float, float]:
    excl, incl = cost.total()
    lo, hi = tariff.get("min_price"), tariff.get("max_price")
    if lo and excl < lo["excl_vat"]:
        excl, incl = lo["excl_vat"], lo.get("incl_vat", lo["excl_vat"])
    if hi and excl > hi["excl_vat"]:
        excl, incl = hi["excl_vat"], hi.get("incl_vat", hi["excl_vat"])
    return excl, incl
