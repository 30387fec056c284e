"""Per source: one extract multi-asset (`staging/<source>/<table>`) writing the run's staging folder,
and one publish asset per raw table (`raw/<source>/<table>`) that only runs after its blocking gate
check passed. Each partition is its own run (`BackfillPolicy.multi_run(1)`), so a multi-day
backfill is many independent, repeatable write-audit-publish cycles."""

import json
from datetime import date

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from expectations.gate import PartitionRef, publish_partition
from extractors.common.staging import load_to_staging, read_manifest, write_manifest
from orchestration.ingest.partitions import daily_partitions, window_for
from orchestration.ingest.resources import ChargeLakeResource
from orchestration.ingest.sources import SOURCES, SourceSpec

BACKFILL = BackfillPolicy.multi_run(1)


def staged_key(source: str, table: str) -> AssetKey:
    return AssetKey(["staging", source, table])


def raw_key(source: str, table: str) -> AssetKey:
    return AssetKey(["raw", source, table])


def partition_ref(context, chargelake: ChargeLakeResource, source: str, table: str) -> PartitionRef:
    lake = chargelake.lake()
    manifest = read_manifest(lake, context.run.run_id, source)
    return PartitionRef(
        lake=lake,
        source=source,
        table=table,
        run_id=context.run.run_id,
        partition=date.fromisoformat(context.partition_key),
        window=window_for(context.partition_key),
        load_id=manifest.get("load_id"),
    )


def extract_assets(spec: SourceSpec):
    @multi_asset(
        name=f"extract_{spec.name}",
        specs=[
            AssetSpec(
                staged_key(spec.name, t),
                group_name=spec.name,
                kinds={"dlt", "parquet"},
                description=f"{spec.description}: `{t}` staged (unvalidated) for one day.",
            )
            for t in spec.tables
        ],
        partitions_def=daily_partitions,
        backfill_policy=BACKFILL,
    )
    def _extract(context: AssetExecutionContext, chargelake: ChargeLakeResource):
        settings = chargelake.settings()
        start, end = window_for(context.partition_key)
        lake = chargelake.lake()
        context.log.info(f"extracting {spec.name} {start:%Y-%m-%d} into {lake.staging(context.run.run_id, spec.name)}")
        result = load_to_staging(spec.build(settings, start, end), lake, context.run.run_id)
        write_manifest(lake, result, (start.isoformat(), end.isoformat()))
        for t in spec.tables:
            family = {k: v for k, v in result.row_counts.items() if k == t or k.startswith(t + "__")}
            yield MaterializeResult(
                asset_key=staged_key(spec.name, t),
                metadata={
                    "rows": result.row_counts.get(t, 0),
                    "child_table_rows": MetadataValue.json(family),
                    "load_id": result.load_id,
                    "path": lake.staging(context.run.run_id, spec.name, t),
                },
            )

    return _extract


def publish_asset(spec: SourceSpec, table: str):
    keys = [raw_key(spec.name, t) for t in (table, *spec.child_assets.get(table, ()))]

    @multi_asset(
        name=f"publish_{spec.name}_{table}",
        specs=[
            AssetSpec(
                key,
                deps=[staged_key(spec.name, table)],
                group_name=spec.name,
                kinds={"delta"},
                description=f"Raw `{spec.name}.{key.path[-1]}` Delta table, one commit per published day.",
            )
            for key in keys
        ],
        partitions_def=daily_partitions,
        backfill_policy=BACKFILL,
    )
    def _publish(context: AssetExecutionContext, chargelake: ChargeLakeResource):
        row = publish_partition(partition_ref(context, chargelake, spec.name, table))
        table_rows = json.loads(row["table_rows"])
        versions = json.loads(row["delta_versions"])
        for key in keys:
            name = key.path[-1]
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "rows": table_rows.get(name, 0),
                    "delta_version": versions.get(name),
                    "family_rows": MetadataValue.json(table_rows),
                    "validation_result": row["validation_result_path"],
                    "publication_id": row["publication_id"],
                },
            )

    return _publish


ingest_assets = [a for spec in SOURCES for a in (extract_assets(spec), *(publish_asset(spec, t) for t in spec.tables))]
