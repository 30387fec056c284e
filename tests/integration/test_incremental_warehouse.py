"""A daily build is incremental (it reads only partitions published since the last build) and
gives exactly what a full rebuild gives: two days, then two more with late telemetry arriving,
against `dbt build --full-refresh` of the same lake into another warehouse file."""

import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import SIM_TOKEN

ROOT = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
# Columns that say when a row was built, not what it holds.
BUILD_STAMPS = {"built_at_utc", "readings_built_at_utc", "segments_built_at_utc", "meter_built_at_utc"}


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )


def run(env: dict, *args: str) -> subprocess.CompletedProcess:
    proc = cli(env, "run", *args)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def rows(path: Path, schema: str, table: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        columns = [
            f'"{c}"'
            for (c, _t) in con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if c not in BUILD_STAMPS
        ]
        select = ", ".join(columns)
        return con.execute(f'select {select} from "{schema}"."{table}" order by all').fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory, simulator):
    root = tmp_path_factory.mktemp("incremental")
    env = {
        **os.environ,
        "CHARGELAKE_OCPI_URL": simulator.versions_url,
        "CHARGELAKE_OCPI_TOKEN": SIM_TOKEN,
        "CHARGELAKE_TELEMETRY_URL": simulator.versions_url.replace("/ocpi/versions", "/telemetry/v1"),
        "CHARGELAKE_TELEMETRY_TOKEN": SIM_TOKEN,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "incremental.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": "incremental-key-0123456789abcdef0123456789abcdef",
        "DAGSTER_HOME": str(root / "dagster"),
    }
    run(env, "2026-03-27", "2026-03-28")
    run(env, "2026-03-29", "2026-03-30")
    full = {**env, "CHARGELAKE_WAREHOUSE_PATH": str(root / "rebuilt.duckdb")}
    dbt = subprocess.run(
        [str(DBT), "build", "--full-refresh", "--quiet", "--target-path", str(root / "target")],
        env=full,
        capture_output=True,
        text=True,
        cwd=ROOT / "dbt_project",
    )
    assert dbt.returncode == 0, dbt.stdout[-3000:]
    return root, env


def test_a_build_after_the_last_one_reads_no_raw_partition(built):
    root, env = built
    con = duckdb.connect(str(root / "incremental.duckdb"), read_only=True)
    (days,) = con.execute("select count(distinct received_date) from staging.stg_telemetry__meter_values").fetchone()
    con.close()
    assert days >= 4
    # On a copy: compiling loads the lazily read sources, and only a build's hooks drop them again.
    shutil.copy(root / "incremental.duckdb", root / "compile.duckdb")
    env = {**env, "CHARGELAKE_WAREHOUSE_PATH": str(root / "compile.duckdb")}
    compiled = subprocess.run(
        [
            str(DBT),
            "compile",
            "--quiet",
            "-s",
            "stg_telemetry__meter_values",
            "stg_ocpi__cdrs",
            "--target-path",
            str(root / "t2"),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT / "dbt_project",
    )
    assert compiled.returncode == 0, compiled.stdout[-3000:]
    for model in ("telemetry/stg_telemetry__meter_values", "ocpi/stg_ocpi__cdrs"):
        sql = (root / "t2" / "compiled" / "chargelake" / "models" / "staging" / f"{model}.sql").read_text()
        assert "and partition_date in (null)" in sql, model  # every published partition is built


@pytest.mark.parametrize(
    ("schema", "table"),
    [
        ("staging", "stg_telemetry__meter_values"),
        ("staging", "stg_ocpi__cdrs"),
        ("intermediate", "int_telemetry__register_readings"),
        ("intermediate", "int_telemetry__register_segments"),
        ("intermediate", "int_telemetry__transactions"),
        ("intermediate", "int_finance__cdr_costs"),
        ("intermediate", "int_energy__meter_intervals"),
        ("intermediate", "int_finance__session_costs"),
        ("marts", "fct_meter_intervals"),
        ("marts", "fct_site_energy_daily"),
        ("marts", "fct_session_costs"),
        ("marts", "fct_session_reconciliation"),
        ("intermediate", "int_energy__session_intervals"),
        ("marts", "fct_session_emissions"),
        ("marts", "fct_evse_availability"),
        ("marts", "rpt_cost_allocation"),
        ("marts", "rpt_csrd_e1"),
        ("marts", "rpt_reconciliation"),
    ],
)
def test_incremental_build_equals_a_full_rebuild(built, schema, table):
    root, _ = built
    incremental = rows(root / "incremental.duckdb", schema, table)
    assert incremental, f"{schema}.{table} is empty"
    rebuilt = rows(root / "rebuilt.duckdb", schema, table)
    assert len(incremental) == len(rebuilt)
    for ours, theirs in zip(incremental, rebuilt, strict=True):
        assert len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs, strict=True)), (ours, theirs)


