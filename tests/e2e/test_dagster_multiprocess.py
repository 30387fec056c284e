"""The production execution path: `ingest_daily` through Dagster's multiprocess executor (each step a
spawned process, as schedules and backfills run it), against the simulator, for a ranged run of two
days as a backfill launches it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.compute as pc
from deltalake import DeltaTable

from orchestration.defs.ingest.sources import SOURCES
from tests.conftest import SIM_TOKEN

ROOT = Path(__file__).resolve().parents[2]
DAYS = ["2026-03-27", "2026-03-28"]
RANGE = {"dagster/asset_partition_range_start": DAYS[0], "dagster/asset_partition_range_end": DAYS[-1]}


def test_a_ranged_run_through_the_multiprocess_executor(tmp_path, simulator):
    env = {
        **os.environ,
        "CHARGELAKE_LAKE_URL": str(tmp_path / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CHARGELAKE_OCPI_URL": simulator.versions_url,
        "CHARGELAKE_OCPI_TOKEN": SIM_TOKEN,
        "CHARGELAKE_TELEMETRY_URL": simulator.versions_url.replace("/ocpi/versions", "/telemetry/v1"),
        "CHARGELAKE_TELEMETRY_TOKEN": SIM_TOKEN,
        "CHARGELAKE_CARBON_ZONES": "GB,NL",
        "CHARGELAKE_CARBON_GB_URL": simulator.versions_url.replace("/ocpi/versions", "/carbon/gb"),
        "CHARGELAKE_CARBON_EM_URL": simulator.versions_url.replace("/ocpi/versions", "/carbon/em"),
        "CHARGELAKE_CARBON_EM_TOKEN": SIM_TOKEN,
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "CHARGELAKE_PSEUDONYM_KEY": "multiprocess-key-0123456789abcdef0123456789",
    }
    (tmp_path / "dagster").mkdir()
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.run(
        [
            str(dagster),
            "job",
            "execute",
            "-m",
            "orchestration.definitions",
            "-j",
            "ingest_daily",
            "--tags",
            json.dumps(RANGE),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "RUN_SUCCESS" in log, log[-4000:]
    assert "multiprocess" in log.lower()
    passed = re.findall(r"Asset check 'ge_gate' on 'landing/(\w+)/\w+' passed", log)
    # One blocking gate check per landed table of each source (as many as each source's tables).
    expected = [spec.name for spec in SOURCES for _ in spec.tables]
    assert sorted(passed) == sorted(expected) and len(expected) == 5 + 4 + 1
    run_id = re.search(r"ingest_daily - ([0-9a-f-]{36}) - ", log).group(1)
    sessions = DeltaTable(str(tmp_path / "lake" / "raw" / "ocpi" / "sessions"))
    for day in DAYS:  # each day published under its own batch id, one commit each
        rows = sessions.to_pyarrow_table().filter(pc.field("partition_date") == day)
        assert rows.num_rows > 0 and set(rows.column("_run_id").to_pylist()) == {f"{run_id}-{day}"}
        for source, table in (("telemetry", "meter_values"), ("carbon", "grid_intensity")):
            raw = DeltaTable(str(tmp_path / "lake" / "raw" / source / table)).to_pyarrow_table()
            assert raw.filter(pc.field("partition_date") == day).num_rows > 0, (table, day)
    commits = [h for h in sessions.history() if h.get("operation") == "WRITE"]
    assert len(commits) == len(DAYS)
