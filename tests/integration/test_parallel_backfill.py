"""Days published concurrently by separate processes, as parallel backfill runs do, all land:
Delta commit races are retried, each day holds exactly its rows, each run finds its own commit."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pyarrow.compute as pc
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.audit import read_publications
from expectations.gate import PartitionRef, gate_partition
from extractors.common.landing import load_to_landing
from extractors.ocpi import ocpi_source
from tests.conftest import SIM_TOKEN, served

DAYS = [date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]


def window(day):
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def publish_day(lake_url: str, day: date) -> dict:
    lake = Lake(lake_url)
    _, row = gate_partition(PartitionRef(lake, "ocpi", "sessions", f"par-{day}", day, window(day)))
    return row


def test_parallel_days_all_publish_without_loss(tmp_path, simulator):
    lake = Lake(str(tmp_path / "lake"))
    for day in DAYS:
        source = ocpi_source(simulator.versions_url, SIM_TOKEN, "k", *window(day), modules=("sessions",))
        load_to_landing(source, lake, f"par-{day}")
    # spawn, as Dagster's multiprocess executor does: forking after deltalake's runtime started is unsafe
    with ProcessPoolExecutor(len(DAYS), mp_context=multiprocessing.get_context("spawn")) as pool:
        rows = list(pool.map(publish_day, [lake.url] * len(DAYS), DAYS))
    assert all(r["action"] == "publish" for r in rows)

    table = DeltaTable(lake.raw("ocpi", "sessions")).to_pyarrow_table()
    for day in DAYS:
        got = table.filter(pc.field("partition_date") == day.isoformat()).column("id").to_pylist()
        assert sorted(got) == sorted(s["id"] for s in served("sessions", *window(day)))
    versions = {r["run_id"]: r["delta_versions"] for r in rows}
    assert len({v for v in versions.values()}) == len(DAYS)  # each run recorded its own commit
    assert len(read_publications(lake).to_pylist()) == len(DAYS)