def same(a, b) -> bool:
    """Equal, except that sums of binary floats (energy) may differ in the last bits with the order
    rows were added in."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_builds_leave_no_working_tables_or_process_bound_views(built):
    root, _ = built
    con = duckdb.connect(str(root / "incremental.duckdb"), read_only=True)
    leftovers = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
        " where table_name like '%__dbt_backup' or table_name like '%__dbt_tmp%'"
        " or (table_schema like 'raw_%' and table_type = 'VIEW')"
    ).fetchall()
    assert leftovers == []


def test_a_bi_tool_holding_the_warehouse_open_neither_blocks_the_build_nor_sees_half_of_it(built):
    """DuckDB allows one writer: the build works on a copy and swaps it in, so a reader keeps its
    snapshot until it reconnects, and the next connection sees the new build whole."""
    root, env = built
    path = root / "incremental.duckdb"
    reader = duckdb.connect(str(path), read_only=True)
    try:
        (before,) = reader.execute("select count(*) from marts.fct_charging_sessions").fetchone()
        run(env, "2026-03-30", "2026-03-30", "--refresh-snapshots")  # would fail on a locked file
        (during,) = reader.execute("select count(*) from marts.fct_charging_sessions").fetchone()
        assert during == before  # the reader's file is the old one, intact
    finally:
        reader.close()
    fresh = duckdb.connect(str(path), read_only=True)
    try:
        assert fresh.execute("select count(*) from marts.fct_charging_sessions").fetchone()[0] >= before
    finally:
        fresh.close()
    assert not (root / ".building" / "incremental.duckdb").exists()


def test_rerunning_a_day_whose_sources_did_not_change_writes_nothing(built):
    """A rerun re-extracts and re-validates the day; finding the same content as the raw partitions
    hold, it records `unchanged` and adds no data file and no Delta version anywhere. (The derived
    zone then has nothing to redo either: tests/integration/test_derived.py, test_dbt_key.py.)"""
    from deltalake import DeltaTable

    from chargelake.lake import Lake
    from expectations.audit import read_publications

    root, env = built
    lake = root / "lake"

    def state():
        return {
            str(t.relative_to(lake)): (DeltaTable(str(t)).version(), sorted(p.name for p in t.rglob("*.parquet")))
            for t in [*lake.glob("raw/*/*"), *lake.glob("derived/*")]
        }

    before = state()
    run(env, "2026-03-29", "2026-03-29", "--no-marts")
    assert state() == before
    rows = [p for p in read_publications(Lake(str(root / "lake"))).to_pylist() if p["partition_date"] == "2026-03-29"]
    latest = {}
    for p in sorted(rows, key=lambda p: p["finished_at"]):
        if p["source"] != "derived":  # the warehouse build's derived tables: not re-published by a rerun
            latest[(p["source"], p["table_name"])] = p
    assert latest[("ocpi", "sessions")]["action"] == "unchanged"
    assert latest[("telemetry", "meter_values")]["action"] == "unchanged"
    assert {p["action"] for p in latest.values()} == {"unchanged"}
    # the unchanged row points at the Delta versions that hold the data
    published = [p for p in rows if p["action"] == "publish" and (p["source"], p["table_name"]) == ("ocpi", "cdrs")]
    assert latest[("ocpi", "cdrs")]["delta_versions"] == published[-1]["delta_versions"]


def test_lake_vacuum_lists_then_removes_only_what_is_superseded_or_old(built):
    """After a day was re-published, its old Delta files are superseded; landing folders of finished
    runs are old once their files are. A dry run lists them and removes nothing; --apply removes
    them, and every raw table still reads the same rows."""
    import time

    from deltalake import DeltaTable

    from chargelake.lake import Lake
    from expectations.audit import read_publications

    root, env = built
    lake = Lake(str(root / "lake"))
    old = time.time() - 3 * 86400
    for path in (root / "lake" / "landing").rglob("*"):
        os.utime(path, (old, old))
    # A re-publication with changes leaves the old files superseded: rewrite one day of one table.
    from deltalake import write_deltalake

    from expectations.unchanged import read_partition

    alarms = str(root / "lake" / "raw" / "telemetry" / "alarms")
    same = read_partition(lake, alarms, "2026-03-29")
    write_deltalake(alarms, same, mode="overwrite", predicate="partition_date = '2026-03-29'")
    counts = {t: DeltaTable(str(t)).to_pyarrow_dataset().count_rows() for t in (root / "lake" / "raw").glob("*/*")}
    publications = read_publications(lake).num_rows

    dry = cli(env, "lake", "vacuum", "--retain-days", "0")
    assert dry.returncode == 0, dry.stderr
    superseded = int(re.search(r"would remove (\d+) superseded files", dry.stdout)[1])
    runs = int(re.search(r"landing: would remove (\d+) run folders", dry.stdout)[1])
    assert superseded > 0 and runs >= 3 and "nothing was removed" in dry.stdout
    assert len(list((root / "lake" / "landing").iterdir())) >= runs

    applied = cli(env, "lake", "vacuum", "--retain-days", "0", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert f"removed {superseded} superseded files" in applied.stdout
    assert not any((root / "lake" / "landing").iterdir())
    assert {t: DeltaTable(str(t)).to_pyarrow_dataset().count_rows() for t in counts} == counts
    assert read_publications(lake).num_rows == publications  # the audit trail is never vacuumed
    again = cli(env, "lake", "vacuum", "--retain-days", "0")
    assert "would remove 0 superseded files" in again.stdout and "landing: would remove 0" in again.stdout
