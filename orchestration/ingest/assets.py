"""Per source: one extract multi-asset (`landing/<source>/<table>`) writing the run's landing folder,
and one publish asset per raw table (`raw/<source>/<table>`) that only runs after its blocking gate
check passed. Each partition is its own run (`BackfillPolicy.multi_run(1)`), so a multi-day
backfill is many independent, repeatable write-audit-publish cycles.

Change-log tables are published into the partition of the day extracted; snapshot tables (reference
data) into the partition of the day the snapshot was taken, once a day unless a refresh is asked for.
"""

import json
from datetime import UTC, date, datetime

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from chargelake.config import Settings
from chargelake.lake import Lake
from expectations.audit import last_publication
from expectations.gate import PartitionRef, publish_partition
from expectations.validate import data_docs_path
from extractors.common.landing import LandingResult, load_to_landing, read_manifest, write_manifest
from orchestration.ingest.partitions import daily_partitions, window_for
from orchestration.ingest.resources import ChargeLakeResource
from orchestration.ingest.sources import SOURCES, SourceSpec

BACKFILL = BackfillPolicy.multi_run(1)


def landed_key(source: str, table: str) -> AssetKey:
    return AssetKey(["landing", source, table])


def raw_key(source: str, table: str) -> AssetKey:
    return AssetKey(["raw", source, table])


def plan_tables(spec: SourceSpec, settings: Settings, lake: Lake, today: date, refresh: bool) -> dict[str, dict]:
    """Per table, what this run does: change-log tables are extracted for the partition's window;
    a snapshot table is taken unless today's snapshot is already published; an unconfigured
    optional source is skipped."""
    plan: dict[str, dict] = {}
    if reason := spec.unconfigured(settings):
        return {table: {"skipped": reason} for table in spec.tables}
    for table in spec.tables:
        if table not in spec.snapshot_tables:
            plan[table] = {}
            continue
        plan[table] = {"snapshot_day": today.isoformat()}
        done = None if refresh else last_publication(lake, spec.name, table, today.isoformat())
        if done:
            plan[table]["skipped"] = f"the snapshot of {today} was published by run {done['run_id']}"
    return plan


def merge_notes(plan: dict[str, dict], source_notes: dict) -> dict[str, dict]:
    """The plan, completed with what the source reported per table."""
    for table, notes in plan.items():
        notes.update(source_notes.get(table, {}))
        crawl = source_notes.get("crawls", {}).get(table)
        if crawl:
            notes["crawl"] = crawl
        reason = source_notes.get("skipped", {}).get(table)
        if reason:
            notes["skipped"] = reason
    return plan


def ref_for(spec: SourceSpec, lake: Lake, run_id: str, partition_key: str, table: str) -> PartitionRef:
    """What the gate works on for one table of one run: the manifest says whether it is a snapshot
    (published into the day it was taken, no window) or a change-log day."""
    manifest = read_manifest(lake, run_id, spec.name)
    notes = manifest.get("notes", {}).get(table, {})
    snapshot_day = notes.get("snapshot_day")
    return PartitionRef(
        lake=lake,
        source=spec.name,
        table=table,
        run_id=run_id,
        partition=date.fromisoformat(snapshot_day or partition_key),
        window=None if snapshot_day else window_for(partition_key),
        load_id=manifest.get("load_id"),
        declared=spec.declared(table),
        extract_notes=notes,
    )


def partition_ref(context, chargelake: ChargeLakeResource, spec: SourceSpec, table: str) -> PartitionRef:
    return ref_for(spec, chargelake.lake(), context.run.run_id, context.partition_key, table)


