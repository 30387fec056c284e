"""The demo run the end-to-end tests share: `chargelake demo` on 2 days, once per test session (it is
the slowest thing they need), with the simulator's ground truth for the same network."""

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from simulator.server import SimConfig, SimState
from tests.e2e.spark import SPARK_BUILDS, start_full_build

UNTIL = date(2026, 11, 20)
DAYS = 2
SEED = 42
TAMPER_SIGNED_PCT = 50  # two days of the demo sign a handful of CDRs: make sure some are tampered


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "DAGSTER_HOME": str(root / "dagster"),
        "CHARGELAKE_PSEUDONYM_KEY": "e2e-key-0123456789abcdef0123456789abcdef",
    }
    cmd = [
        sys.executable, "-m", "orchestration.cli", "demo", "--days", str(DAYS), "--until", UNTIL.isoformat(),
        "--tamper-signed-pct", str(TAMPER_SIGNED_PCT),
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2]
    )
    if proc.returncode == 0:
        SPARK_BUILDS[root] = start_full_build(tmp_path_factory.mktemp("spark"), root / "lake")
    yield root, proc
    if build := SPARK_BUILDS.pop(root, None):
        build.stop()


def served_sessions() -> list[dict]:
    start = UNTIL - timedelta(days=DAYS)
    cfg = SimConfig(seed=SEED, start=start, end=UNTIL)
    lo = datetime(start.year, start.month, start.day, tzinfo=UTC)
    return SimState(cfg, cfg.build()).listing("sessions", lo, lo + timedelta(days=DAYS))


@pytest.fixture(scope="session")
def truth(tmp_path_factory) -> Path:
    """The simulator's ground truth for the demo's network (sessions.csv, site_daily_energy.csv...)."""
    from simulator.truth import write_truth

    start = UNTIL - timedelta(days=DAYS)
    out = tmp_path_factory.mktemp("truth")
    config = SimConfig(seed=SEED, start=start, end=UNTIL, tamper_signed_pct=TAMPER_SIGNED_PCT)
    write_truth(config.build(), start - timedelta(days=1), UNTIL, out)
    return out


def read_csv(path: Path) -> list[dict]:
    import csv

    with path.open() as fh:
        return list(csv.DictReader(fh))


def demo_cli(root: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        **extra_env,
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
