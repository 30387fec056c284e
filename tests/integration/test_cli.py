"""Every mistake a new user makes gets one sentence and a non-zero exit, never a traceback; the
details go to a log file the sentence names."""

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chargelake.lake import Lake
from orchestration.cli import main
from tests.conftest import SIM_TOKEN

ROOT = Path(__file__).resolve().parents[2]
DAY = "2026-03-28"


@pytest.fixture
def env(tmp_path, monkeypatch, simulator):
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "CHARGELAKE_OCPI_URL": simulator.versions_url,
        "CHARGELAKE_OCPI_TOKEN": SIM_TOKEN,
        "CHARGELAKE_LAKE_URL": str(tmp_path / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": "cli-key-0123456789abcdef0123456789abcdef",
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "RUNTIME__REQUEST_MAX_ATTEMPTS": "1",
    }.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def run_cli(capsys, *args: str) -> tuple[int, str]:
    try:
        code = main(["run", *args])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip()


def one_sentence(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("chargelake")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026-13-02", DAY), r"'2026-13-02' is not a date \(YYYY-MM-DD\)"),
        (("2026-03-05", "2026-03-01"), r"the range 2026-03-05\.\.2026-03-01 is reversed"),
        (
            ("2016-12-30", "2016-12-31"),
            r"2016-12-30 is before the first partition \(2017-01-01\); set CHARGELAKE_PARTITIONS_START",
        ),
        (("2999-01-01", "2999-01-01"), r"2999-01-01 has not ended yet \(UTC\): the last day that can be run is"),
    ],
)
def test_bad_days_are_explained(env, capsys, args, message):
    code, err = run_cli(capsys, *args)
    assert code == 2 and re.search(message, one_sentence(err)), err


def test_today_is_not_a_partition_yet(env, capsys):
    today = datetime.now(UTC).date().isoformat()
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    code, err = run_cli(capsys, today, today)
    assert code == 2 and f"the last day that can be run is {yesterday}" in err


def test_missing_ocpi_settings(env, capsys, monkeypatch):
    monkeypatch.delenv("CHARGELAKE_OCPI_URL")
    code, err = run_cli(capsys, DAY, DAY)
    assert code == 2 and "set CHARGELAKE_OCPI_URL and CHARGELAKE_OCPI_TOKEN" in one_sentence(err)


def test_lake_not_writable(env, capsys, monkeypatch):
    (env / "a-file").write_text("")
    monkeypatch.setenv("CHARGELAKE_LAKE_URL", str(env / "a-file" / "lake"))
    code, err = run_cli(capsys, DAY, DAY)
    assert code == 2 and re.search(r"the lake at .*a-file/lake is not writable \(", one_sentence(err)), err


def test_refused_token(env, capsys, monkeypatch):
    monkeypatch.setenv("CHARGELAKE_OCPI_TOKEN", "not-the-token")
    code, err = run_cli(capsys, DAY, DAY, "--no-marts")
    line = one_sentence(err)
    assert code == 1 and f"{DAY}: HTTP 401: the OCPI token was refused" in line
    assert "not-the-token" not in line
    log = Path(re.search(r"details: (\S+)\)$", line).group(1))
    assert "Traceback" in log.read_text() or "SourceError" in log.read_text()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:9/ocpi/versions", "cannot reach the host (Connection refused)"),
        ("https://{host}/ocpi/versions", "TLS failed ("),
    ],
)
def test_unreachable_host_and_tls(env, capsys, monkeypatch, simulator, url, message):
    monkeypatch.setenv("CHARGELAKE_OCPI_URL", url.format(host=simulator.versions_url.split("/")[2]))
    code, err = run_cli(capsys, DAY, DAY, "--no-marts")
    assert code == 1 and message in one_sentence(err), err


def test_bad_setting_values(env, capsys, monkeypatch):
    monkeypatch.setenv("CHARGELAKE_OCPI_PARTY", "Netherlands")
    code, err = run_cli(capsys, DAY, DAY)
    assert code == 2 and "CHARGELAKE_OCPI_PARTY must look like NL*ABC" in one_sentence(err)


def test_warehouse_without_data_says_so(tmp_path):
    from orchestration.defs.warehouse.assets import NothingPublishedError, prepare_raw_zone

    with pytest.raises(NothingPublishedError, match=r"has no published data yet: run `chargelake run FIRST LAST`"):
        prepare_raw_zone(Lake(str(tmp_path / "empty")))


