"""The whole pipeline on an S3 lake: a moto_server process on loopback stands in for S3 (its own
process: deltalake holds the GIL, which deadlocks a threaded in-process server)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from deltalake import DeltaTable

from tests.integration.conftest import BUCKET, s3_client, storage

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo_on_s3(s3_env, tmp_path_factory):
    root = tmp_path_factory.mktemp("s3demo")
    env = {
        **os.environ,
        **s3_env,
        "CHARGELAKE_LAKE_URL": f"s3://{BUCKET}/lake",
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "demo", "--days", "1", "--until", "2026-11-20"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    return proc


def test_demo_runs_end_to_end_on_s3(demo_on_s3):
    assert demo_on_s3.returncode == 0, demo_on_s3.stdout[-3000:] + demo_on_s3.stderr[-3000:]
    # 5 tables of the day (sessions, CDRs, meter values, alarms, grid intensity) and 4 snapshots.
    assert "9 published, 0 quarantined" in demo_on_s3.stdout
    assert "warehouse built" in demo_on_s3.stdout


def test_raw_audit_and_marts_live_in_the_bucket(demo_on_s3, s3_env):
    assert demo_on_s3.returncode == 0
    sessions = DeltaTable(f"s3://{BUCKET}/lake/raw/ocpi/sessions", storage_options=storage(s3_env))
    assert sessions.to_pyarrow_table().num_rows > 10
    assert any(h.get("chargelake.run_id") for h in sessions.history())
    audit = DeltaTable(f"s3://{BUCKET}/lake/audit/publications", storage_options=storage(s3_env)).to_pyarrow_table()
    assert set(audit.column("action").to_pylist()) == {"publish"}
    sources = audit.column("source").to_pylist()
    assert sum(s != "derived" for s in sources) == 9  # the gate's: 5 tables of the day and 4 snapshots
    derived = {t for s, t in zip(sources, audit.column("table_name").to_pylist(), strict=True) if s == "derived"}
    assert derived == {"cdr_signed_readings", "cost_centre_map"}  # the warehouse build's derived assets
    readings = DeltaTable(f"s3://{BUCKET}/lake/derived/cdr_signed_readings", storage_options=storage(s3_env))
    assert readings.to_pyarrow_table().num_rows > 0
    s3 = s3_client(s3_env)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="lake/marts/")["Contents"]]
    assert "lake/marts/restricted/fct_charging_sessions/fct_charging_sessions.parquet" in keys
    assert "lake/marts/shared/rpt_csrd_e1/rpt_csrd_e1.parquet" in keys
    landed = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="lake/landing/")["Contents"]]
    assert any(k.endswith(".parquet") for k in landed)


def _publish_on_s3(lake_url: str, env: dict, day: str) -> dict:
    """One publisher process (spawned, as Dagster's multiprocess executor runs steps)."""
    os.environ.update(env)
    from datetime import UTC, date, datetime, timedelta

    from chargelake.lake import Lake
    from expectations.gate import PartitionRef, gate_partition

    start = datetime.fromisoformat(day).replace(tzinfo=UTC)
    ref = PartitionRef(
        Lake(lake_url), "ocpi", "sessions", f"s3par-{day}", date.fromisoformat(day), (start, start + timedelta(days=1))
    )
    return gate_partition(ref)[1]


def test_concurrent_publishers_on_s3_commit_without_a_lock_and_lose_nothing(s3_env, simulator, monkeypatch):
    """Several processes publish days of the same table at once, with deltalake's conditional-write
    commits (no unsafe rename, no lock, no pool of one): every day lands with exactly its rows."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from datetime import UTC, datetime, timedelta

    import pyarrow.compute as pc

    from chargelake.lake import Lake
    from extractors.common.landing import load_to_landing
    from extractors.ocpi import ocpi_source
    from tests.conftest import SIM_TOKEN, served

    for key, value in s3_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CHARGELAKE_S3_UNSAFE_RENAME", raising=False)
    lake = Lake(f"s3://{BUCKET}/concurrent")
    assert "AWS_S3_ALLOW_UNSAFE_RENAME" not in lake.delta_storage_options()
    days = ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]
    windows = {}
    for day in days:
        start = datetime.fromisoformat(day).replace(tzinfo=UTC)
        windows[day] = (start, start + timedelta(days=1))
        source = ocpi_source(simulator.versions_url, SIM_TOKEN, "k", *windows[day], modules=("sessions",))
        load_to_landing(source, lake, f"s3par-{day}")
    with ProcessPoolExecutor(len(days), mp_context=multiprocessing.get_context("spawn")) as pool:
        rows = list(pool.map(_publish_on_s3, [lake.url] * len(days), [dict(s3_env)] * len(days), days))
    assert [r["action"] for r in rows] == ["publish"] * len(days)
    table = DeltaTable(lake.raw("ocpi", "sessions"), storage_options=storage(s3_env))
    data = table.to_pyarrow_table()
    for day in days:
        got = data.filter(pc.field("partition_date") == day).column("id").to_pylist()
        assert got and sorted(got) == sorted(s["id"] for s in served("sessions", *windows[day])), day
    writes = [h for h in table.history() if h.get("chargelake.run_id")]
    assert sorted(h["chargelake.run_id"] for h in writes) == sorted(f"s3par-{d}" for d in days)


def test_key_rotation_and_erasure_on_s3(demo_on_s3, s3_env, tmp_path):
    """The privacy commands on the S3 demo lake: the rotation re-keys every raw pseudonym and vacuums
    what it superseded; a card is then erased by its new pseudonym."""
    import pyarrow.compute as pc

    from chargelake.config import DEMO_PSEUDONYM_KEY
    from chargelake.pseudonymise import key_id

    assert demo_on_s3.returncode == 0
    new_key = "s3-rotated-key-0123456789abcdef0123456789abcdef"
    env = {
        **os.environ,
        **s3_env,
        "CHARGELAKE_LAKE_URL": f"s3://{BUCKET}/lake",
        "CHARGELAKE_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": new_key,
        "CHARGELAKE_PSEUDONYM_KEY_PREVIOUS": DEMO_PSEUDONYM_KEY,
    }

    def privacy(*args):
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "privacy", *args],
            env=env, capture_output=True, text=True, timeout=600, cwd=ROOT,
        )  # fmt: skip

    rotated = privacy("rotate-key", "--vacuum-now")
    assert rotated.returncode == 0 and "ocpi/sessions" in rotated.stdout, rotated.stderr[-3000:]
    status = privacy("key-status")
    assert "OLD" not in status.stdout and f"ocpi/cdrs: key {key_id(new_key)}" in status.stdout
    uri = f"s3://{BUCKET}/lake/raw/ocpi/sessions"
    sessions = DeltaTable(uri, storage_options=storage(s3_env)).to_pyarrow_table()
    uids = sessions.column("cdr_token__uid").drop_null()
    assert pc.all(pc.starts_with(uids, f"psn:{key_id(new_key)}:")).as_py()
    left = DeltaTable(uri, storage_options=storage(s3_env)).vacuum(
        retention_hours=0, dry_run=True, enforce_retention_duration=False
    )
    s3 = s3_client(s3_env)
    stored = {o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="lake/raw/ocpi/sessions/")["Contents"]}
    # The superseded (old-key) files are gone; Delta may still list their tombstones.
    assert not {f"lake/raw/ocpi/sessions/{f}" for f in left} & stored

    card = uids[0].as_py()
    erased = privacy("erase", "--token", card)
    assert erased.returncode == 0 and "ocpi/sessions" in erased.stdout, erased.stderr[-3000:]
    after = DeltaTable(uri, storage_options=storage(s3_env)).to_pyarrow_table()
    assert card not in after.column("cdr_token__uid").to_pylist() and after.num_rows < sessions.num_rows
