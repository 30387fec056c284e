"""Backfill benchmark (part of `make bench`): the demo network's 30-day backfill against its 1-day
run, both as a user runs them (the CLI in a fresh process: imports, ingest of every source, the
warehouse build and the Parquet export of the marts), each into an empty lake. The 30 days run as
ranged runs of 31 days (the default Dagster backfill policy) and, for comparison, one run per day.
Target (issue #10): the 30-day backfill takes < 5x the 1-day run's wall time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from simulator.process import start_simulator

FIRST = date(2026, 2, 1)
DAYS = 30
ROOT = Path(__file__).resolve().parents[1]


def _cli(env: dict, folder: Path, *args: str) -> float:
    run_env = {
        **env,
        "CHARGELAKE_LAKE_URL": str(folder / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(folder / "warehouse.duckdb"),
        "DAGSTER_HOME": str(folder / "dagster"),
        "CHARGELAKE_PSEUDONYM_KEY": "bench-key-0123456789abcdef0123456789abcdef",
    }
    (folder / "dagster").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", *args], env=run_env, cwd=ROOT, capture_output=True, text=True
    )
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark run {args} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds


def backfill_vs_day() -> dict:
    from orchestration.cli.demo import simulator_environment

    last = FIRST + timedelta(days=DAYS - 1)
    sim = start_simulator(FIRST, last + timedelta(days=1), seed=42)
    saved = dict(os.environ)
    try:
        env = {**os.environ, **simulator_environment(sim)}
        with tempfile.TemporaryDirectory() as tmp:
            one = _cli(env, Path(tmp, "one"), "run", FIRST.isoformat(), FIRST.isoformat())
            ranged = _cli(
                env, Path(tmp, "ranged"), "backfill", "--start", FIRST.isoformat(), "--end", last.isoformat(),
                "--days-per-run", "31",
            )  # fmt: skip
            per_day = _cli(
                env, Path(tmp, "per_day"), "backfill", "--start", FIRST.isoformat(), "--end", last.isoformat(),
                "--days-per-run", "1",
            )  # fmt: skip
    finally:
        sim.stop()
        os.environ.clear()
        os.environ.update(saved)
    return {
        "days": DAYS,
        "one_day_run_s": round(one, 1),
        "backfill_30_days_ranged_s": round(ranged, 1),
        "backfill_30_days_one_run_per_day_s": round(per_day, 1),
        "ratio_backfill_30_days_to_one_day_run": round(ranged / one, 2),
        "ratio_backfill_30_days_one_run_per_day_to_one_day_run": round(per_day / one, 2),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(backfill_vs_day(), indent=1))
