"""OCPP-J message logs as the telemetry transport: the simulator's logs of a day publish the same raw
rows as its telemetry API; reruns add nothing; a late file for an old day lands once; a bad line is
rejected with its file and line while the rest of the file is published; the same from S3 through
`chargelake run --source ocpp_logs` (moto_server)."""

import dataclasses
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest
from deltalake import DeltaTable

from chargelake.lake import Lake
from chargelake.pseudonymise import pseudonym
from expectations.audit import last_publication
from expectations.gate import gate_partition
from orchestration.defs.ingest.assets import extract_day, ref_for
from orchestration.defs.ingest.sources import SOURCES
from simulator.ocpp_logs import write_ocpp_logs
from simulator.server import SimConfig
from tests.conftest import SIM_END, SIM_SEED, SIM_START, SIM_TOKEN, sim_settings
from tests.integration.conftest import BUCKET, s3_client, storage

TELEMETRY = next(s for s in SOURCES if s.name == "telemetry")
DAY = date(2026, 3, 29)
MEASURED = [c.name for c in TELEMETRY.declared("meter_values")["meter_values"]]
ALARM_COLUMNS = ("charge_point_id", "connector_id", "occurred_at", "received_at", "status", "error_code")


def ingest(lake: Lake, settings, run_id: str, day: date = DAY) -> tuple[dict, dict]:
    """(extraction notes, the audit row each table's publication recorded)."""
    _, notes = extract_day(TELEMETRY, settings, lake, run_id, day.isoformat())
    recorded = {}
    for table in TELEMETRY.tables:
        outcome, recorded[table] = gate_partition(ref_for(TELEMETRY, lake, run_id, day.isoformat(), table))
        assert outcome.success, outcome.summary()
    return notes, recorded


def rows(lake_url: str, table: str, storage_options: dict | None = None) -> list[dict]:
    uri = f"{lake_url}/raw/telemetry/{table}"
    return DeltaTable(uri, storage_options=storage_options).to_pyarrow_table().to_pylist()


def measured(values: list[dict]) -> list[tuple]:
    """Meter values without what differs by run (run and load ids), in a stable order."""
    return sorted(tuple(v[c] for c in MEASURED) for v in values)


def status_changes(alarms: list[dict], versions: dict[str, str]) -> list[tuple]:
    """1.6 chargers' status notifications: what OCPP carries (2.0.1's statuses differ by design)."""
    return sorted(
        tuple(a[c] for c in ALARM_COLUMNS)
        for a in alarms
        if a["event_type"] == "StatusNotification" and versions[a["charge_point_id"]] == "1.6"
    )


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    out = tmp_path_factory.mktemp("ocpp-logs")
    network = SimConfig(seed=SIM_SEED, start=SIM_START, end=SIM_END, token=SIM_TOKEN).build()
    now = datetime.combine(SIM_END, datetime.min.time(), UTC)
    counts = write_ocpp_logs(network, timedelta(minutes=15), SIM_START, SIM_END, now, out)
    assert counts["files"] > 0
    return out


@pytest.fixture(scope="module")
def both(simulator, logs, tmp_path_factory):
    api = Lake(str(tmp_path_factory.mktemp("via-api")))
    ingest(api, sim_settings(simulator, api.url), "api-1")
    from_logs = Lake(str(tmp_path_factory.mktemp("via-logs")))
    settings = dataclasses.replace(sim_settings(simulator, from_logs.url), ocpp_log_url=str(logs))
    notes, _ = ingest(from_logs, settings, "logs-1")
    return api, from_logs, settings, notes


def test_a_day_from_the_logs_equals_the_day_from_the_api(both):
    api, from_logs, _, notes = both
    via_api = rows(api.url, "meter_values")
    assert via_api and measured(rows(from_logs.url, "meter_values")) == measured(via_api)
    versions = {c["id"]: c["ocpp_version"] for c in rows(api.url, "charge_points")}
    assert {v["ocpp_version"] for v in via_api} == {"1.6", "2.0.1"}
    api_status = status_changes(rows(api.url, "alarms"), versions)
    assert api_status and status_changes(rows(from_logs.url, "alarms"), versions) == api_status
    files = notes["meter_values"]["source_files"]
    assert files and all(f["md5"] and f["size"] > 0 for f in files)
    assert {f["file"].split("/")[-2] for f in files} == {"2026-03-28", "2026-03-29", "2026-03-30"}
    assert notes["meter_values"]["frames_not_stored"]["responses"] > 0
    publication = last_publication(from_logs, "telemetry", "meter_values", DAY.isoformat())
    assert json.loads(publication["extract_notes"])["source_files"] == files  # the audit names every file


