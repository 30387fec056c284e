"""`chargelake simulator truth` agrees with what the simulator serves (OCPI and telemetry)."""

import csv
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from tests.conftest import SIM_END, SIM_SEED, SIM_START, SIM_TOKEN, served


@pytest.fixture(scope="module")
def truth(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("truth")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.cli",
            "simulator",
            "truth",
            "--seed",
            str(SIM_SEED),
            "--start",
            SIM_START.isoformat(),
            "--end",
            SIM_END.isoformat(),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return out


def rows(path: Path) -> list[dict]:
    with path.open() as fh:
        return list(csv.DictReader(fh))


def test_truth_sessions_are_the_served_sessions(truth):
    window = (datetime(2026, 3, 27, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    served_kwh = {s["id"]: s["kwh"] for s in served("sessions", *window) if s["status"] == "COMPLETED"}
    true = {r["session_id"]: float(r["energy_kwh"]) for r in rows(truth / "sessions.csv")}
    assert set(served_kwh) <= set(true) and len(served_kwh) > 50
    for sid, kwh in served_kwh.items():
        assert kwh == pytest.approx(true[sid], abs=1e-3)


def test_energy_totals_agree_across_files(truth):
    summary = json.loads((truth / "summary.json").read_text())
    daily = sum(float(r["energy_kwh"]) for r in rows(truth / "site_daily_energy.csv"))
    hourly = sum(float(r["energy_kwh"]) for r in rows(truth / "zone_hourly_energy.csv"))
    assert daily == pytest.approx(summary["energy_kwh"], abs=0.01)
    assert hourly == pytest.approx(summary["energy_kwh"], abs=0.01)
    assert summary["billed_energy_kwh"] == pytest.approx(summary["energy_kwh"], rel=1e-3)


def test_outages_match_the_alarms_served(truth, simulator):
    url = simulator.versions_url.replace("/ocpi/versions", "/telemetry/v1/alarms")
    events, cursor = [], None
    while True:
        params = {"from": f"{SIM_START}T00:00:00Z", "to": f"{SIM_END}T00:00:00Z", "limit": 5000}
        body = requests.get(
            url,
            params={**params, **({"cursor": cursor} if cursor else {})},
            headers={"Authorization": f"Bearer {SIM_TOKEN}"},
            timeout=30,
        ).json()
        events += body["items"]
        if not (cursor := body["next_cursor"]):
            break
    served_starts = Counter(
        e["status"] or e["event_type"]
        for e in events
        if e["status"] in ("Faulted", "Unavailable") or e["event_type"] == "ConnectionLost"
    )
    true_starts = Counter(
        {"Offline": "ConnectionLost"}.get(r["kind"], r["kind"]) for r in rows(truth / "evse_outages.csv")
    )
    assert served_starts == true_starts and sum(true_starts.values()) > 0


def test_outage_minutes_per_evse_add_up(truth):
    detail: dict[tuple[str, str], float] = {}
    for r in rows(truth / "evse_outages.csv"):
        detail[(r["evse_uid"], r["kind"])] = detail.get((r["evse_uid"], r["kind"]), 0.0) + float(r["minutes"])
    totals = {(r["evse_uid"], r["kind"]): float(r["minutes"]) for r in rows(truth / "evse_outage_minutes.csv")}
    assert totals.keys() == detail.keys() and totals
    for key, minutes in totals.items():
        assert minutes == pytest.approx(detail[key], abs=0.1)
