"""Every fault knob of the simulator, seen by the extractor and the gate the way a user would."""

from datetime import UTC, date, datetime

import pytest
import requests

from chargelake.lake import Lake
from expectations.gate import PartitionRef, validate_partition
from extractors.common.errors import SourceError
from extractors.common.staging import load_to_staging
from extractors.ocpi import ocpi_source
from extractors.ocpi.helpers import OcpiClient, ocpi_datetime
from tests.conftest import SIM_TOKEN, served

DAY = date(2026, 3, 30)
START, END = datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
PARAMS = {"date_from": ocpi_datetime(START), "date_to": ocpi_datetime(END), "offset": 0, "limit": 100}


def crawl(sim) -> list[dict]:
    client = OcpiClient(sim.versions_url, SIM_TOKEN)
    return [r for p in client.pages(client.endpoints()["sessions"], PARAMS) for r in p.records]


def gate_failures(tmp_path, sim, run_id: str) -> list[str]:
    lake = Lake(str(tmp_path / run_id))
    load_to_staging(ocpi_source(sim.versions_url, SIM_TOKEN, "k", START, END, modules=("sessions",)), lake, run_id)
    outcome = validate_partition(PartitionRef(lake, "ocpi", "sessions", run_id, DAY, (START, END)))
    assert not outcome.success
    return outcome.failures


def test_truncated_json_is_reported_with_its_page(simulator, faults):
    faults([{"module": "sessions", "kind": "truncated_json", "offset": 5}])
    with pytest.raises(SourceError, match=r"not valid JSON.*offset=5"):
        crawl(simulator)


def test_link_to_another_host_is_refused(simulator, faults):
    faults([{"module": "sessions", "kind": "foreign_link", "offset": 0}])
    with pytest.raises(SourceError, match=r"another origin \(elsewhere\.invalid"):
        crawl(simulator)


def test_slow_page_is_still_read(simulator, faults):
    faults([{"module": "sessions", "kind": "slow", "delay_ms": 300, "offset": 5}])
    assert [r["id"] for r in crawl(simulator)] == [s["id"] for s in served("sessions", START, END)]


def test_duplicate_across_pages_is_caught_by_the_gate(tmp_path, simulator, faults):
    faults([{"module": "sessions", "kind": "duplicate", "offset": 5}])
    failures = gate_failures(tmp_path, simulator, "dup")
    assert any("compound_columns_to_be_unique" in f for f in failures)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("unknown_enum", "expect_column_values_to_be_in_set{'column': 'status'"),
        ("wh_in_kwh", "expect_column_values_to_be_between{'column': 'kwh', 'max_value': 1000.0}"),
        ("negative_energy", "expect_column_values_to_be_between{'column': 'kwh', 'min_value': 0.0}"),
    ],
)
def test_malformed_records_are_caught_by_the_gate(tmp_path, simulator, faults, kind, expected):
    faults([{"module": "sessions", "kind": kind, "offset": 0}])
    failures = gate_failures(tmp_path, simulator, kind)
    assert any(f.startswith(expected) for f in failures), failures


def test_timestamp_without_offset_is_read_as_utc(tmp_path, simulator, faults):
    # OCPI DateTime: no time zone designator means UTC; such a record is valid and lands unchanged.
    faults([{"module": "sessions", "kind": "naive_timestamp", "offset": 0}])
    lake = Lake(str(tmp_path / "naive"))
    load_to_staging(ocpi_source(simulator.versions_url, SIM_TOKEN, "k", START, END, modules=("sessions",)), lake, "n")
    outcome = validate_partition(PartitionRef(lake, "ocpi", "sessions", "n", DAY, (START, END)))
    assert outcome.success, outcome.summary()
    from expectations.staged import read_files, staged_family

    staged = read_files(lake, staged_family(lake, "n", "ocpi", "sessions")["sessions"]).to_pylist()
    first = served("sessions", START, END)[0]
    got = next(r for r in staged if r["id"] == first["id"])
    assert got["last_updated"] == datetime.fromisoformat(first["last_updated"].replace("Z", "+00:00"))


def test_rate_limit_on_telemetry_is_retried_by_clients(simulator, faults):
    faults([{"module": "meter-values", "kind": "http_429", "times": 1}])
    url = simulator.versions_url.replace("/ocpi/versions", "/telemetry/v1/meter-values")
    params = {"from": "2026-03-30T00:00:00Z", "to": "2026-03-30T01:00:00Z"}
    first = requests.get(url, params=params, headers={"Authorization": f"Bearer {SIM_TOKEN}"}, timeout=10)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    again = requests.get(url, params=params, headers={"Authorization": f"Bearer {SIM_TOKEN}"}, timeout=10)
    assert again.status_code == 200
