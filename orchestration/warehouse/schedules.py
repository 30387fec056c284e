"""The warehouse is rebuilt whenever an ingest run succeeds."""

from __future__ import annotations

from dagster import AssetSelection, DagsterRunStatus, RunRequest, define_asset_job, run_status_sensor

from orchestration.ingest.schedules import ingest_daily

build_warehouse = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.groups("warehouse"),
    description="dbt build of staging, intermediate and mart models, then Parquet export of the marts.",
)


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_daily],
    request_job=build_warehouse,
    description="Rebuild the warehouse after each successful ingest run.",
)
def warehouse_after_ingest(context):
    return RunRequest(run_key=f"after-{context.dagster_run.run_id}")
