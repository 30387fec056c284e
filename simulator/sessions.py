"""Charging sessions, generated lazily per EVSE and local day from a derived seed.

Usage follows the site's kind: workplace (weekday morning arrivals, long dwell), fleet depot
(evening arrivals, overnight) and public DC (short sessions all day). Energy is bounded by the EVSE,
the vehicle's acceptance and the battery; after charging ends the car may stay (parking time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from simulator.availability import blocks_start, outages_for_evse_day, throttle_for_site_day
from simulator.charging import ChargeCurve, build_curve
from simulator.costing import bounded_total, price_periods
from simulator.network import Evse, Network, Site, Token
from simulator.rng import derived_rng
from simulator.timefmt import iso

CORRECTION_RATE = 0.05
OVER_REPORT = 1.1  # a corrected CDR first reported 10% too much energy


@dataclass(frozen=True)
class SimSession:
    id: str
    site: Site
    evse: Evse
    connector_id: str
    token: Token
    start: datetime
    end: datetime
    curve: ChargeCurve
    battery_kwh: float
    start_soc: float  # 0..1
    periods: tuple[dict, ...]  # OCPI ChargingPeriods, volumes rounded as served
    tariff: dict
    corrected: bool = False  # the first CDR over-reports energy and is credited and replaced a day later

    @property
    def charge_end(self) -> datetime:
        return self.curve.end

    @property
    def kwh(self) -> float:
        return round(sum(_dim(p, "ENERGY") for p in self.periods), 3)

    def soc_at(self, t: datetime) -> float:
        return min(1.0, self.start_soc + self.curve.kwh_between(self.start, t) / self.battery_kwh)


def _dim(period: dict, kind: str) -> float:
    return sum(d["volume"] for d in period["dimensions"] if d["type"] == kind)


def _arrivals(kind: str, local_day: date, rng) -> list[tuple[float, float]]:
    """(arrival hour, dwell hours) in local time for one EVSE-day."""
    weekend = local_day.weekday() >= 5
    if kind == "workplace":
        n = rng.choice((0, 1)) if weekend else rng.choice((1, 1, 2))
        return [(rng.uniform(7.0, 10.0) + 5 * i, rng.uniform(2.5, 8.5) / (i + 1)) for i in range(n)]
    if kind == "depot":
        n = rng.choice((0, 1, 1)) if weekend else 1
        return [(rng.uniform(17.0, 20.5), rng.uniform(8.0, 12.0)) for _ in range(n)]
    n = rng.randint(2, 5) if weekend else rng.randint(3, 8)
    return sorted((rng.uniform(6.0, 23.5), rng.uniform(0.3, 1.0)) for _ in range(n))


def _boundaries(tariff: dict, start: datetime, end: datetime, tz: ZoneInfo) -> list[datetime]:
    """Local times at which a tariff element may switch: restriction start/end times and midnight."""
    marks = {"00:00"}
    for element in tariff["elements"]:
        r = element.get("restrictions") or {}
        marks.update(v for k, v in r.items() if k in ("start_time", "end_time"))
    out = []
    day = start.astimezone(tz).date()
    while datetime.combine(day, time(0), tz) < end:
        for m in marks:
            ts = datetime.combine(day, time(int(m[:2]), int(m[3:])), tz).astimezone(UTC)
            if start < ts < end:
                out.append(ts)
        day += timedelta(days=1)
    return sorted(out)


def _periods(start: datetime, end: datetime, curve: ChargeCurve, tariff: dict, tz: ZoneInfo) -> tuple[dict, ...]:
    cuts = sorted({start, curve.end, end, *_boundaries(tariff, start, end, tz)})
    periods = []
    for a, b in pairwise(cuts):
        hours = (b - a).total_seconds() / 3600
        if a < curve.end:
            dims = [
                {"type": "ENERGY", "volume": round(curve.kwh_between(a, b), 3)},
                {"type": "TIME", "volume": round(hours, 6)},
            ]
        else:
            dims = [{"type": "PARKING_TIME", "volume": round(hours, 6)}]
        periods.append({"start_date_time": iso(a), "dimensions": dims, "tariff_id": tariff["id"]})
    return tuple(periods)


CACHE_EVSE_DAYS = 5_000  # a day of the reference network touches ~2,000 (500 EVSEs x 4 local days)


def sessions_for_evse_day(network: Network, site: Site, evse: Evse, local_day: date) -> list[SimSession]:
    """The sessions starting on `local_day` at `evse` (memoised per network, bounded)."""
    key = ("sessions", evse.uid, local_day)
    cached = network.cache.get(key)
    if cached is not None:
        return cached
    out = generate_sessions(network, site, evse, local_day)
    network.cache[key] = out
    while len(network.cache) > CACHE_EVSE_DAYS:
        network.cache.popitem(last=False)
    return out


def generate_sessions(network: Network, site: Site, evse: Evse, local_day: date) -> list[SimSession]:
    """Uncached generation, for bulk passes (register catch-up) that would only churn the cache."""
    rng = derived_rng(network.seed, "sessions", evse.uid, local_day.isoformat())
    tz = ZoneInfo(site.template.time_zone)
    tariff = network.tariffs[evse.tariff_id]
    outages = [
        o for d in (local_day, local_day + timedelta(days=1)) for o in outages_for_evse_day(network, site, evse, d)
    ]
    throttle = throttle_for_site_day(network, site, local_day)
    out: list[SimSession] = []
    busy_until = datetime.combine(local_day, time(0), tz).astimezone(UTC)
    for n, (hour, dwell) in enumerate(_arrivals(site.template.kind, local_day, rng)):
        start = (datetime.combine(local_day, time(0), tz) + timedelta(hours=hour)).astimezone(UTC)
        start = start.replace(microsecond=0)
        pool = network.tokens_for(site.template.kind)
        token = pool[rng.randrange(len(pool))]
        battery = token.vehicle.battery_kwh
        start_soc = rng.uniform(0.1, 0.6)
        target = rng.uniform(0.8, 1.0)
        if evse.is_dc:
            power = min(evse.power_kw, token.vehicle.dc_kw)
            dwell = 3.0  # a DC driver leaves soon after charging stops; bounded below
        else:
            power = min(evse.power_kw, token.vehicle.ac_kw)
        latest = start + timedelta(hours=dwell)
        cap = (throttle.start, throttle.end, evse.power_kw * throttle.factor) if throttle else None
        curve = build_curve(start, latest, power, battery * (target - start_soc), battery, start_soc, evse.is_dc, cap)
        if not curve.segments:
            continue
        end = curve.end + timedelta(minutes=rng.choice((0, 0, 3, 9))) if evse.is_dc else latest.replace(microsecond=0)
        if start < busy_until or blocks_start(outages, start, end):
            continue
        if start < network.created_at or (network.ends_at and start >= network.ends_at):
            continue  # the simulated activity is bounded by the window
        busy_until = end + timedelta(minutes=5)
        out.append(
            SimSession(
                id=f"{evse.uid}-{local_day:%Y%m%d}-{n + 1}",
                site=site,
                evse=evse,
                connector_id=evse.connectors[rng.randrange(len(evse.connectors))].id,
                token=token,
                start=start,
                end=end,
                curve=curve,
                battery_kwh=round(battery, 1),
                start_soc=start_soc,
                periods=_periods(start, end, curve, tariff, tz),
                tariff=tariff,
                corrected=rng.random() < CORRECTION_RATE,
            )
        )
    return out


def over_reported(periods: tuple[dict, ...]) -> tuple[dict, ...]:
    """The periods of a faulty first CDR: energy inflated, everything else as measured."""
    return tuple(
        {
            **p,
            "dimensions": [
                {**d, "volume": round(d["volume"] * OVER_REPORT, 3)} if d["type"] == "ENERGY" else d
                for d in p["dimensions"]
            ],
        }
        for p in periods
    )


def session_cost(session: SimSession, periods: tuple[dict, ...] | None = None) -> dict:
    """CDR cost fields for `periods` (default: the true ones), rounded to cents as a CPO bills them."""
    cost = price_periods(session.tariff, list(periods or session.periods), session.site.template.time_zone)
    excl, incl = bounded_total(session.tariff, cost)
    out = {"total_cost": {"excl_vat": round(excl, 2), "incl_vat": round(incl, 2)}}
    for kind, name in (("FLAT", "fixed"), ("ENERGY", "energy"), ("TIME", "time"), ("PARKING_TIME", "parking")):
        d = cost.dimensions.get(kind)
        if d is not None:
            out[f"total_{name}_cost"] = {"excl_vat": round(d.excl_vat, 2), "incl_vat": round(d.incl_vat, 2)}
    return out


def sessions_between(network: Network, first: date, last: date) -> list[SimSession]:
    """All sessions of local days first..last (inclusive), in a stable order."""
    out = []
    for site, evse in network.evses():
        day = first
        while day <= last:
            out.extend(sessions_for_evse_day(network, site, evse, day))
            day += timedelta(days=1)
    return out