def extract_day(
    spec: SourceSpec, settings: Settings, lake: Lake, run_id: str, partition_key: str, refresh: bool = False
) -> tuple[LandingResult, dict[str, dict]]:
    """Land one day of a source (and today's snapshots it still needs) with its manifest."""
    start, end = window_for(partition_key)
    plan = plan_tables(spec, settings, lake, datetime.now(UTC).date(), refresh)
    wanted = [t for t, p in plan.items() if not p.get("skipped")]
    source_notes: dict = {}
    if wanted:
        result = load_to_landing(spec.build(settings, start, end, wanted, source_notes), lake, run_id)
    else:
        result = LandingResult(run_id, spec.name, lake.landing(run_id, spec.name), None, {})
    notes = merge_notes(plan, source_notes)
    write_manifest(lake, result, (start.isoformat(), end.isoformat()), notes)
    return result, notes


def extract_assets(spec: SourceSpec):
    @multi_asset(
        name=f"extract_{spec.name}",
        specs=[
            AssetSpec(
                landed_key(spec.name, t),
                group_name="ingest",
                kinds={"dlt", "parquet"},
                description=f"{spec.description}: `{t}` landed (unvalidated) for one day.",
            )
            for t in spec.tables
        ],
        partitions_def=daily_partitions,
        backfill_policy=BACKFILL,
        # Parallel backfills share the CPMS's rate limit: cap concurrent extracts per source with
        # this pool (dagster.yaml `concurrency: pools: ...`, docs/operations.md).
        pool=f"cpms_{spec.name}",
    )
    def _extract(context: AssetExecutionContext, chargelake: ChargeLakeResource):
        lake = chargelake.lake()
        context.log.info(
            f"extracting {spec.name} for {context.partition_key} into {lake.landing(context.run.run_id, spec.name)}"
        )
        result, notes = extract_day(
            spec, chargelake.settings(), lake, context.run.run_id, context.partition_key, chargelake.refresh_snapshots
        )
        for t in spec.tables:
            family = {k: v for k, v in result.row_counts.items() if k == t or k.startswith(t + "__")}
            yield MaterializeResult(
                asset_key=landed_key(spec.name, t),
                metadata={
                    "rows": result.row_counts.get(t, 0),
                    "child_table_rows": MetadataValue.json(family),
                    "load_id": result.load_id or "",
                    "path": lake.landing(context.run.run_id, spec.name, t),
                    "extract_notes": MetadataValue.json(notes[t]),
                },
            )

    return _extract


def publish_asset(spec: SourceSpec, table: str):
    keys = [raw_key(spec.name, t) for t in (table, *spec.child_assets.get(table, ()))]
    kind = "snapshot of the day it was taken" if table in spec.snapshot_tables else "commit per published day"

    @multi_asset(
        name=f"publish_{spec.name}_{table}",
        specs=[
            AssetSpec(
                key,
                deps=[landed_key(spec.name, table)],
                group_name="ingest",
                kinds={"delta"},
                description=f"Raw `{spec.name}.{key.path[-1]}` Delta table, one {kind}.",
            )
            for key in keys
        ],
        partitions_def=daily_partitions,
        backfill_policy=BACKFILL,
        pool="delta_publish",  # on S3 without a locking provider: limit to 1 (docs/operations.md)
    )
    def _publish(context: AssetExecutionContext, chargelake: ChargeLakeResource):
        ref = partition_ref(context, chargelake, spec, table)
        row = publish_partition(ref)
        if row is None:
            context.log.info(f"{spec.name}.{table}: nothing published ({ref.skipped})")
            for key in keys:
                yield MaterializeResult(asset_key=key, metadata={"skipped": ref.skipped or ""})
            return
        table_rows = json.loads(row["table_rows"])
        versions = json.loads(row["delta_versions"])
        for key in keys:
            name = key.path[-1]
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "action": row["action"],  # publish, or unchanged: nothing written
                    "rows": table_rows.get(name, 0),
                    "partition_date": row["partition_date"],
                    "delta_version": versions.get(name),
                    "family_rows": MetadataValue.json(table_rows),
                    "validation_result": row["validation_result_path"],
                    "data_docs": MetadataValue.path(data_docs_path(row["validation_result_path"])),
                    "publication_id": row["publication_id"],
                },
            )

    return _publish


ingest_assets = [a for spec in SOURCES for a in (extract_assets(spec), *(publish_asset(spec, t) for t in spec.tables))]
