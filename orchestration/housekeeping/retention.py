"""Retention per zone, applied by `chargelake lake vacuum`: raw partitions older than the zone's
retention are deleted (the whole table family, one Delta delete per table), the deletion is
recorded in `audit/retention`, and the next warehouse build rebuilds every model from raw so no
copy outlives them. Without a setting a zone is kept.

| zone | variable | raw tables |
| --- | --- | --- |
| sessions | `CHARGELAKE_RETENTION_SESSIONS_DAYS` | ocpi sessions and CDRs (with their child tables) |
| telemetry | `CHARGELAKE_RETENTION_TELEMETRY_DAYS` | telemetry meter values and alarms |

The derived tables computed from a zone's raw tables (the verified readings of CDRs) lose the same
partitions: they hold nothing their inputs do not.

Reference snapshots (locations, tariffs, tokens), carbon intensity and the audit zone
(publications, erasures, validation results: counts and digests, no personal data) are not deleted
by age: they are what an auditor needs to follow a report figure back (docs/privacy.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
from deltalake import DeltaTable

from chargelake.config import Settings
from chargelake.lake import Lake
from expectations.audit import append_row, newest
from expectations.commits import with_commit_retry
from expectations.derived import DERIVED, derived_from
from orchestration.housekeeping.vacuum import lake_tables, table_uri

ZONES: dict[str, tuple[str, tuple[str, ...]]] = {
    "sessions": ("CHARGELAKE_RETENTION_SESSIONS_DAYS", ("ocpi/sessions", "ocpi/cdrs")),
    "telemetry": ("CHARGELAKE_RETENTION_TELEMETRY_DAYS", ("telemetry/meter_values", "telemetry/alarms")),
}
SCHEMA = pa.schema(
    [
        ("applied_at", pa.timestamp("us", tz="UTC")),
        ("zone", pa.string()),
        ("retain_days", pa.int64()),
        ("before_date", pa.string()),
        ("table_rows", pa.string()),  # JSON: raw table -> rows deleted
    ]
)


@dataclass
class RetentionPlan:
    applied: bool
    # zone -> (retention days, first partition kept, {raw table: partitions to delete})
    zones: dict[str, tuple[int, str, dict[str, list[str]]]] = field(default_factory=dict)
    deleted_rows: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if not self.zones:
            return ["  retention: none configured (CHARGELAKE_RETENTION_*_DAYS): every raw partition is kept"]
        verb = "deleted" if self.applied else "would delete"
        out = []
        for zone, (days, keep_from, tables) in sorted(self.zones.items()):
            parts = sorted({p for ps in tables.values() for p in ps})
            out.append(
                f"  retention {zone} ({days} days, partitions before {keep_from}): {verb} {len(parts)} partitions"
                + (f" ({parts[0]} .. {parts[-1]})" if parts else "")
            )
        return out


def retention_days(settings: Settings) -> dict[str, int | None]:
    """Days each zone is kept (None: every partition), as configured (CHARGELAKE_RETENTION_*_DAYS)."""
    return {"sessions": settings.retention_sessions_days, "telemetry": settings.retention_telemetry_days}


def _family(lake: Lake, root: str) -> list[str]:
    """The root table, its child tables and the derived tables computed from them that exist in the
    lake (`ocpi/cdrs`, `ocpi/cdrs__...`, `derived/cdr_signed_readings`)."""
    source, table = root.split("/")
    derived = {f"{DERIVED}/{t.name}" for t in derived_from(source, table)}
    return [name for name in lake_tables(lake) if name == root or name.startswith(root + "__") or name in derived]


def _old_partitions(lake: Lake, table: str, before: str) -> list[str]:
    dt = DeltaTable(table_uri(lake, table), storage_options=lake.delta_storage_options())
    days = set(dt.get_add_actions(flatten=True).column("partition.partition_date").to_pylist())
    return sorted(d for d in days if d and d < before)


def _delete_before(lake: Lake, uri: str, before: str) -> int:
    result: dict = {}

    def delete() -> None:
        table = DeltaTable(uri, storage_options=lake.delta_storage_options())
        result.update(table.delete(f"partition_date < '{before}'"))

    with_commit_retry(delete, uri)
    return int(result.get("num_deleted_rows", 0))


def apply_retention(
    lake: Lake, apply: bool, days_by_zone: dict[str, int | None], today: date | None = None
) -> RetentionPlan:
    plan = RetentionPlan(apply)
    today = today or datetime.now(UTC).date()
    for zone, (_, roots) in ZONES.items():
        days = days_by_zone.get(zone)
        if days is None:
            continue
        before = (today - timedelta(days=days)).isoformat()
        tables = {t: _old_partitions(lake, t, before) for root in roots for t in _family(lake, root)}
        tables = {t: p for t, p in tables.items() if p}
        plan.zones[zone] = (days, before, tables)
        if not apply or not tables:
            continue
        rows = {t: _delete_before(lake, table_uri(lake, t), before) for t in tables}
        plan.deleted_rows.update(rows)
        record = {
            "applied_at": datetime.now(UTC),
            "zone": zone,
            "retain_days": days,
            "before_date": before,
            "table_rows": json.dumps(rows, sort_keys=True),
        }
        append_row(lake, lake.path("audit", "retention"), record, SCHEMA)
    return plan


def last_retention_at(lake: Lake) -> datetime | None:
    return newest(lake, lake.path("audit", "retention"), "applied_at")
