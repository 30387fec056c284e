"""The reports domain: the CSRD E1 pack, its lineage report and the monthly cost statements, written
to `reports/` in the lake from the marts they depend on (so the UI's lineage runs from each API to
each report), and the fault events export after each warehouse build."""

from datetime import date

from dagster import AssetExecutionContext, AssetKey, MetadataValue, asset

from orchestration.defs.ingest.resources import ChargeLakeResource
from orchestration.defs.reports.costs import write_cost_statements
from orchestration.defs.reports.csrd import NoDataForPeriodError
from orchestration.defs.reports.faults import export_fault_events
from orchestration.defs.reports.lineage import write_lineage_report
from orchestration.defs.reports.partitions import monthly_partitions
from orchestration.defs.reports.publish import write_csrd_pack

CSRD_MARTS = (
    "rpt_csrd_e1",
    "fct_session_emissions",
    "dim_emission_factors",
    "rpt_cost_allocation",
    "fct_evse_availability",
    "rpt_lineage",
)


def _mart(name: str) -> AssetKey:
    return AssetKey(["warehouse", "marts", name])


@asset(
    key=["reports", "csrd_e1"],
    group_name="reports",
    partitions_def=monthly_partitions,
    deps=[_mart(m) for m in CSRD_MARTS],
    description="CSRD E1 pack (workbook, CSVs, HTML with charts) of the month's reporting year, to date.",
)
def csrd_e1_pack(context: AssetExecutionContext, chargelake: ChargeLakeResource):
    settings = chargelake.settings(needs_key=False)
    year = date.fromisoformat(context.partition_key).year
    try:
        out = write_csrd_pack(settings.warehouse_path, chargelake.lake(), year)
    except NoDataForPeriodError as exc:
        context.log.warning(str(exc))
        context.add_output_metadata({"year": year, "written": False})
        return
    context.add_output_metadata(
        {"year": year, "written": True, "workbook": out["workbook"], "html": MetadataValue.path(out["html"])}
    )


@asset(
    key=["reports", "cost_statements"],
    group_name="reports",
    partitions_def=monthly_partitions,
    deps=[_mart("rpt_cost_allocation")],
    description="Cost statements per cost centre for the month (workbook and a CSV per cost centre).",
)
def cost_statements(context: AssetExecutionContext, chargelake: ChargeLakeResource):
    settings = chargelake.settings(needs_key=False)
    month = date.fromisoformat(context.partition_key)
    try:
        out = write_cost_statements(settings.warehouse_path, chargelake.lake(), month)
    except NoDataForPeriodError as exc:
        context.log.warning(str(exc))
        context.add_output_metadata({"cost_centres": 0})
        return
    context.add_output_metadata({"workbook": out["workbook"], "cost_centres": len(out) - 1})


@asset(
    key=["reports", "lineage"],
    group_name="reports",
    partitions_def=monthly_partitions,
    deps=[_mart("rpt_lineage"), _mart("rpt_csrd_e1")],
    description="Lineage report (HTML) of the month's reporting year: each report row to its raw partitions, "
    "publications, validation results and GE Data Docs.",
)
def lineage_report(context: AssetExecutionContext, chargelake: ChargeLakeResource):
    year = date.fromisoformat(context.partition_key).year
    try:
        out = write_lineage_report(chargelake.settings(needs_key=False).warehouse_path, chargelake.lake(), year)
    except NoDataForPeriodError as exc:
        context.log.warning(str(exc))
        context.add_output_metadata({"year": year, "written": False})
        return
    context.add_output_metadata({"year": year, "written": True, "html": MetadataValue.path(out["html"])})


@asset(
    key=["reports", "fault_events"],
    group_name="reports",
    deps=[AssetKey(["warehouse", "staging", "stg_telemetry__alarms"])],
    description="Outages and alarms received since the last export: a CSV under reports/faults/, and a "
    "signed POST to CHARGELAKE_FAULTS_WEBHOOK_URL when set (docs/operations.md).",
)
def fault_events(context: AssetExecutionContext, chargelake: ChargeLakeResource):
    settings = chargelake.settings(needs_key=False)
    out = export_fault_events(
        settings.warehouse_path, settings.lake(), settings.faults_webhook_url, settings.faults_webhook_secret
    )
    context.add_output_metadata(
        {
            "events": out["events"],
            "since_received_at_utc": str(out["since_received_at_utc"]),
            "csv": out["csv"] or "",
            "webhook_status": out["webhook_status"] or 0,
        }
    )


report_assets = [csrd_e1_pack, cost_statements, lineage_report, fault_events]
