"""Grid carbon intensity per zone, hour by hour, calibrated to the documented annual factors.

Intensity = annual factor x seasonal swing (higher in the local winter) x diurnal shape (solar dip at
midday, evening peak) x deterministic noise, normalised so that each calendar year's hourly mean
equals the latest Scope 2 location-based factor in `dbt_project/seeds/emission_factors.csv`, the
same table the marts use.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from simulator.rng import derived_rng

FACTORS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "emission_factors.csv"
ZONE_TIME = {"NL": "Europe/Amsterdam", "GB": "Europe/London", "DE": "Europe/Berlin", "AU-NSW": "Australia/Sydney"}
SOUTHERN = {"AU-NSW"}


@dataclass(frozen=True)
class ZoneFactor:
    zone: str
    year: int
    gco2e_per_kwh: float
    source: str


@cache
def documented_factors() -> dict[str, ZoneFactor]:
    """Latest documented Scope 2 location-based factor per zone."""
    out: dict[str, ZoneFactor] = {}
    with FACTORS.open() as fh:
        for row in csv.DictReader(fh):
            if row["method"] != "location_based_grid_average":
                continue
            f = ZoneFactor(row["grid_zone"], int(row["year"]), float(row["gco2e_per_kwh"]), row["publication"])
            if f.zone not in out or f.year > out[f.zone].year:
                out[f.zone] = f
    return out


def _raw(zone: str, hour: datetime, seed: int) -> float:
    local = hour.astimezone(ZoneInfo(ZONE_TIME.get(zone, "UTC")))
    doy = local.timetuple().tm_yday
    winter_peak = 196 if zone in SOUTHERN else 15
    seasonal = 1 + 0.15 * math.cos(2 * math.pi * (doy - winter_peak) / 365.25)
    h = local.hour + 0.5
    diurnal = 1 + 0.10 * math.cos(2 * math.pi * (h - 19) / 24) - 0.12 * math.exp(-((h - 13) ** 2) / 8)
    noise = derived_rng(seed, "carbon", zone, hour.isoformat()).lognormvariate(0, 0.07)
    return seasonal * diurnal * noise


@cache
def _year_scale(zone: str, year: int, seed: int) -> float:
    start = datetime(year, 1, 1, tzinfo=UTC)
    hours = int((datetime(year + 1, 1, 1, tzinfo=UTC) - start).total_seconds() // 3600)
    mean = sum(_raw(zone, start + timedelta(hours=i), seed) for i in range(hours)) / hours
    return documented_factors()[zone].gco2e_per_kwh / mean


def intensity(zone: str, hour: datetime, seed: int) -> float:
    """gCO2e/kWh of `zone` in the UTC hour starting at `hour` (truncated to the hour)."""
    hour = hour.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return _raw(zone, hour, seed) * _year_scale(zone, hour.year, seed)


def forecast(zone: str, t: datetime, seed: int) -> float:
    """A forecast made the day before: the actual value with a deterministic error of a few percent."""
    err = derived_rng(seed, "forecast", zone, t.isoformat()).gauss(0, 0.05)
    return intensity(zone, t, seed) * (1 + err)
