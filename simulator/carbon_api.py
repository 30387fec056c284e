"""Two public carbon-intensity API shapes, served from `simulator.carbon`.

- GB Carbon Intensity API (`/carbon/gb/intensity/{from}/{to}`,
  `/carbon/gb/regional/intensity/{from}/{to}/regionid/{id}`): half-hourly, `actual` null for periods
  not yet measured (after the clock) and for a few missing readings, at most 14 days per request.
- Electricity-Maps-style (`/carbon/em/v3/carbon-intensity/past-range?zone&start&end`,
  `.../history?zone`): hourly per zone, `auth-token` header, at most 10 days per request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simulator.carbon import ZONE_TIME, documented_factors, forecast, intensity
from simulator.rng import derived_rng

GB_MAX = timedelta(days=14)
EM_MAX = timedelta(days=10)
GB_REGIONS = {13: ("UKPN London", "London")}
# Index bands (gCO2/kWh) used to label GB periods; an approximation of the published bands.
GB_BANDS = ((40, "very low"), (120, "low"), (200, "moderate"), (290, "high"))


class CarbonApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _parse(value: str) -> datetime:
    value = value.replace("Z", "+00:00")
    ts = datetime.fromisoformat(value)
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _gb_time(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def _index(value: float) -> str:
    return next((name for top, name in GB_BANDS if value < top), "very high")


def _periods(start: datetime, end: datetime, step: timedelta):
    t = start.replace(minute=0 if step >= timedelta(hours=1) else (start.minute // 30) * 30, second=0, microsecond=0)
    while t < end:
        yield t
        t += step


def gb_national(frm: str, to: str, now: datetime, seed: int) -> dict:
    start, end = _window(frm, to, GB_MAX, gb=True)
    data = []
    for t in _periods(start, end, timedelta(minutes=30)):
        value = intensity("GB", t, seed)
        missing = derived_rng(seed, "gb-missing", t.isoformat()).random() < 0.01
        actual = None if t + timedelta(minutes=30) > now or missing else round(value)
        data.append(
            {
                "from": _gb_time(t),
                "to": _gb_time(t + timedelta(minutes=30)),
                "intensity": {
                    "forecast": round(forecast("GB", t, seed)),
                    "actual": actual,
                    "index": _index(actual if actual is not None else forecast("GB", t, seed)),
                },
            }
        )
    return {"data": data}


def gb_regional(frm: str, to: str, region: int, seed: int) -> dict:
    if region not in GB_REGIONS:
        raise CarbonApiError(400, f"Invalid regionid {region}; this simulator serves {sorted(GB_REGIONS)}")
    start, end = _window(frm, to, GB_MAX, gb=True)
    dno, short = GB_REGIONS[region]
    data = [
        {
            "from": _gb_time(t),
            "to": _gb_time(t + timedelta(minutes=30)),
            "intensity": {"forecast": round(forecast("GB", t, seed)), "index": _index(forecast("GB", t, seed))},
        }
        for t in _periods(start, end, timedelta(minutes=30))
    ]
    return {"data": {"regionid": region, "dnoregion": dno, "shortname": short, "data": data}}


def _em_item(zone: str, t: datetime, seed: int) -> dict:
    return {
        "zone": zone,
        "carbonIntensity": round(intensity(zone, t, seed)),
        "datetime": t.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "updatedAt": (t + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "emissionFactorType": "direct",
        "isEstimated": False,
        "estimationMethod": None,
    }


def em_past_range(zone: str, start: str, end: str, now: datetime, seed: int) -> dict:
    _zone(zone)
    lo, hi = _window(start, end, EM_MAX)
    hi = min(hi, now.replace(minute=0, second=0, microsecond=0))
    return {"zone": zone, "data": [_em_item(zone, t, seed) for t in _periods(lo, hi, timedelta(hours=1))]}


def em_history(zone: str, now: datetime, seed: int) -> dict:
    _zone(zone)
    top = now.replace(minute=0, second=0, microsecond=0)
    return {"zone": zone, "history": [_em_item(zone, top - timedelta(hours=24 - i), seed) for i in range(24)]}


def _zone(zone: str) -> None:
    if zone not in documented_factors() or zone not in ZONE_TIME:
        served = sorted(z for z in documented_factors() if z in ZONE_TIME)
        raise CarbonApiError(404, f"Zone '{zone}' is not available (documented zones: {served})")


def _window(frm: str, to: str, limit: timedelta, gb: bool = False) -> tuple[datetime, datetime]:
    try:
        start, end = _parse(frm), _parse(to)
    except ValueError:
        raise CarbonApiError(400, f"Invalid datetime in {frm!r} / {to!r}; use ISO 8601 (YYYY-MM-DDThh:mmZ)") from None
    if end <= start:
        raise CarbonApiError(400, "'to' must be after 'from'")
    if end - start > limit:
        raise CarbonApiError(400, f"Maximum date range is {limit.days} days" + (" per request" if gb else ""))
    return start, end
