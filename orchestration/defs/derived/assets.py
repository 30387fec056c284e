"""One asset per derived table: each run derives every input partition published since the table
was last derived (expectations/derived.py), so it needs no partitions of its own and catches up
after a backfill, a rerun or a run of some sources only. It runs in the warehouse job, before dbt,
which reads the table as a source (`derived.<table>`); its blocking check stops dbt when a
partition failed its audit."""

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from expectations.derived import (
    DERIVED_TABLES,
    DerivationError,
    DerivedTable,
    derive_partition,
    ensure_derived,
    pending,
)
from orchestration.defs.derived.checks import AUDITED, audit_check_spec
from orchestration.defs.ingest.assets import raw_key
from orchestration.defs.ingest.resources import ChargeLakeResource


def derived_key(table: DerivedTable) -> AssetKey:
    return AssetKey(["derived", table.name])


def derived_asset(table: DerivedTable):
    key = derived_key(table)

    @asset(
        key=key,
        deps=[raw_key(table.source, t) for t in table.inputs],
        group_name="derived",
        kinds={"python", "delta"},
        description=table.description,
        check_specs=[audit_check_spec(key)],
    )
    def _derive(context: AssetExecutionContext, chargelake: ChargeLakeResource):
        lake = chargelake.lake()
        ensure_derived(lake, table)
        rows: dict[str, int] = {}
        failed: dict[str, str] = {}
        for day, input_run in pending(lake, table):
            try:
                rows[day] = derive_partition(lake, table, day, input_run, context.run.run_id)["rows"]
            except DerivationError as e:
                context.log.error(str(e))
                failed[day] = str(e)
        context.log.info(f"derived.{table.name}: {len(rows)} partitions derived, {len(failed)} failed its audit")
        yield MaterializeResult(
            asset_key=key,
            metadata={
                "partitions_derived": len(rows),
                "rows": sum(rows.values()),
                "rows_per_day": MetadataValue.json(rows),
                "path": lake.derived(table.name),
            },
        )
        yield AssetCheckResult(
            asset_key=key,
            check_name=AUDITED,
            passed=not failed,
            metadata={"partitions_audited": len(rows) + len(failed), "failures": MetadataValue.json(failed)},
        )

    return _derive


derived_assets = [derived_asset(t) for t in DERIVED_TABLES]
