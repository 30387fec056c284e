"""A ranged run (one Dagster run for several days, as backfills launch them) still gates and publishes
each day on its own: one Delta commit per table and day, a batch id per day, and a day the gate
quarantines does not hold back the days that passed."""

import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.audit import read_publications
from orchestration.cli.pipeline import run_pipeline
from tests.conftest import SIM_TOKEN

DAYS = ["2026-03-27", "2026-03-28", "2026-03-29"]


@pytest.fixture
def lake(tmp_path, monkeypatch, simulator):
    for key, value in {
        "CHARGELAKE_OCPI_URL": simulator.versions_url,
        "CHARGELAKE_OCPI_TOKEN": SIM_TOKEN,
        "CHARGELAKE_LAKE_URL": str(tmp_path / "lake"),
        "CHARGELAKE_PSEUDONYM_KEY": "ranged-key-0123456789abcdef0123456789abcdef",
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }.items():
        monkeypatch.setenv(key, value)
    return Lake(str(tmp_path / "lake"))


def sessions_publications(lake: Lake) -> list[dict]:
    return [
        p
        for p in read_publications(lake).to_pylist()
        if (p["source"], p["table_name"]) == ("ocpi", "sessions") and p["partition_date"] in DAYS
    ]


def test_a_ranged_run_publishes_each_day_and_quarantines_only_the_bad_one(lake, faults):
    from dagster import DagsterInstance

    # The first sessions page the run asks for (the first day's) carries a negative energy.
    faults([{"module": "sessions", "kind": "negative_energy", "times": 1}])
    lines: list[str] = []
    with DagsterInstance.ephemeral() as instance:
        result = run_pipeline(
            DAYS, instance, build_marts=False, progress=lines.append, sources=["ocpi"], days_per_run=3
        )
    assert len({d.run_id for d in result.days}) == 1, "one run for the range"
    assert [d.failed_checks for d in result.days] == [["sessions"], [], []], lines
    assert lines == [lines[0]] and lines[0].startswith("  [3/3] 2026-03-27..2026-03-29"), lines
    assert "quarantined: 2026-03-27 sessions" in lines[0]

    pubs = sessions_publications(lake)
    by_day = {p["partition_date"]: p for p in pubs}
    assert sorted(by_day) == DAYS and len(pubs) == 3
    assert by_day["2026-03-27"]["action"] == "quarantine"
    run_id = result.days[0].run_id
    for day in DAYS:  # each day is its own batch, traceable to the one Dagster run
        assert by_day[day]["run_id"] == f"{run_id}-{day}"
    versions = [by_day[d]["delta_versions"] for d in DAYS[1:]]
    assert len(set(versions)) == 2, "one Delta commit per day"
    raw = DeltaTable(lake.raw("ocpi", "sessions")).to_pyarrow_table()
    days_in_raw = set(raw.column("partition_date").to_pylist())
    assert days_in_raw == {"2026-03-28", "2026-03-29"}
    for day in DAYS[1:]:
        ids = raw.filter(pc.field("partition_date") == day).column("id").to_pylist()
        assert ids and len(ids) == len(set(ids))

    # The rerun of the range brings the quarantined day in; the others are recorded unchanged.
    with DagsterInstance.ephemeral() as instance:
        again = run_pipeline(DAYS, instance, build_marts=False, progress=lines.append, sources=["ocpi"], days_per_run=3)
    assert all(d.success and not d.failed_checks for d in again.days)
    latest = {
        p["partition_date"]: p["action"] for p in sorted(sessions_publications(lake), key=lambda p: p["finished_at"])
    }
    assert latest == {"2026-03-27": "publish", "2026-03-28": "unchanged", "2026-03-29": "unchanged"}
