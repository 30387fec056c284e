"""One asset per derived table (expectations/derived.py). They run in the warehouse job, before dbt,
which reads each as a source (`derived.<table>`); a blocking check stops dbt when one failed its audit.

A table by partition derives every input partition published since it was last derived, so it needs
no partitions of its own and catches up after a backfill, a rerun or a run of some sources only. The
cost-centre map is read from the user's file and pseudonymised with the run's key on every build, and
written only when its rows changed (an edited file, a rotated key)."""

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from dagster import AssetCheckResult, AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from chargelake.cost_centres import DEFAULT_MAP, load_cost_centre_map
from chargelake.pseudonymise import key_id
from expectations.derived import (
    COST_CENTRE_MAP,
    DERIVED_TABLES,
    DerivationError,
    DerivedTable,
    derive_partition,
    ensure_derived,
    pending,
    publish_snapshot,
)
from orchestration.defs.derived.checks import AUDITED, audit_check_spec
from orchestration.defs.ingest.assets import raw_key
from orchestration.defs.ingest.resources import ChargeLakeResource


def derived_key(name: str) -> AssetKey:
    return AssetKey(["derived", name])


def derived_asset(table: DerivedTable):
    key = derived_key(table.name)

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


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"


@asset(
    key=derived_key(COST_CENTRE_MAP.name),
    group_name="derived",
    kinds={"python", "delta"},
    description=COST_CENTRE_MAP.description,
    check_specs=[audit_check_spec(derived_key(COST_CENTRE_MAP.name))],
)
def cost_centre_map(context: AssetExecutionContext, chargelake: ChargeLakeResource):
    settings = chargelake.settings()  # the key is required (a one-sentence error without it)
    lake = settings.lake()
    ensure_derived(lake, COST_CENTRE_MAP)
    path = Path(settings.cost_centre_map or DEFAULT_MAP)
    rows = load_cost_centre_map(path, key=settings.pseudonym_key, previous=settings.previous_pseudonym_key or "")
    # What the rows were computed from, for the audit row: the file's digest and the key's id, no secret.
    inputs = {"file": path.name, "sha256": _file_digest(path), "key_id": key_id(settings.pseudonym_key)}
    key = derived_key(COST_CENTRE_MAP.name)
    try:
        row = publish_snapshot(
            lake, COST_CENTRE_MAP, rows, context.run.run_id, inputs, datetime.now(UTC).date().isoformat()
        )
    except DerivationError as e:
        context.log.error(str(e))
        yield MaterializeResult(asset_key=key, metadata={"rows": rows.num_rows, "published": False})
        yield AssetCheckResult(asset_key=key, check_name=AUDITED, passed=False, metadata={"failure": str(e)})
        return
    context.log.info(f"derived.{COST_CENTRE_MAP.name}: {'published' if row else 'unchanged'}, {rows.num_rows} rules")
    yield MaterializeResult(
        asset_key=key,
        metadata={"rows": rows.num_rows, "published": row is not None, "path": lake.derived(COST_CENTRE_MAP.name)},
    )
    yield AssetCheckResult(asset_key=key, check_name=AUDITED, passed=True, metadata={"rules": rows.num_rows})


derived_assets = [*(derived_asset(t) for t in DERIVED_TABLES), cost_centre_map]
