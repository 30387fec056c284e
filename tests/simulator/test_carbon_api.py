"""The simulator's carbon-intensity APIs: GB and Electricity-Maps shapes, calibrated to the seed."""

import csv
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from simulator.server import SimConfig, make_server

SEED_FILE = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "emission_factors.csv"
TOKEN = "carbon-test-token"


@pytest.fixture(scope="module")
def year_server():
    server = make_server(SimConfig(seed=9, start=date(2026, 1, 1), end=date(2027, 1, 1), token=TOKEN))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/carbon"
    server.shutdown()


def factors() -> dict[str, float]:
    with SEED_FILE.open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["method"] == "location_based_grid_average"]
    return {r["grid_zone"]: float(r["gco2e_per_kwh"]) for r in sorted(rows, key=lambda r: int(r["year"]))}


def em_year(base: str, zone: str) -> list[dict]:
    items, start = [], datetime(2026, 1, 1, tzinfo=UTC)
    while start.year == 2026:
        end = min(start + timedelta(days=10), datetime(2027, 1, 1, tzinfo=UTC))
        r = requests.get(
            f"{base}/em/v3/carbon-intensity/past-range",
            headers={"auth-token": TOKEN},
            timeout=30,
            params={"zone": zone, "start": start.isoformat(), "end": end.isoformat()},
        )
        assert r.status_code == 200, r.text
        items += r.json()["data"]
        start = end
    return items


@pytest.mark.parametrize("zone", ["NL", "DE", "AU-NSW"])
def test_annual_mean_matches_the_documented_factor(year_server, zone):
    items = em_year(year_server, zone)
    assert len(items) == 8760
    mean = sum(i["carbonIntensity"] for i in items) / len(items)
    assert mean == pytest.approx(factors()[zone], abs=0.6)  # values are served rounded to 1 g

    def local(i):
        return datetime.fromisoformat(i["datetime"].replace("Z", "+00:00")).astimezone(
            ZoneInfo({"NL": "Europe/Amsterdam", "DE": "Europe/Berlin", "AU-NSW": "Australia/Sydney"}[zone])
        )

    jan = [i["carbonIntensity"] for i in items if local(i).month == 1]
    jul = [i["carbonIntensity"] for i in items if local(i).month == 7]
    winter_higher = sum(jan) / len(jan) > sum(jul) / len(jul)
    assert winter_higher == (zone != "AU-NSW")  # the southern winter is in July
    noon = [i["carbonIntensity"] for i in items if local(i).hour == 13]
    evening = [i["carbonIntensity"] for i in items if local(i).hour == 19]
    assert sum(noon) < sum(evening)


def test_gb_national_half_hourly_with_null_actuals_after_the_clock(simulator):
    base = simulator.versions_url.replace("/ocpi/versions", "/carbon/gb")
    r = requests.get(f"{base}/intensity/2026-03-30T00:00Z/2026-04-01T00:00Z", timeout=30)
    data = r.json()["data"]
    assert r.status_code == 200 and len(data) == 96
    assert data[0]["from"] == "2026-03-30T00:00Z" and data[0]["to"] == "2026-03-30T00:30Z"
    past = [d for d in data if d["to"] <= "2026-03-31T00:00Z"]
    future = [d for d in data if d["from"] >= "2026-03-31T00:00Z"]
    assert all(d["intensity"]["actual"] is None for d in future)
    assert sum(d["intensity"]["actual"] is not None for d in past) >= len(past) - 3
    assert {d["intensity"]["index"] for d in data} <= {"very low", "low", "moderate", "high", "very high"}


def test_gb_limits_and_regional_shape(simulator):
    base = simulator.versions_url.replace("/ocpi/versions", "/carbon/gb")
    r = requests.get(f"{base}/intensity/2026-03-01T00:00Z/2026-03-20T00:00Z", timeout=30)
    assert r.status_code == 400 and "14 days" in r.json()["error"]["message"]
    regional = requests.get(
        f"{base}/regional/intensity/2026-03-30T00:00Z/2026-03-30T02:00Z/regionid/13", timeout=30
    ).json()["data"]
    assert regional["shortname"] == "London" and len(regional["data"]) == 4
    assert "actual" not in regional["data"][0]["intensity"]


def test_em_needs_its_token_and_refuses_undocumented_zones(simulator):
    base = simulator.versions_url.replace("/ocpi/versions", "/carbon/em/v3/carbon-intensity")
    assert requests.get(f"{base}/history", params={"zone": "NL"}, timeout=30).status_code == 401
    auth = {"auth-token": "test-token-Zx81"}
    history = requests.get(f"{base}/history", params={"zone": "NL"}, headers=auth, timeout=30).json()["history"]
    assert len(history) == 24 and history[-1]["datetime"] == "2026-03-30T23:00:00.000Z"
    missing = requests.get(f"{base}/history", params={"zone": "US-MIDA-PJM"}, headers=auth, timeout=30)
    assert missing.status_code == 404 and "documented zones" in missing.json()["error"]