def test_run_needs_nothing_but_the_ocpi_settings_and_a_key(tmp_path, simulator):
    # No DAGSTER_HOME, no lake or warehouse path: the defaults under ./data are set up by the CLI.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "CHARGELAKE_"))}
    env.update(
        CHARGELAKE_OCPI_URL=simulator.versions_url,
        CHARGELAKE_OCPI_TOKEN=SIM_TOKEN,
        CHARGELAKE_PSEUDONYM_KEY="a-production-like-key-0123456789abcdef",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "run", DAY, DAY, "--no-marts"],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "published" in proc.stdout and "Traceback" not in proc.stderr
    assert (tmp_path / "data" / "dagster" / "dagster.yaml").exists()
    assert list((tmp_path / "data" / "lake" / "raw" / "ocpi" / "sessions").glob(f"partition_date={DAY}"))


def test_backfill_resumes_skipping_days_already_published(env, capsys):
    code = main(["backfill", "--start", "2026-03-28", "--end", "2026-03-29", "--no-marts"])
    out = capsys.readouterr().out
    assert code == 0 and "2 days, 0 already published, 2 to run" in out
    # one ranged run for both days, each day gated and published on its own
    assert re.search(r"\[2/2\] 2026-03-28\.\.2026-03-29 .* published\s+ETA 0:00:00", out), out
    # A stopped backfill started again over a longer range runs only the days it has not published.
    code = main(["backfill", "--start", "2026-03-27", "--end", "2026-03-29", "--no-marts"])
    out = capsys.readouterr().out
    assert code == 0 and "3 days, 2 already published (skipped; --force runs them again), 1 to run" in out
    assert "2026-03-27" in out and "2026-03-28" not in out.split("to run", 1)[1]
    code = main(["backfill", "--start", "2026-03-28", "--end", "2026-03-28", "--no-marts", "--force"])
    assert code == 0 and "1 to run" in capsys.readouterr().out


def test_backfill_refuses_a_reversed_range_in_one_sentence(env, capsys):
    code = main(["backfill", "--start", "2026-03-29", "--end", "2026-03-28"])
    err = capsys.readouterr().err
    assert code == 2 and "the range 2026-03-29..2026-03-28 is reversed" in one_sentence(err)


def test_lake_vacuum_on_an_empty_lake_is_a_dry_run_that_removes_nothing(env, capsys):
    code = main(["lake", "vacuum", "--retain-days", "30"])
    out = capsys.readouterr().out
    assert code == 0 and "would remove 0 superseded files" in out and "nothing was removed" in out
    code = main(["lake", "vacuum", "--retain-days", "-1"])
    assert code == 2 and "--retain-days must be 0 or more" in one_sentence(capsys.readouterr().err)


def test_run_one_source_needs_and_publishes_only_that_source(env, capsys, monkeypatch, simulator):
    from expectations.audit import read_publications

    monkeypatch.delenv("CHARGELAKE_OCPI_URL")  # not needed when OCPI is not run
    monkeypatch.setenv("CHARGELAKE_TELEMETRY_URL", simulator.versions_url.replace("/ocpi/versions", "/telemetry/v1"))
    monkeypatch.setenv("CHARGELAKE_TELEMETRY_TOKEN", SIM_TOKEN)
    code = main(["run", DAY, DAY, "--no-marts", "--source", "telemetry"])
    assert code == 0, capsys.readouterr().err
    published = {(p["source"], p["action"]) for p in read_publications(Lake(str(env / "lake"))).to_pylist()}
    assert published == {("telemetry", "publish")}
    code = main(["backfill", "--start", DAY, "--end", DAY, "--no-marts", "--source", "telemetry"])
    assert code == 0 and "1 already published" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, r"CHARGELAKE_PSEUDONYM_KEY is not set: make one with `python -c"),
        ("short-key", r"CHARGELAKE_PSEUDONYM_KEY has 9 characters, fewer than 32: make one with"),
        ("chargelake-demo-pseudonym-key-do-not-use-in-production", r"is the public demo key: make one with"),
    ],
)
def test_a_run_refuses_to_start_without_an_adequate_pseudonym_key(env, capsys, monkeypatch, key, message):
    """Outside the demo, a missing, short or public key would make pseudonyms reversible: refused,
    in one sentence, before anything is extracted."""
    if key is None:
        monkeypatch.delenv("CHARGELAKE_PSEUDONYM_KEY")
    else:
        monkeypatch.setenv("CHARGELAKE_PSEUDONYM_KEY", key)
    code, err = run_cli(capsys, DAY, DAY, "--no-marts")
    assert code == 2 and re.search(message, one_sentence(err)), err
    assert not (env / "lake" / "landing").exists() and not (env / "lake" / "raw").exists()
