"""Run the main job outside the UI: each day through ingest (extract → gate → publish), then the
warehouse once. Used by `chargelake demo` and `chargelake run`, and by the end-to-end tests."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dagster import DagsterInstance

from chargelake.config import Settings

# The CLI prints its own progress; Dagster's step-by-step console log stays in the run's event log.
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class DayResult:
    partition: str
    run_id: str
    success: bool
    seconds: float
    failed_checks: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass
class PipelineResult:
    days: list[DayResult]
    marts_success: bool | None
    marts_seconds: float


def _first_error(result) -> str | None:
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            data = event.event_specific_data
            err = getattr(data, "error", None)
            return f"{event.step_key}: {err.message.strip() if err else 'failed'}"
    return None


def run_pipeline(
    partitions: Sequence[str],
    instance: DagsterInstance,
    build_marts: bool = True,
    progress: Callable[[str], None] = print,
    log_dir: Path | None = None,
) -> PipelineResult:
    """`log_dir` receives dbt's own log (dagster-dbt echoes it to stdout); default: beside the warehouse."""
    from orchestration.definitions import defs

    ingest = defs.resolve_job_def("ingest_daily")
    days: list[DayResult] = []
    for i, partition in enumerate(partitions, 1):
        t0 = time.monotonic()
        result = ingest.execute_in_process(
            partition_key=partition, instance=instance, raise_on_error=False, run_config=QUIET
        )
        failed = [e.asset_key.path[-1] for e in result.get_asset_check_evaluations() if not e.passed]
        day = DayResult(
            partition,
            result.run_id,
            result.success,
            time.monotonic() - t0,
            failed,
            None if result.success else _first_error(result),
        )
        days.append(day)
        state = (
            "published"
            if not failed and result.success
            else (f"quarantined: {', '.join(failed)}" if failed else f"FAILED ({day.error})")
        )
        progress(f"  [{i}/{len(partitions)}] {partition}  {day.seconds:5.1f}s  {state}")
    marts_ok: bool | None = None
    marts_seconds = 0.0
    if build_marts:
        log_dir = log_dir or Path(Settings.from_env().warehouse_path).parent / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"dbt-{datetime.now(UTC):%Y%m%dT%H%M%S}.log"
        progress(f"  building the warehouse (dbt build + mart export; log: {log_path}) ...")
        t0 = time.monotonic()
        with log_path.open("w") as log, contextlib.redirect_stdout(log):
            marts = defs.resolve_job_def("build_marts").execute_in_process(
                instance=instance, raise_on_error=False, run_config=QUIET
            )
        marts_ok, marts_seconds = marts.success, time.monotonic() - t0
        if marts_ok:
            progress(f"  warehouse built in {marts_seconds:.1f}s")
        else:
            tail = [line for line in log_path.read_text().splitlines() if line.strip()][-15:]
            progress(f"  warehouse FAILED: {_first_error(marts)}\n" + "\n".join("    " + t for t in tail))
    return PipelineResult(days, marts_ok, marts_seconds)
