"""Per source: one extract multi-asset (`landing/<source>/<table>`) writing the run's landing folder,
and one publish asset per raw table (`raw/<source>/<table>`) that only runs after its blocking gate
check. A backfill runs as ranged runs of up to `DAYS_PER_RUN` days (`BackfillPolicy.multi_run`):
the fixed cost of a run (process start, imports, resources) is paid once per range, while each day
is still landed, validated, published (one Delta commit per table and day) and audited on its own,
under its own batch id (`batch_id`), so a bad day is quarantined without holding back the others.

Change-log tables are published into the partition of the day extracted; snapshot tables (reference
data) into the partition of the day the snapshot was taken, once a day unless a refresh is asked for.
"""

import json
from datetime import UTC, date, datetime, timedelta

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    BackfillPolicy,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from chargelake.config import Settings
from chargelake.lake import Lake
from chargelake.memory import release_memory
from expectations.audit import last_publication
from expectations.gate import PartitionRef, publish_checked
from expectations.validate import data_docs_path
from extractors.common.landing import LandingResult, load_to_landing, read_manifest, write_manifest
from orchestration.defs.ingest.partitions import daily_partitions, window_for
from orchestration.defs.ingest.resources import ChargeLakeResource
from orchestration.defs.ingest.sources import SOURCES, SourceSpec

DAYS_PER_RUN = 31  # a month per run: one process, one set of imports; memory is released between days
BACKFILL = BackfillPolicy.multi_run(DAYS_PER_RUN)


# The daily schedule publishes yesterday at 02:00 UTC: a raw table not refreshed for more than a day
# and a few hours has missed a run; the UI shows it as stale (warn) and then failed.
RAW_FRESHNESS = FreshnessPolicy.time_window(warn_window=timedelta(hours=27), fail_window=timedelta(hours=50))


def batch_id(run_id: str, partition_key: str, ranged: bool) -> str:
    """The gate's unit of work: the Dagster run id, suffixed with the day when one run covers several
    days. It names the landing, validation and quarantine folders and the publication's `run_id`, so
    an auditor reaches the Dagster run from either form."""
    return f"{run_id}-{partition_key}" if ranged else run_id


def run_batches(context) -> list[tuple[str, str]]:
    """(partition key, batch id) of every day this run covers, oldest first."""
    keys = list(context.partition_keys)
    return [(key, batch_id(context.run.run_id, key, len(keys) > 1)) for key in keys]


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


def partition_refs(
    context, chargelake: ChargeLakeResource, spec: SourceSpec, table: str
) -> list[tuple[str, PartitionRef]]:
    """(partition key, what the gate works on) for each day of the run."""
    lake = chargelake.lake()
    return [(key, ref_for(spec, lake, batch, key, table)) for key, batch in run_batches(context)]


def extract_day(
    spec: SourceSpec,
    settings: Settings,
    lake: Lake,
    run_id: str,
    partition_key: str,
    refresh: bool = False,
    snapshots: bool = True,
) -> tuple[LandingResult, dict[str, dict]]:
    """Land one day of a source (and today's snapshots it still needs) with its manifest.

    `snapshots=False` for the later days of a ranged run: its first day took today's snapshot."""
    start, end = window_for(partition_key)
    plan = plan_tables(spec, settings, lake, datetime.now(UTC).date(), refresh)
    if not snapshots:
        for table in spec.snapshot_tables:
            if table in plan and not plan[table].get("skipped"):
                plan[table]["skipped"] = "today's snapshot is taken by the first day of this run"
    wanted = [t for t, p in plan.items() if not p.get("skipped")]
    source_notes: dict = {}
    if wanted:
        result = load_to_landing(spec.build(settings, start, end, wanted, source_notes), lake, run_id)
    else:
        result = LandingResult(run_id, spec.name, lake.landing(run_id, spec.name), None, {})
    notes = merge_notes(plan, source_notes)
    if source_notes.get("_rejected"):
        path = quarantine_rejected(lake, run_id, spec.name, source_notes["_rejected"])
        for table_notes in notes.values():
            if table_notes.get("rejected_lines"):
                table_notes["rejected_lines_file"] = path
    write_manifest(lake, result, (start.isoformat(), end.isoformat()), notes)
    return result, notes