def test_transaction_events_come_from_the_logs_with_pseudonymised_cards(both):
    api, from_logs, settings, notes = both
    events = rows(from_logs.url, "transactions")
    assert {e["action"] for e in events} == {"StartTransaction", "StopTransaction", "TransactionEvent"}
    network = SimConfig(seed=SIM_SEED, start=SIM_START, end=SIM_END, token=SIM_TOKEN).build()
    cards = {pseudonym(settings.pseudonym_key, t.uid) for t in network.tokens}
    assert {e["id_tag"] for e in events if e["id_tag"]} <= cards and any(e["id_tag"] for e in events)
    # 1.6 starts take their transaction id from the central system's answer: the meter values' ids
    metered = {(v["charge_point_id"], v["transaction_id"]) for v in rows(from_logs.url, "meter_values")}
    starts = [e for e in events if e["action"] == "StartTransaction"]
    assert starts and all((e["charge_point_id"], e["transaction_id"]) in metered for e in starts)
    assert all(e["meter_kwh"] is not None for e in events if e["ocpp_version"] == "1.6")
    # The telemetry API serves no transaction events: the table exists there, empty, with the reason noted.
    assert rows(api.url, "transactions") == []
    assert notes["transactions"]["rows"] == len(events)


def test_a_rerun_adds_nothing_and_a_late_file_lands_once(both, logs):
    _, from_logs, settings, _ = both
    before = rows(from_logs.url, "meter_values")
    _, recorded = ingest(from_logs, settings, "logs-2")
    assert recorded["meter_values"]["action"] == "unchanged" and recorded["alarms"]["action"] == "unchanged"
    assert len(rows(from_logs.url, "meter_values")) == len(before)

    message = {
        "connectorId": 1,
        "transactionId": 90001,
        "meterValue": [
            {
                "timestamp": "2026-03-29T06:00:00Z",
                "sampledValue": [
                    {"value": "1200.5"},
                    {"value": "3.2", "measurand": "Power.Active.Import", "unit": "kW"},
                ],
            }
        ],
    }
    late = [
        {
            "charge_point_id": "CP-LATE-1",
            "received_at": "2026-03-29T06:00:03Z",
            "message": [2, "late-1", "MeterValues", message],
        },
        b'{"charge_point_id": "CP-LATE-1", "received_at": "2026-03-29T06:00:04Z", "message": [2, "late-2"',
        {"charge_point_id": "CP-LATE-1", "received_at": "2026-03-29T06:00:03Z", "message": [3, "late-1", {}]},
    ]
    path = logs / DAY.isoformat() / "CP-LATE-1.jsonl"
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else orjson.dumps(x) for x in late) + b"\n")
    try:
        notes, recorded = ingest(from_logs, settings, "logs-3")
        assert recorded["meter_values"]["action"] == "publish"
        _, recorded = ingest(from_logs, settings, "logs-4")  # and once more: still once
        assert recorded["meter_values"]["action"] == "unchanged"
    finally:
        path.unlink()
    after = rows(from_logs.url, "meter_values")
    assert len(after) == len(before) + 2
    assert sorted(v["value_raw"] for v in after if v["charge_point_id"] == "CP-LATE-1") == ["1200.5", "3.2"]
    assert notes["meter_values"]["rejected_lines"] == 1
    (rejected,) = notes["meter_values"]["rejected_examples"]
    assert (rejected["file"], rejected["line"]) == (f"{DAY.isoformat()}/CP-LATE-1.jsonl", 2)
    quarantined = from_logs.filesystem().cat_file(
        from_logs.path("quarantine", "logs-3", "telemetry", "rejected_lines.jsonl")
    )
    (kept,) = [json.loads(line) for line in quarantined.splitlines()]
    assert (kept["file"], kept["line"]) == (f"{DAY.isoformat()}/CP-LATE-1.jsonl", 2) and "late-2" in kept["text"]


def test_the_cli_reads_logs_from_s3(s3_env, simulator, logs, both, tmp_path):
    api, *_ = both
    s3 = s3_client(s3_env)
    for file in logs.rglob("*.jsonl.gz"):
        s3.upload_file(str(file), BUCKET, f"ocpp/{file.relative_to(logs)}")
    env = {
        **os.environ,
        **s3_env,
        "CHARGELAKE_LAKE_URL": f"s3://{BUCKET}/lake",
        "CHARGELAKE_OCPP_LOG_URL": f"s3://{BUCKET}/ocpp",
        "CHARGELAKE_TELEMETRY_URL": simulator.versions_url.replace("/ocpi/versions", "/telemetry/v1"),
        "CHARGELAKE_TELEMETRY_TOKEN": SIM_TOKEN,
        "CHARGELAKE_PSEUDONYM_KEY": "test-key-for-the-ocpp-log-s3-run-0001",
        "CHARGELAKE_WAREHOUSE_PATH": str(tmp_path / "w.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster"),
    }
    env.pop("CHARGELAKE_OCPI_URL", None)
    cmd = [sys.executable, "-m", "orchestration.cli", "run", DAY.isoformat(), DAY.isoformat()]
    proc = subprocess.run([*cmd, "--source", "ocpp_logs", "--no-marts"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    on_s3 = rows(f"s3://{BUCKET}/lake", "meter_values", storage(s3_env))
    assert measured(on_s3) == measured(rows(api.url, "meter_values"))

    unset = {k: v for k, v in env.items() if k != "CHARGELAKE_OCPP_LOG_URL"}
    proc = subprocess.run([*cmd, "--source", "ocpp_logs"], env=unset, capture_output=True, text=True)
    assert proc.returncode == 2 and "CHARGELAKE_OCPP_LOG_URL" in proc.stderr and "Traceback" not in proc.stderr
