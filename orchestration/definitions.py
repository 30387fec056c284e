"""The one Definitions object: each domain under `orchestration/defs/` (ingest: extract → gate →
publish; derived: tables computed in Python from raw partitions; warehouse: the dbt models; reports;
alerts), assembled from its role-named files."""

from __future__ import annotations

from dagster import Definitions, multiprocess_executor

from orchestration.defs.alerts.sensors import alert_on_run_failure
from orchestration.defs.derived.assets import derived_assets
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.ingest.checks import gate_checks
from orchestration.defs.ingest.resources import ChargeLakeResource
from orchestration.defs.ingest.schedules import ingest_daily, ingest_daily_schedule
from orchestration.defs.reports.assets import report_assets
from orchestration.defs.reports.schedules import build_reports, build_reports_schedule, export_fault_events
from orchestration.defs.reports.sensors import fault_events_after_warehouse
from orchestration.defs.warehouse.assets import warehouse_models
from orchestration.defs.warehouse.resources import dbt_resource
from orchestration.defs.warehouse.schedules import build_warehouse
from orchestration.defs.warehouse.sensors import warehouse_after_ingest

# Each step runs in its own process, forked from a server that imported the definitions once: a step
# then starts in well under a second instead of importing Dagster, dlt and the gate again (≈ 6 s a
# step on 2 cores; a day of ingest has 24 steps). `chargelake run` and `demo` run in process.
STEP_PROCESSES = multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": ["orchestration.definitions"]}}}
)

defs = Definitions(
    assets=[*ingest_assets, *derived_assets, warehouse_models, *report_assets],
    asset_checks=gate_checks,
    jobs=[ingest_daily, build_warehouse, build_reports, export_fault_events],
    schedules=[ingest_daily_schedule, build_reports_schedule],
    sensors=[warehouse_after_ingest, fault_events_after_warehouse, alert_on_run_failure],
    resources={"chargelake": ChargeLakeResource(), "dbt": dbt_resource()},
    executor=STEP_PROCESSES,
)
