"""The one Definitions object: ingest (extract → gate → publish), the dbt warehouse and the reports."""

from __future__ import annotations

from dagster import Definitions

from orchestration.alerts import alert_on_run_failure
from orchestration.ingest.assets import ingest_assets
from orchestration.ingest.checks import gate_checks
from orchestration.ingest.resources import ChargeLakeResource
from orchestration.ingest.schedules import ingest_daily, ingest_daily_schedule
from orchestration.reports.assets import report_assets
from orchestration.reports.schedules import (
    build_reports,
    build_reports_schedule,
    export_fault_events,
    fault_events_after_warehouse,
)
from orchestration.warehouse.assets import warehouse_models
from orchestration.warehouse.resources import dbt_resource
from orchestration.warehouse.schedules import build_warehouse, warehouse_after_ingest

defs = Definitions(
    assets=[*ingest_assets, warehouse_models, *report_assets],
    asset_checks=gate_checks,
    jobs=[ingest_daily, build_warehouse, build_reports, export_fault_events],
    schedules=[ingest_daily_schedule, build_reports_schedule],
    sensors=[warehouse_after_ingest, fault_events_after_warehouse, alert_on_run_failure],
    resources={"chargelake": ChargeLakeResource(), "dbt": dbt_resource()},
)