def quarantine_rejected(lake: Lake, run_id: str, source: str, rejected: list[dict]) -> str:
    """Records a source could not read (a log's bad lines, with file and line number): kept whole in
    the run's quarantine folder, as the gate keeps a failed day, while the rest is published."""
    path = lake.path("quarantine", run_id, source, "rejected_lines.jsonl")
    fs = lake.filesystem()
    fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
    with fs.open(path, "wb") as fh:
        fh.write(b"".join(json.dumps(r, default=str).encode() + b"\n" for r in rejected))
    return path


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
        lake, settings = chargelake.lake(), chargelake.settings()
        rows: dict[str, dict[str, int]] = {t: {} for t in spec.tables}
        notes_by_day: dict[str, dict] = {}
        for i, (key, batch) in enumerate(run_batches(context)):
            context.log.info(f"extracting {spec.name} for {key} into {lake.landing(batch, spec.name)}")
            result, notes = extract_day(
                spec, settings, lake, batch, key, chargelake.refresh_snapshots and i == 0, snapshots=i == 0
            )
            notes_by_day[key] = notes
            for t in spec.tables:
                rows[t][key] = result.row_counts.get(t, 0)
            release_memory()  # each day starts from the same footprint (chargelake/memory.py)
        for t in spec.tables:
            yield MaterializeResult(
                asset_key=landed_key(spec.name, t),
                metadata={
                    "rows": sum(rows[t].values()),
                    "rows_per_day": MetadataValue.json(rows[t]),
                    "days": len(rows[t]),
                    "path": lake.landing(run_batches(context)[0][1], spec.name, t),
                    "extract_notes": MetadataValue.json({day: n[t] for day, n in notes_by_day.items()}),
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
                freshness_policy=RAW_FRESHNESS,
            )
            for key in keys
        ],
        partitions_def=daily_partitions,
        backfill_policy=BACKFILL,
        pool="delta_publish",  # limit to 1 only on a store without conditional writes (docs/operations.md)
    )
    def _publish(context: AssetExecutionContext, chargelake: ChargeLakeResource):
        published: dict[str, dict] = {}
        held: dict[str, str] = {}
        for day, ref in partition_refs(context, chargelake, spec, table):
            row, reason = publish_checked(ref)
            if row is None:
                context.log.info(f"{spec.name}.{table} {day}: nothing published ({reason})")
                held[day] = reason or ""
                continue
            published[row["partition_date"]] = row
        for key in keys:
            yield MaterializeResult(asset_key=key, metadata=publish_metadata(key.path[-1], published, held))

    return _publish


def publish_metadata(name: str, published: dict[str, dict], held: dict[str, str]) -> dict:
    """What the UI shows for a raw table after a run: the newest day's publication in full, rows and
    Delta versions per day, and the days not published with the reason."""
    meta: dict = {"days_published": len(published), "not_published": MetadataValue.json(held)}
    if not published:
        return meta
    per_day = {day: json.loads(r["table_rows"]).get(name, 0) for day, r in sorted(published.items())}
    latest = published[max(published)]
    meta.update(
        {
            "action": latest["action"],  # publish, or unchanged: nothing written
            "rows": sum(per_day.values()),
            "rows_per_day": MetadataValue.json(per_day),
            "partition_date": latest["partition_date"],
            "delta_version": json.loads(latest["delta_versions"]).get(name),
            "delta_versions": MetadataValue.json(
                {day: json.loads(r["delta_versions"]).get(name) for day, r in sorted(published.items())}
            ),
            "family_rows": MetadataValue.json(json.loads(latest["table_rows"])),
            "validation_result": latest["validation_result_path"],
            "data_docs": MetadataValue.path(data_docs_path(latest["validation_result_path"])),
            "publication_id": latest["publication_id"],
        }
    )
    return meta


def build_ingest_assets(specs: tuple[SourceSpec, ...]) -> list:
    """Per source: its extract multi-asset and one publish multi-asset per root table."""
    return [a for spec in specs for a in (extract_assets(spec), *(publish_asset(spec, t) for t in spec.tables))]


ingest_assets = build_ingest_assets(SOURCES)
