"""Clients of the two intensity API shapes: the GB Carbon Intensity API (public, half-hourly) and
Electricity Maps (token header, hourly per zone). Each returns rows of the `grid_intensity` contract."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import requests

from extractors.carbon.settings import (
    EM_MAX_DAYS,
    GB_MAX_DAYS,
    GB_REGIONAL_PREFIX,
    SOURCE_EM,
    SOURCE_GB_NATIONAL,
    SOURCE_GB_REGIONAL,
)
from extractors.common.errors import SourceError
from extractors.common.http import get, json_body, retrying_session


class ZoneUnavailableError(SourceError):
    """The source has no data for this zone: a note for the run, not a failure of it."""


def _chunks(start: datetime, end: datetime, days: int) -> Iterator[tuple[datetime, datetime]]:
    while start < end:
        yield start, min(end, start + timedelta(days=days))
        start += timedelta(days=days)


def _fetch(session: requests.Session, url: str, params: dict | None, secret: str | None, zone: str) -> Any:
    resp = get(session, url, params, secret)
    body = json_body(resp, orjson.loads)
    if (resp.status_code in (400, 404) and "zone" in str(body).lower()) or resp.status_code == 404:
        raise ZoneUnavailableError(f"no intensity data for zone {zone}: HTTP {resp.status_code}", resp.url)
    if resp.status_code == 401:
        raise SourceError("HTTP 401: the carbon-intensity token was refused", resp.url)
    if resp.status_code != 200:
        message = (body.get("error") or {}).get("message") if isinstance(body.get("error"), dict) else body.get("error")
        raise SourceError(f"HTTP {resp.status_code}: {message or body.get('message') or resp.reason}", resp.url)
    return body, resp.url


def _ts(value: str) -> datetime:
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


class GbClient:
    """api.carbonintensity.org.uk shapes: `/intensity/{from}/{to}`, `/regional/intensity/{from}/{to}/regionid/{id}`."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.session = retrying_session({"Accept": "application/json"})

    def rows(self, zone: str, start: datetime, end: datetime) -> Iterator[dict]:
        regional = zone.startswith(GB_REGIONAL_PREFIX)
        for lo, hi in _chunks(start, end, GB_MAX_DAYS):
            span = f"{lo:%Y-%m-%dT%H:%MZ}/{hi:%Y-%m-%dT%H:%MZ}"
            if regional:
                url = f"{self.base}/regional/intensity/{span}/regionid/{zone.removeprefix(GB_REGIONAL_PREFIX)}"
            else:
                url = f"{self.base}/intensity/{span}"
            body, page = _fetch(self.session, url, None, None, zone)
            data = body.get("data")
            region_name = None
            if regional:
                region = data[0] if isinstance(data, list) else data
                region_name, data = region.get("shortname"), region.get("data")
            if not isinstance(data, list):
                raise SourceError("response has no 'data' list", page)
            for period in data:
                intensity = period.get("intensity") or {}
                actual, forecast = intensity.get("actual"), intensity.get("forecast")
                best = actual if actual is not None else forecast
                if best is None:
                    continue  # neither measured nor forecast: nothing to keep
                yield {
                    "zone": zone,
                    "source": SOURCE_GB_REGIONAL if regional else SOURCE_GB_NATIONAL,
                    "region_name": region_name,
                    "period_start_at": _ts(period["from"]),
                    "period_end_at": _ts(period["to"]),
                    # A period without a measured value keeps its forecast, flagged as such.
                    "kind": "actual" if actual is not None else "forecast",
                    "gco2e_per_kwh": float(best),
                    "actual_gco2e_per_kwh": None if actual is None else float(actual),
                    "forecast_gco2e_per_kwh": None if forecast is None else float(forecast),
                    "intensity_index": intensity.get("index"),
                }


class EmClient:
    """Electricity Maps v3 `carbon-intensity/past-range` (hourly, `auth-token` header)."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base = base_url.rstrip("/")
        self._token = token
        self.session = retrying_session({"auth-token": token})

    def rows(self, zone: str, start: datetime, end: datetime) -> Iterator[dict]:
        for lo, hi in _chunks(start, end, EM_MAX_DAYS):
            params = {
                "zone": zone,
                "start": lo.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end": hi.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            body, page = _fetch(self.session, f"{self.base}/v3/carbon-intensity/past-range", params, self._token, zone)
            if not isinstance(body.get("data"), list):
                raise SourceError("response has no 'data' list", page)
            for item in body["data"]:
                if item.get("carbonIntensity") is None:
                    continue
                start_at = _ts(item["datetime"])
                yield {
                    "zone": zone,
                    "source": SOURCE_EM,
                    "period_start_at": start_at,
                    "period_end_at": start_at + timedelta(hours=1),
                    "kind": "forecast" if item.get("isEstimated") else "actual",
                    "gco2e_per_kwh": float(item["carbonIntensity"]),
                    "actual_gco2e_per_kwh": None if item.get("isEstimated") else float(item["carbonIntensity"]),
                    "is_estimated": bool(item.get("isEstimated")),
                    "estimation_method": item.get("estimationMethod"),
                    "emission_factor_type": item.get("emissionFactorType"),
                    "updated_at": _ts(item["updatedAt"]) if item.get("updatedAt") else None,
                }
