"""Run the main job outside the UI: each day through ingest (extract → gate → publish), then the
warehouse once. Used by `chargelake demo` and `chargelake run`, and by the end-to-end tests.

A day that fails (rather than being quarantined) stops the run: the next days would fail the same
way (a refused token, an unreachable host), and a rerun repeats nothing that succeeded. The failure
is reported as its cause in one line; Dagster's full error goes to a log file the line names.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dagster import DagsterInstance

from chargelake.memory import release_memory
from orchestration.runtime import write_log

# The CLI prints its own progress; Dagster's console log (step failures with tracebacks included)
# stays in the run's event log and the log file named on failure.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


@dataclass
class DayResult:
    partition: str
    run_id: str
    success: bool
    seconds: float
    failed_checks: list[str] = field(default_factory=list)
    error: str | None = None
    log_path: Path | None = None


@dataclass
class PipelineResult:
    days: list[DayResult]
    marts_success: bool | None
    marts_seconds: float
    marts_error: str | None = None
    marts_log: Path | None = None

    @property
    def failed_day(self) -> DayResult | None:
        return next((d for d in self.days if not d.success and not d.failed_checks), None)


def step_failure(result) -> tuple[str, str] | None:
    """(the cause in one line, the full error text) of the first failed step, or None.

    Dagster wraps what an op raised (`DagsterExecutionStepExecutionError: Error occurred while
    executing op ...`); the user needs the innermost cause, e.g. `HTTP 401: the OCPI token was refused`."""
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        err = getattr(event.event_specific_data, "error", None)
        if err is None:
            return f"{event.step_key} failed", ""
        inner = err  # the first error in the chain that is not Dagster's wrapper: what the op raised
        while inner.cls_name and inner.cls_name.startswith("Dagster") and inner.cause is not None:
            inner = inner.cause
        message = re.sub(r"^[\w.]+(Error|Exception)?: ", "", ANSI.sub("", inner.message).strip())
        return _headline(message) or inner.cls_name or "failed", f"step {event.step_key}\n{err.to_string()}"
    return None


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _headline(message: str) -> str:
    """The line that says what went wrong; for a dbt build, the errors dbt itself reported."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if "Errors parsed from dbt logs:" in lines:
        reported = lines[lines.index("Errors parsed from dbt logs:") + 1 :][:3]
        return "dbt: " + "; ".join(re.sub(r"\s+", " ", line) for line in reported)
    return lines[0] if lines else ""


def _overrides(refresh_snapshots: bool) -> dict:
    if not refresh_snapshots:
        return QUIET
    return {**QUIET, "resources": {"chargelake": {"config": {"refresh_snapshots": True}}}}


def run_pipeline(
    partitions: Sequence[str],
    instance: DagsterInstance,
    build_marts: bool = True,
    progress: Callable[[str], None] = print,
    refresh_snapshots: bool = False,
    sources: Sequence[str] | None = None,
) -> PipelineResult:
    """`sources`: only these sources' extract and publish steps (default: every configured one)."""
    from orchestration.definitions import defs

    ingest = defs.resolve_job_def("ingest_daily")
    selection = None
    if sources:
        selection = [
            key
            for key in ingest.asset_layer.executable_asset_keys
            if key.path[0] in ("landing", "raw") and key.path[1] in sources
        ]
    days: list[DayResult] = []
    for i, partition in enumerate(partitions, 1):
        t0 = time.monotonic()
        result = ingest.execute_in_process(
            partition_key=partition,
            instance=instance,
            raise_on_error=False,
            run_config=_overrides(refresh_snapshots and i == 1),  # one snapshot per run is enough
            asset_selection=selection,
        )
        failed = [e.asset_key.path[-1] for e in result.get_asset_check_evaluations() if not e.passed]
        day = DayResult(partition, result.run_id, result.success, time.monotonic() - t0, failed)
        if not result.success and not failed:
            day.error, details = step_failure(result) or ("the run failed", "")
            day.log_path = write_log(f"ingest-{partition}", f"run {result.run_id}\n{details}")
        days.append(day)
        if failed:
            state = f"quarantined: {', '.join(failed)}"
        else:
            state = "published" if result.success else f"FAILED: {day.error}"
        progress(f"  [{i}/{len(partitions)}] {partition}  {day.seconds:5.1f}s  {state}")
        release_memory()  # the next day starts from the same footprint (chargelake/memory.py)
        if day.error:
            return PipelineResult(days, None, 0.0)
    if not build_marts:
        return PipelineResult(days, None, 0.0)
    return _build_warehouse(defs, instance, days, progress)


def _build_warehouse(defs, instance, days: list[DayResult], progress) -> PipelineResult:
    log_path = write_log("dbt", "")
    progress(f"  building the warehouse (dbt build + mart export; log: {log_path}) ...")
    t0 = time.monotonic()
    with log_path.open("w") as log, contextlib.redirect_stdout(log):
        marts = defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET
        )
    seconds = time.monotonic() - t0
    if marts.success:
        progress(f"  warehouse built in {seconds:.1f}s")
        return PipelineResult(days, True, seconds)
    error, details = step_failure(marts) or ("the warehouse build failed", "")
    with log_path.open("a") as log:
        log.write(f"\n{details}\n")
    progress(f"  warehouse FAILED: {error}")
    return PipelineResult(days, False, seconds, error, log_path)
