"""Every fault knob of the simulator, seen by the extractor and the gate the way a user would."""

from datetime import UTC, date, datetime

import pytest
import requests

from chargelake.lake import Lake
from expectations.gate import PartitionRef, validate_partition
from expectations.landed import landed_family, read_files
from extractors.common.errors import SourceError
from extractors.common.landing import load_to_landing
from extractors.ocpi import ocpi_source
from extractors.ocpi.helpers import OcpiClient, ocpi_datetime
from simulator.server import SimConfig, SimState
from tests.conftest import SIM_END, SIM_SEED, SIM_START, SIM_TOKEN, served

DAY = date(2026, 3, 30)
START, END = datetime(2026, 3, 30, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
PARAMS = {"date_from": ocpi_datetime(START), "date_to": ocpi_datetime(END), "offset": 0, "limit": 100}


def crawl(sim) -> list[dict]:
    client = OcpiClient(sim.versions_url, SIM_TOKEN)
    return [r for p in client.pages(client.negotiate().endpoints["sessions"], PARAMS) for r in p.records]


def gate_failures(tmp_path, sim, run_id: str) -> list[str]:
    lake = Lake(str(tmp_path / run_id))
    load_to_landing(ocpi_source(sim.versions_url, SIM_TOKEN, "k", START, END, modules=("sessions",)), lake, run_id)
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


def land_sessions(tmp_path, sim, run_id: str) -> tuple[Lake, dict, list[dict]]:
    lake = Lake(str(tmp_path / run_id))
    notes: dict = {}
    load_to_landing(
        ocpi_source(sim.versions_url, SIM_TOKEN, "k", START, END, modules=("sessions",), stats=notes), lake, run_id
    )
    rows = read_files(lake, landed_family(lake, run_id, "ocpi", "sessions")["sessions"]).to_pylist()
    return lake, notes, rows


def test_duplicate_across_pages_is_one_row_removed_before_the_gate_and_counted(tmp_path, simulator, faults):
    # The same object version served twice (offset paging while objects change) is one row; the gate's
    # uniqueness check stays for conflicting versions.
    faults([{"module": "sessions", "kind": "duplicate", "offset": 5}])
    lake, notes, rows = land_sessions(tmp_path, simulator, "dup")
    assert sorted(r["id"] for r in rows) == sorted(s["id"] for s in served("sessions", START, END))
    assert notes["sessions"]["duplicates_removed"] == 1
    outcome = validate_partition(PartitionRef(lake, "ocpi", "sessions", "dup", DAY, (START, END)))
    assert outcome.success, outcome.summary()


def test_objects_changing_mid_crawl_are_read_again_none_lost_none_twice(tmp_path, simulator, faults, clock):
    # The clock stands inside the window: while the client reads page 2, two hours pass; sessions start
    # and finish, X-Total-Count grows and offset paging would skip objects that moved.
    clock("2026-03-30T12:00:00Z")
    # At offset 20 the sessions that finish in those two hours have moved behind the offset: one crawl
    # would lose two of them (verified by running this test without the re-crawl).
    faults([{"module": "sessions", "kind": "advance_clock", "offset": 20, "minutes": 120}])
    _, notes, rows = land_sessions(tmp_path, simulator, "drift")
    assert notes["crawls"]["sessions"]["recrawls"] >= 1
    versions = [(r["id"], r["last_updated"]) for r in rows]
    assert len(versions) == len(set(versions))  # none twice
    cfg = SimConfig(
        seed=SIM_SEED, start=SIM_START, end=SIM_END, token=SIM_TOKEN, now=datetime(2026, 3, 30, 14, tzinfo=UTC)
    )
    final = SimState(cfg, cfg.build()).listing("sessions", START, END)
    expected = {(s["id"], datetime.fromisoformat(s["last_updated"].replace("Z", "+00:00"))) for s in final}
    assert expected <= set(versions)  # none lost: every object as it stands after the crawl
    assert len(set(versions)) > len(served("sessions", START, datetime(2026, 3, 30, 12, tzinfo=UTC)))


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
    load_to_landing(ocpi_source(simulator.versions_url, SIM_TOKEN, "k", START, END, modules=("sessions",)), lake, "n")
    outcome = validate_partition(PartitionRef(lake, "ocpi", "sessions", "n", DAY, (START, END)))
    assert outcome.success, outcome.summary()
    from expectations.landed import landed_family, read_files

    staged = read_files(lake, landed_family(lake, "n", "ocpi", "sessions")["sessions"]).to_pylist()
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
