"""A process killed while publishing (SIGKILL, between the Delta commits of a table family) leaves
nothing partial visible to the warehouse, and a rerun of the day recovers it.

The gate commits a family's tables one by one, root first, and records the publication last: the
publication row is the commit point (dbt_project/macros/incremental.sql, `published_runs`)."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.compute as pc
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.audit import read_publications
from expectations.gate import gate_partition
from orchestration.defs.ingest.assets import extract_day, ref_for
from orchestration.defs.ingest.sources import SOURCES
from tests.conftest import sim_settings

ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
OCPI = SOURCES[0]
DAY = date(2026, 3, 28)

# Publishes cdrs for one landed run, killing its own process right after the first Delta commit.
KILLED_PUBLISHER = """
import os, signal, sys
import expectations.publish as publish
from chargelake.lake import Lake
from expectations.gate import publish_partition
from orchestration.defs.ingest.assets import ref_for
from orchestration.defs.ingest.sources import SOURCES

real = publish.write_deltalake

def write_then_die(*args, **kwargs):
    real(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)

publish.write_deltalake = write_then_die
publish_partition(ref_for(SOURCES[0], Lake(sys.argv[1]), sys.argv[2], sys.argv[3], "cdrs"))
"""


def land(lake: Lake, simulator, run_id: str, key: str = "test-key"):
    """Land the day; another pseudonym key gives other content, so publishing rewrites the family."""
    extract_day(OCPI, sim_settings(simulator, lake.url, key), lake, run_id, DAY.isoformat())
    return ref_for(OCPI, lake, run_id, DAY.isoformat(), "cdrs")


def build_staging(tmp_path: Path, lake: Lake) -> dict[str, list]:
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(tmp_path),
        "CHARGELAKE_LAKE_URL": lake.url,
        "CHARGELAKE_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": "test-key-0123456789abcdef0123456789abcdef",
    }
    models = ["stg_audit__publications", "stg_ocpi__cdrs", "stg_ocpi__cdr_charging_periods"]
    dbt = subprocess.run(
        [str(DBT), "run", "--quiet", "-s", *models, "--target-path", str(tmp_path / "target")],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT / "dbt_project",
    )
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True)
    try:
        cdrs = con.execute(
            "select run_id, raw_record_id from staging.stg_ocpi__cdrs where partition_date = ?", [DAY]
        ).fetchall()
        periods = con.execute(
            "select p.run_id, c.raw_record_id is null from staging.stg_ocpi__cdr_charging_periods p"
            " left join staging.stg_ocpi__cdrs c on c.raw_record_id = p.cdr_record_id where p.partition_date = ?",
            [DAY],
        ).fetchall()
    finally:
        con.close()
    return {"cdrs": cdrs, "periods": periods}


def test_a_publisher_killed_between_commits_leaves_nothing_partial_and_a_rerun_recovers(tmp_path, simulator):
    lake = Lake(str(tmp_path / "lake"))
    _, first = gate_partition(land(lake, simulator, "first"))
    assert first["action"] == "publish"
    # A re-extraction of the day whose content changed (so the family is rewritten) ...
    ref = land(lake, simulator, "killed", key="rotated-key")
    from expectations.gate import validate_partition

    assert validate_partition(ref).success
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_PUBLISHER, lake.url, "killed", DAY.isoformat()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -9, proc.stderr[-2000:]  # ... killed after the root table's commit
    runs = {p["run_id"] for p in read_publications(lake).to_pylist()}
    assert "killed" not in runs, "no publication row for the killed run"
    root = DeltaTable(lake.raw("ocpi", "cdrs")).to_pyarrow_table()
    in_lake = set(root.filter(pc.field("partition_date") == DAY.isoformat()).column("_run_id").to_pylist())
    assert in_lake == {"killed"}, "the root table was committed before the kill"
    child = DeltaTable(lake.raw("ocpi", "cdrs__charging_periods")).to_pyarrow_table()
    assert set(child.filter(pc.field("partition_date") == DAY.isoformat()).column("_run_id").to_pylist()) == {"first"}

    seen = build_staging(tmp_path, lake)
    assert not [r for r in seen["cdrs"] if r[0] == "killed"], "the unpublished run's rows are not read"
    assert not seen["cdrs"] or {r[0] for r in seen["cdrs"]} == {"first"}
    assert all(orphan for _, orphan in seen["periods"]), "left-over children join no CDR"

    _, rerun = gate_partition(land(lake, simulator, "rerun", key="rotated-key"))
    assert rerun["action"] == "publish"
    seen = build_staging(tmp_path, lake)
    ids = [r[1] for r in seen["cdrs"]]
    assert ids and len(ids) == len(set(ids)) and {r[0] for r in seen["cdrs"]} == {"rerun"}
    assert seen["periods"] and not any(orphan for _, orphan in seen["periods"])
    assert {r[0] for r in seen["periods"]} == {"rerun"}
