"""Extract over HTTP, then the gate: publish, rerun (replace, never duplicate), quarantine."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.audit import read_publications
from expectations.gate import PublishRefusedError, gate_partition, publish_partition
from extractors.common.errors import SourceError
from extractors.ocpi.settings import MODULES
from orchestration.defs.ingest.assets import extract_day, ref_for
from orchestration.defs.ingest.sources import SOURCES
from tests.conftest import served, sim_settings

OCPI = SOURCES[0]


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    return Lake(str(tmp_path_factory.mktemp("lake")))


def window(day: date):
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def extract(lake, sim, run_id: str, day: date, refresh: bool = False):
    return extract_day(OCPI, sim_settings(sim, lake.url), lake, run_id, day.isoformat(), refresh)[0]


def ref(lake, run_id, day, table, load_id=None):
    return ref_for(OCPI, lake, run_id, day.isoformat(), table)


def partition_rows(lake, table, day):
    dt = DeltaTable(lake.raw("ocpi", table))
    return (
        dt.to_pyarrow_dataset()
        .to_table(filter=None)
        .filter(__import__("pyarrow.compute", fromlist=["x"]).field("partition_date") == day.isoformat())
        .num_rows
    )


def test_rerun_replaces_the_partition_and_history_shows_both_runs(lake, simulator):
    day = date(2026, 3, 28)
    first = extract(lake, simulator, "run-a", day)
    for t in MODULES:
        outcome, row = gate_partition(ref(lake, "run-a", day, t, first.load_id))
        assert outcome.success, outcome.summary()
        assert row["action"] == "publish"
    tables = ["sessions", "sessions__charging_periods", "sessions__charging_periods__dimensions", "cdrs"]
    before = {t: partition_rows(lake, t, day) for t in tables}
    assert before["sessions"] == len(served("sessions", *window(day))) > 0
    version = DeltaTable(lake.raw("ocpi", "sessions")).version()

    # The raw partition is edited behind the gate's back (a stand-in for a source that changed):
    # one session fewer. The next run finds different content and replaces the partition.
    from deltalake import write_deltalake

    from expectations.unchanged import read_partition

    stored = read_partition(lake, lake.raw("ocpi", "sessions"), day.isoformat())
    write_deltalake(
        lake.raw("ocpi", "sessions"), stored.slice(1), mode="overwrite", predicate=f"partition_date = '{day}'"
    )
    assert partition_rows(lake, "sessions", day) == before["sessions"] - 1

    second = extract(lake, simulator, "run-b", day, refresh=True)  # today's snapshot again, on purpose
    for t in MODULES:
        assert gate_partition(ref(lake, "run-b", day, t, second.load_id))[0].success
    after = {t: partition_rows(lake, t, day) for t in tables}
    assert after == before  # replaced, not appended

    dt = DeltaTable(lake.raw("ocpi", "sessions"))
    runs = [h.get("chargelake.run_id") for h in dt.history() if h.get("operation") == "WRITE"]
    assert runs[0] == "run-b" and "run-a" in runs and dt.version() == version + 2
    old = DeltaTable(lake.raw("ocpi", "sessions"), version=version).to_pyarrow_table()
    assert set(old.column("_run_id").to_pylist()) == {"run-a"}
    assert set(dt.to_pyarrow_table().column("_run_id").to_pylist()) == {"run-b"}

    audit = [r for r in read_publications(lake).to_pylist() if r["run_id"] in ("run-a", "run-b")]
    assert len(audit) == 2 * len(MODULES)
    # Only the sessions changed: run-b publishes them; every other module's content is unchanged.
    assert {r["table_name"]: r["action"] for r in audit if r["run_id"] == "run-b"} == {
        t: "publish" if t == "sessions" else "unchanged" for t in MODULES
    }
    sessions_row = next(r for r in audit if r["run_id"] == "run-b" and r["table_name"] == "sessions")
    assert sessions_row["load_id"] == second.load_id and sessions_row["rows"] == before["sessions"]
    assert all(len(f["sha256"]) == 64 for f in json.loads(sessions_row["file_checksums"]))
    notes = json.loads(sessions_row["extract_notes"])
    assert notes["api_version"] == "2.2.1" and notes["duplicates_removed"] == 0 and notes["rows"] == before["sessions"]
    tariffs_row = next(r for r in audit if r["run_id"] == "run-b" and r["table_name"] == "tariffs")
    assert tariffs_row["window_start"] is None and "snapshot_day" in json.loads(tariffs_row["extract_notes"])


def test_failed_validation_quarantines_and_leaves_raw_untouched(lake, simulator, faults):
    day = date(2026, 3, 29)
    extract(lake, simulator, "run-ok", day)
    assert gate_partition(ref(lake, "run-ok", day, "sessions"))[0].success
    dt = DeltaTable(lake.raw("ocpi", "sessions"))
    version, rows = dt.version(), dt.to_pyarrow_table().num_rows

    faults([{"module": "sessions", "kind": "negative_energy", "times": 1}])
    extract(lake, simulator, "run-bad", day)
    bad = ref(lake, "run-bad", day, "sessions")
    outcome, row = gate_partition(bad)
    assert not outcome.success and row["action"] == "quarantine"
    assert any("kwh" in f and "between" in f.lower() for f in outcome.failures), outcome.failures
    first_id = served("sessions", *window(day))[0]["id"]
    assert any(first_id in f for f in outcome.failures), outcome.failures  # names the record

    dt = DeltaTable(lake.raw("ocpi", "sessions"))
    assert (dt.version(), dt.to_pyarrow_table().num_rows) == (version, rows)
    fs = lake.filesystem()
    quarantined = lake.quarantine("run-bad", "ocpi", "sessions")
    assert fs.glob(f"{quarantined}/sessions/*.parquet") and fs.exists(f"{quarantined}/validation.json")
    assert not fs.glob(f"{lake.landing('run-bad', 'ocpi', 'sessions')}/*.parquet")
    with pytest.raises(PublishRefusedError):
        publish_partition(bad)
    audit = [r for r in read_publications(lake).to_pylist() if r["run_id"] == "run-bad"]
    assert len(audit) == 1 and audit[0]["validation_success"] is False and audit[0]["location"] == quarantined
    # GE's Data Docs page of the failed validation, beside its JSON result, for a person to read
    docs = audit[0]["validation_result_path"].removesuffix(".json") + ".html"
    with fs.open(docs, "r") as fh:
        page = fh.read()
    assert "Data documentation compiled by Great Expectations" in page and "ocpi.sessions" in page
    assert "expect_column_values_to_be_between" in page or "values must be greater than or equal" in page


def test_record_without_id_stops_the_extraction_naming_the_page(lake, simulator, faults):
    faults([{"module": "tokens", "kind": "missing_id", "times": 1}])
    with pytest.raises(SourceError, match=r"tokens record #0 of the page has no 'uid'.*tokens"):
        extract(lake, simulator, "run-noid", date(2026, 3, 27), refresh=True)
