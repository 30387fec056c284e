"""`chargelake doctor`: one line per thing a run needs, against the simulator on loopback."""

import pytest

from orchestration.cli import main
from tests.conftest import SIM_TOKEN


@pytest.fixture
def env(tmp_path, monkeypatch, simulator):
    telemetry = simulator.versions_url.replace("/ocpi/versions", "/telemetry/v1")
    for key, value in {
        "CHARGELAKE_OCPI_URL": simulator.versions_url,
        "CHARGELAKE_OCPI_TOKEN": SIM_TOKEN,
        "CHARGELAKE_TELEMETRY_URL": telemetry,
        "CHARGELAKE_TELEMETRY_TOKEN": SIM_TOKEN,
        "CHARGELAKE_CARBON_ZONES": "GB,NL,CA-ON",
        "CHARGELAKE_CARBON_GB_URL": simulator.versions_url.replace("/ocpi/versions", "/carbon/gb"),
        "CHARGELAKE_CARBON_EM_URL": simulator.versions_url.replace("/ocpi/versions", "/carbon/em"),
        "CHARGELAKE_CARBON_EM_TOKEN": SIM_TOKEN,
        "CHARGELAKE_LAKE_URL": str(tmp_path / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": "a-doctor-test-key-of-thirty-two-chars!",
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def doctor(capsys) -> tuple[int, dict[str, str]]:
    code = main(["doctor"])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    verdicts = {}
    for line in out.out.splitlines():
        if line.startswith("  ["):
            verdict, rest = line[3:].split("]", 1)
            name = rest.strip().split(": ", 1)[0]
            verdicts[name] = (verdict.strip(), line)
    return code, verdicts


def test_a_configured_deployment_gets_a_verdict_per_source(env, capsys):
    code, verdicts = doctor(capsys)
    assert verdicts["config"][0] == "ok" and verdicts["pseudonyms"][0] == "ok"
    assert verdicts["lake"][0] == "ok" and verdicts["warehouse"][0] == "warn"  # not built yet
    assert verdicts["pseudonym keys"][0] == "ok"
    assert (
        verdicts["ocpi"][0] == "ok" and "OCPI 2.2.1" in verdicts["ocpi"][1] and "token accepted" in verdicts["ocpi"][1]
    )
    assert verdicts["telemetry"][0] == "ok"
    assert verdicts["carbon GB"][0] == "ok" and verdicts["carbon NL"][0] == "ok"
    # The simulator has no intensity API for Ontario: named, not a crash of the whole check.
    assert verdicts["carbon CA-ON"][0] == "FAIL" and "CA-ON" in verdicts["carbon CA-ON"][1]
    assert code == 1


@pytest.mark.parametrize(
    ("variable", "value", "check", "message"),
    [
        ("CHARGELAKE_OCPI_TOKEN", "wrong-token", "ocpi", "HTTP 401: the OCPI token was refused"),
        ("CHARGELAKE_OCPI_URL", "http://127.0.0.1:9/ocpi/versions", "ocpi", "cannot reach the host"),
        ("CHARGELAKE_TELEMETRY_TOKEN", "wrong-token", "telemetry", "HTTP 401: the telemetry token was refused"),
        ("CHARGELAKE_PSEUDONYM_KEY", "", "pseudonyms", "runs will refuse to start"),
    ],
)
def test_each_mistake_is_one_line_naming_what_is_wrong(env, capsys, monkeypatch, variable, value, check, message):
    monkeypatch.setenv("CHARGELAKE_CARBON_ZONES", "GB")
    monkeypatch.setenv(variable, value)
    code, verdicts = doctor(capsys)
    verdict, line = verdicts[check]
    assert verdict in ("FAIL", "warn") and message in line
    assert "wrong-token" not in line
    assert code == (1 if verdict == "FAIL" else 0)


def test_the_doctor_leaves_the_retry_policy_of_the_process_alone(env, capsys, monkeypatch):
    import os

    monkeypatch.delenv("RUNTIME__REQUEST_MAX_ATTEMPTS", raising=False)
    monkeypatch.setenv("CHARGELAKE_CARBON_ZONES", "GB")
    doctor(capsys)
    assert "RUNTIME__REQUEST_MAX_ATTEMPTS" not in os.environ


def test_ocpp_logs_are_listed_or_the_folder_is_named(env, capsys, monkeypatch):
    monkeypatch.setenv("CHARGELAKE_CARBON_ZONES", "GB")
    logs = env / "ocpp-logs" / "2026-03-28"
    logs.mkdir(parents=True)
    (logs / "CP-1.jsonl").write_text('{"charge_point_id": "CP-1", "message": [3, "u1", {}]}\n')
    (logs / "README.md").write_text("not a log")
    monkeypatch.setenv("CHARGELAKE_OCPP_LOG_URL", str(env / "ocpp-logs"))
    _, verdicts = doctor(capsys)
    verdict, line = verdicts["ocpp logs"]
    assert verdict == "ok" and "1 log files" in line and "days 2026-03-28..2026-03-28" in line
    monkeypatch.setenv("CHARGELAKE_OCPP_LOG_URL", str(env / "no-such-folder"))
    code, verdicts = doctor(capsys)
    verdict, line = verdicts["ocpp logs"]
    assert verdict == "FAIL" and "no-such-folder" in line and code == 1
