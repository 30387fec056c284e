"""Grid carbon intensity from the simulator's GB Carbon Intensity and Electricity-Maps-style APIs,
through the gate into Delta."""

from datetime import UTC, date, datetime, timedelta

import pytest
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.gate import gate_partition
from extractors.carbon.helpers import EmClient, GbClient
from extractors.common.errors import SourceError
from orchestration.defs.ingest.assets import extract_day, ref_for
from orchestration.defs.ingest.sources import SOURCES
from simulator.carbon import intensity
from tests.conftest import SIM_SEED, SIM_TOKEN, sim_settings

CARBON = next(s for s in SOURCES if s.name == "carbon")
DAY = date(2026, 3, 30)
ZONES = ("GB", "GB-13", "NL", "AU-NSW", "US-MIDA-PJM")


def urls(sim) -> tuple[str, str]:
    base = sim.versions_url.replace("/ocpi/versions", "/carbon")
    return f"{base}/gb", f"{base}/em"


@pytest.fixture(scope="module")
def published(tmp_path_factory, simulator):
    lake = Lake(str(tmp_path_factory.mktemp("carbon")))
    gb, em = urls(simulator)
    settings = sim_settings(simulator, lake.url)
    settings = type(settings)(
        **{
            **settings.__dict__,
            "carbon_zones": ZONES,
            "carbon_gb_url": gb,
            "carbon_em_url": em,
            "carbon_em_token": SIM_TOKEN,
        }
    )
    _, notes = extract_day(CARBON, settings, lake, "carbon-1", DAY.isoformat())
    outcome, row = gate_partition(ref_for(CARBON, lake, "carbon-1", DAY.isoformat(), "grid_intensity"))
    assert outcome.success, outcome.summary()
    return lake, notes["grid_intensity"], row


def test_each_zone_has_its_periods(published):
    lake, notes, _ = published
    rows = DeltaTable(lake.raw("carbon", "grid_intensity")).to_pyarrow_table().to_pylist()
    per_zone = {z: [r for r in rows if r["zone"] == z] for z in ZONES}
    assert len(per_zone["GB"]) == len(per_zone["GB-13"]) == 48  # half-hourly
    assert len(per_zone["NL"]) == len(per_zone["AU-NSW"]) == 24  # hourly
    assert {r["partition_date"] for r in rows} == {DAY.isoformat()}
    assert {r["source"] for r in per_zone["GB-13"]} == {"gb_carbon_intensity_regional"}
    assert {r["kind"] for r in per_zone["GB-13"]} == {"forecast"} and per_zone["GB-13"][0]["region_name"] == "London"
    for r in per_zone["NL"]:
        assert r["gco2e_per_kwh"] == round(intensity("NL", r["period_start_at"], SIM_SEED))
    assert notes["rows_by_zone"] == {"GB": 48, "GB-13": 48, "NL": 24, "AU-NSW": 24}


def test_a_zone_without_data_is_a_note_not_a_failure(published):
    _, notes, row = published
    assert set(notes["zones_without_data"]) == {"US-MIDA-PJM"}
    assert "no intensity data for zone US-MIDA-PJM: HTTP 404" in notes["zones_without_data"]["US-MIDA-PJM"]
    assert row["action"] == "publish" and "US-MIDA-PJM" in row["extract_notes"]


def test_missing_actuals_are_kept_as_flagged_forecasts(simulator):
    gb, _ = urls(simulator)
    end = datetime(2026, 3, 31, tzinfo=UTC)  # the simulator's clock: periods before it are measured
    rows = list(GbClient(gb).rows("GB", end - timedelta(days=14), end))
    assert len(rows) == 14 * 48 and [r["period_start_at"] for r in rows] == sorted(r["period_start_at"] for r in rows)
    missing = [r for r in rows if r["kind"] == "forecast"]  # ~1% of readings never measured
    assert 0 < len(missing) < 20
    assert all(r["actual_gco2e_per_kwh"] is None and r["gco2e_per_kwh"] == r["forecast_gco2e_per_kwh"] for r in missing)
    later = list(GbClient(gb).rows("GB", end, end + timedelta(hours=6)))  # not measured yet
    assert len(later) == 12 and {r["kind"] for r in later} == {"forecast"}


def test_requests_are_chunked_to_the_api_limits(simulator):
    gb, em = urls(simulator)
    start = datetime(2026, 3, 1, tzinfo=UTC)  # 30 days: three GB requests (14 days), three EM (10 days)
    assert len(list(GbClient(gb).rows("GB", start, start + timedelta(days=30)))) == 30 * 48
    assert len(list(EmClient(em, SIM_TOKEN).rows("DE", start, start + timedelta(days=30)))) == 30 * 24


def test_unconfigured_source_and_refused_token(simulator, tmp_path):
    from extractors.carbon import carbon_source

    notes: dict = {}
    gb, em = urls(simulator)
    source = carbon_source(
        ("NL",), datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC), gb_url=gb, stats=notes
    )
    list(source.resources["grid_intensity"])
    assert notes["grid_intensity"]["zones_without_data"] == {"NL": "no intensity source for zone NL is configured"}
    with pytest.raises(SourceError, match="HTTP 401: the carbon-intensity token was refused"):
        list(EmClient(em, "wrong").rows("NL", datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)))
