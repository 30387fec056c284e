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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dagster import DagsterInstance

from chargelake.memory import release_memory
from orchestration.cli.runtime import write_log

# The CLI prints its own progress; Dagster's console log (step failures with tracebacks included)
# stays in the run's event log and the log file named on failure.
# The run tags with which Dagster's own backfills launch a ranged run (one run, several partitions).
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"

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


def _run_config(resource_config: Mapping[str, Any], refresh_snapshots: bool = False) -> dict:
    """The run's config: a quiet console, and the `chargelake` resource's fields (the demo's settings,
    a snapshot refresh) when there are any."""
    config = {**resource_config, **({"refresh_snapshots": True} if refresh_snapshots else {})}
    return {**QUIET, "resources": {"chargelake": {"config": config}}} if config else QUIET


def ranges(partitions: Sequence[str], days_per_run: int) -> list[list[str]]:
    """Consecutive days in runs of at most `days_per_run` (a resumed backfill's days may have gaps)."""
    out: list[list[str]] = []
    for day in partitions:
        last = out[-1][-1] if out else None
        contiguous = last is not None and date.fromisoformat(day) - date.fromisoformat(last) == timedelta(days=1)
        if contiguous and len(out[-1]) < days_per_run:
            out[-1].append(day)
        else:
            out.append([day])
    return out


def quarantined_days(result, days: list[str]) -> dict[str, list[str]]:
    """day -> the tables the gate quarantined that day, from the checks' per-day metadata."""
    out: dict[str, list[str]] = {}
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        held = evaluation.metadata.get("quarantine")
        for day in held.value if held is not None else days:
            out.setdefault(day, []).append(evaluation.asset_key.path[-1])
    return out


def run_pipeline(
    partitions: Sequence[str],
    instance: DagsterInstance,
    build_marts: bool = True,
    progress: Callable[[str], None] = print,
    refresh_snapshots: bool = False,
    sources: Sequence[str] | None = None,
    days_per_run: int = 1,
    resource_config: Mapping[str, Any] | None = None,
) -> PipelineResult:
    """`sources`: only these sources' extract and publish steps (default: every configured one).
    `days_per_run` > 1: ranged runs, as Dagster's backfills run them (orchestration/defs/ingest/assets.py).
    `resource_config`: fields of the `chargelake` resource (orchestration/defs/ingest/resources.py) for
    every run, e.g. the demo's simulator URLs."""
    resource_config = dict(resource_config or {})
    from orchestration.definitions import defs

    ingest = defs.resolve_job_def("ingest_daily")
    selection = None
    if sources:
        selection = [
            key
            for key in ingest.asset_layer.executable_asset_keys
            if key.path[0] in ("landing", "raw") and key.path[1] in sources
        ]
    results: list[DayResult] = []
    done = 0
    for i, chunk in enumerate(ranges(partitions, days_per_run)):
        t0 = time.monotonic()
        ranged = {RANGE_START: chunk[0], RANGE_END: chunk[-1]} if len(chunk) > 1 else None
        result = ingest.execute_in_process(
            partition_key=None if ranged else chunk[0],
            tags=ranged,
            instance=instance,
            raise_on_error=False,
            run_config=_run_config(resource_config, refresh_snapshots and i == 0),  # one snapshot per run
            asset_selection=selection,
        )
        seconds = time.monotonic() - t0
        held = quarantined_days(result, chunk)
        error = log_path = None
        if not result.success and not held:
            error, details = step_failure(result) or ("the run failed", "")
            log_path = write_log(f"ingest-{chunk[0]}", f"run {result.run_id}\n{details}")
        for day in chunk:
            results.append(
                DayResult(day, result.run_id, result.success, seconds / len(chunk), held.get(day, []), error, log_path)
            )
        done += len(chunk)
        if held:
            state = "quarantined: " + "; ".join(
                f"{d} {', '.join(t)}" if ranged else ", ".join(t) for d, t in held.items()
            )
        else:
            state = "published" if result.success else f"FAILED: {error}"
        label = f"{chunk[0]}..{chunk[-1]}" if ranged else chunk[0]
        progress(f"  [{done}/{len(partitions)}] {label}  {seconds:5.1f}s  {state}")
        release_memory()  # the next run starts from the same footprint (chargelake/memory.py)
        if error:
            return PipelineResult(results, None, 0.0)
    if not build_marts:
        return PipelineResult(results, None, 0.0)
    return _build_warehouse(defs, instance, results, progress, resource_config)


def _build_warehouse(defs, instance, days: list[DayResult], progress, resource_config) -> PipelineResult:
    log_path = write_log("dbt", "")
    progress(f"  building the warehouse (dbt build + mart export; log: {log_path}) ...")
    t0 = time.monotonic()
    with log_path.open("w") as log, contextlib.redirect_stdout(log):
        marts = defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, raise_on_error=False, run_config=_run_config(resource_config)
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
