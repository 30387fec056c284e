"""Run the main job outside the UI: each day through ingest (extract → gate → publish), then the
warehouse once. Used by `chargelake demo` and `chargelake run`, and by the end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dagster import DagsterInstance

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
) -> PipelineResult:
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
        progress("  building the warehouse (dbt build + mart export) ...")
        t0 = time.monotonic()
        marts = defs.resolve_job_def("build_marts").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
        marts_ok, marts_seconds = marts.success, time.monotonic() - t0
        progress(
            f"  warehouse {'built' if marts_ok else 'FAILED: ' + str(_first_error(marts))} in {marts_seconds:.1f}s"
        )
    return PipelineResult(days, marts_ok, marts_seconds)
