"""The warehouse is rebuilt whenever an ingest run succeeds."""

from __future__ import annotations

from dagster import DagsterRunStatus, RunRequest, run_status_sensor

from orchestration.defs.ingest.schedules import ingest_daily
from orchestration.defs.warehouse.schedules import build_warehouse


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_daily],
    request_job=build_warehouse,
    description="Rebuild the warehouse after each successful ingest run.",
)
def warehouse_after_ingest(context):
    return RunRequest(run_key=f"after-{context.dagster_run.run_id}")
