"""Reports are made monthly: on the 2nd, last month's cost statements and the CSRD pack and lineage
report of its year (the fault-event export is started by a sensor, sensors.py)."""

from __future__ import annotations

from datetime import timedelta

from dagster import (
    AssetKey,
    AssetSelection,
    RunRequest,
    ScheduleEvaluationContext,
    define_asset_job,
    schedule,
)

from orchestration.defs.reports.partitions import monthly_partitions

FAULT_EVENTS = AssetSelection.assets(AssetKey(["reports", "fault_events"]))

build_reports = define_asset_job(
    "build_reports",
    selection=AssetSelection.groups("reports") - FAULT_EVENTS,
    partitions_def=monthly_partitions,
    description="Cost statements of a month and the CSRD E1 pack of its year, from the marts.",
)


def previous_month(context: ScheduleEvaluationContext) -> str:
    first_of_this_month = context.scheduled_execution_time.date().replace(day=1)
    return (first_of_this_month - timedelta(days=1)).replace(day=1).isoformat()


@schedule(
    cron_schedule="0 6 2 * *",
    job=build_reports,
    execution_timezone="UTC",
    description="On the 2nd, after the telemetry lookback has brought late uploads in: last month's reports.",
)
def build_reports_schedule(context: ScheduleEvaluationContext):
    month = previous_month(context)
    return RunRequest(run_key=f"reports-{month}", partition_key=month)


export_fault_events = define_asset_job(
    "export_fault_events",
    selection=FAULT_EVENTS,
    description="New outages and alarms since the last export: CSV, and the signed webhook when configured.",
)
