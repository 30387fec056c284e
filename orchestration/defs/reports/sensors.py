"""Fault events are exported after every successful warehouse build."""

from __future__ import annotations

from dagster import DagsterRunStatus, RunRequest, run_status_sensor

from orchestration.defs.reports.schedules import export_fault_events
from orchestration.defs.warehouse.schedules import build_warehouse


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[build_warehouse],
    request_job=export_fault_events,
    description="Export the fault events the warehouse build brought in.",
)
def fault_events_after_warehouse(context):
    return RunRequest(run_key=f"faults-after-{context.dagster_run.run_id}")
