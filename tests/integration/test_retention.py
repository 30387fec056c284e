"""Retention per zone, applied by `chargelake lake vacuum`: raw session and CDR partitions (and their
child tables) older than the zone's retention are listed on a dry run, deleted with --apply and
recorded in audit/retention; zones without a setting, and reference snapshots, are kept."""

from datetime import UTC, date, datetime

import pyarrow.parquet as pq
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.gate import gate_partition
from orchestration.defs.ingest.assets import extract_day, ref_for
from orchestration.defs.ingest.sources import SOURCES
from orchestration.housekeeping.vacuum import vacuum_lake
from tests.conftest import sim_settings

OCPI = SOURCES[0]
DAYS = ["2026-03-27", "2026-03-28", "2026-03-29"]


def days_in(lake: Lake, table: str) -> set[str]:
    dt = DeltaTable(lake.raw("ocpi", table))
    return set(dt.get_add_actions(flatten=True).column("partition.partition_date").to_pylist())


def test_sessions_older_than_their_retention_are_deleted_with_their_children(tmp_path, simulator, monkeypatch):
    lake = Lake(str(tmp_path / "lake"))
    for day in DAYS:
        extract_day(OCPI, sim_settings(simulator, lake.url), lake, f"ret-{day}", day)
        for table in ("sessions", "cdrs", *(("locations",) if day == DAYS[0] else ())):
            gate_partition(ref_for(OCPI, lake, f"ret-{day}", day, table))
    assert days_in(lake, "cdrs__charging_periods") == set(DAYS)
    keep_from = date(2026, 3, 29)
    monkeypatch.setenv("CHARGELAKE_RETENTION_SESSIONS_DAYS", str((datetime.now(UTC).date() - keep_from).days))
    monkeypatch.delenv("CHARGELAKE_RETENTION_TELEMETRY_DAYS", raising=False)

    dry = "\n".join(vacuum_lake(lake, 30).lines())
    assert "retention sessions" in dry and "would delete 2 partitions (2026-03-27 .. 2026-03-28)" in dry
    assert days_in(lake, "sessions") == set(DAYS)

    applied = "\n".join(vacuum_lake(lake, 30, apply=True).lines())
    assert "deleted 2 partitions" in applied
    for table in ("sessions", "cdrs", "cdrs__charging_periods", "cdrs__charging_periods__dimensions", "cdrs__tariffs"):
        assert days_in(lake, table) <= {"2026-03-29"}, table
    assert days_in(lake, "sessions") == {"2026-03-29"}
    assert days_in(lake, "locations")  # reference snapshots are kept
    audit = DeltaTable(lake.path("audit", "retention"))
    rows = [r for f in audit.file_uris() for r in pq.read_table(f).to_pylist()]
    assert len(rows) == 1 and rows[0]["zone"] == "sessions" and rows[0]["before_date"] == "2026-03-29"
    assert '"ocpi/sessions"' in rows[0]["table_rows"]
    # nothing left to do on a second run
    assert "would delete 0 partitions" in "\n".join(vacuum_lake(lake, 30).lines())
