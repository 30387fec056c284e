"""The raw zone is a change log: as the CPMS clock moves, a session is extracted ACTIVE one day and
COMPLETED the next, and both versions are kept, each in the partition of its last_updated day."""

import base64
from datetime import UTC, date, datetime, timedelta

import pyarrow.compute as pc
import requests
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.gate import PartitionRef, gate_partition
from extractors.common.landing import load_to_landing
from extractors.ocpi import ocpi_source
from tests.conftest import SIM_TOKEN


def window(day: date):
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def ingest(lake, sim, run_id, day):
    load_to_landing(ocpi_source(sim.versions_url, SIM_TOKEN, "k", *window(day), modules=("sessions",)), lake, run_id)
    outcome, row = gate_partition(PartitionRef(lake, "ocpi", "sessions", run_id, day, window(day)))
    assert outcome.success, outcome.summary()
    return row


def test_active_then_completed_versions_are_both_kept(tmp_path, simulator, clock):
    lake = Lake(str(tmp_path / "lake"))
    clock("2026-03-27T23:30:00Z")  # a late run for Friday 03-27: the Newark depot is charging
    ingest(lake, simulator, "intraday", date(2026, 3, 27))
    clock("2026-03-29T02:00:00Z")  # the nightly run for 03-28: those sessions completed overnight
    ingest(lake, simulator, "nightly", date(2026, 3, 28))

    table = DeltaTable(lake.raw("ocpi", "sessions")).to_pyarrow_table()
    first = table.filter(pc.field("partition_date") == "2026-03-27")
    active = set(first.filter(pc.field("status") == "ACTIVE").column("id").to_pylist())
    assert active, "evening depot sessions are still charging"
    second = table.filter(pc.field("partition_date") == "2026-03-28")
    completed = set(second.filter(pc.field("status") == "COMPLETED").column("id").to_pylist())
    assert active & completed  # same session, two versions, two partitions
    rows = table.filter(pc.is_in(pc.field("id"), value_set=__import__("pyarrow").array(sorted(active & completed))))
    assert rows.num_rows == 2 * len(active & completed)


def test_total_count_grows_while_a_client_crawls(simulator, clock, faults):
    clock("2026-03-30T12:00:00Z")
    faults([{"module": "sessions", "kind": "advance_clock", "minutes": 360, "offset": 5}])
    headers = {"Authorization": "Token " + base64.b64encode(SIM_TOKEN.encode()).decode()}
    url = simulator.versions_url.replace("/ocpi/versions", "/ocpi/cpo/2.2.1/sessions")
    params = {"date_from": "2026-03-30T00:00:00Z", "date_to": "2026-03-31T00:00:00Z"}
    first = requests.get(url, params={**params, "offset": 0}, headers=headers, timeout=10)
    second = requests.get(url, params={**params, "offset": 5}, headers=headers, timeout=10)
    assert int(second.headers["X-Total-Count"]) > int(first.headers["X-Total-Count"])
