"""`chargelake lake vacuum`: what the lake may forget after N days, and forgetting it on request.

- Delta files superseded more than N days ago in every raw and derived table (a re-published day leaves the old
  files behind for time travel): Delta's own VACUUM, which never touches a file the table references;
  and the log entries older than N days (after a checkpoint), whose file statistics can hold values
  of deleted rows (an erasure, docs/privacy.md). Time travel reaches back N days after it.
- Landing folders (`landing/<run_id>/`) of runs finished more than N days ago: what the gate
  validated, already published to raw (the publication keeps their SHA-256 checksums).
- Quarantine folders (`quarantine/<run_id>/`) older than N days: rejected data someone has had N days
  to look at.

Before that, raw partitions older than their zone's retention are deleted (orchestration/housekeeping/retention.py).

Dry run by default: it lists what it would remove. `--apply` removes it. Audit rows
(`audit/publications`), validation results and the marts are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.derived import DERIVED


@dataclass
class VacuumPlan:
    retain_days: int
    applied: bool
    delta_files: dict[str, list[str]] = field(default_factory=dict)  # raw table -> files
    folders: dict[str, list[str]] = field(default_factory=dict)  # landing | quarantine -> run folders
    bytes_by_zone: dict[str, int] = field(default_factory=dict)
    retention_lines: list[str] = field(default_factory=list)  # orchestration/housekeeping/retention.py

    def lines(self) -> list[str]:
        verb = "removed" if self.applied else "would remove"
        n_delta = sum(len(v) for v in self.delta_files.values())
        out = [
            f"lake vacuum (retain {self.retain_days} days, {'applied' if self.applied else 'dry run'}):",
            *self.retention_lines,
            f"  raw Delta tables: {verb} {n_delta} superseded files in {len(self.delta_files)} tables"
            f" ({self.bytes_by_zone.get('raw', 0):,} bytes)",
        ]
        for table, files in sorted(self.delta_files.items()):
            out.append(f"    {table}: {len(files)} files")
        for zone in ("landing", "quarantine"):
            runs = self.folders.get(zone, [])
            out.append(f"  {zone}: {verb} {len(runs)} run folders ({self.bytes_by_zone.get(zone, 0):,} bytes)")
            out += [f"    {r}" for r in runs]
        if not self.applied:
            out.append("  nothing was removed: run again with --apply to remove it")
        return out


def table_uri(lake: Lake, name: str) -> str:
    """The Delta table a name of `lake_tables` stands for."""
    first, table = name.split("/", 1)
    return lake.derived(table) if first == DERIVED else lake.raw(first, table)


def lake_tables(lake: Lake) -> dict[str, str]:
    """Every Delta table of the raw and derived zones: `<source>/<table>` (raw) or `derived/<table>`
    (computed from raw, expectations/derived.py) -> its URI, in name order."""
    fs = lake.filesystem()
    found = {}
    for zone in ("raw", DERIVED):
        root = lake.path(zone)
        if not fs.exists(root):
            continue
        folders = fs.ls(root, detail=False)
        if zone == "raw":
            folders = [t for source in folders for t in fs.ls(source, detail=False)]
        for folder in folders:
            if fs.exists(f"{folder}/_delta_log"):
                parts = folder.rstrip("/").rsplit("/", 2)
                name = f"{parts[-2]}/{parts[-1]}" if zone == "raw" else f"{DERIVED}/{parts[-1]}"
                found[name] = table_uri(lake, name)
    return dict(sorted(found.items()))


def _newest(fs, folder: str) -> tuple[datetime | None, int]:
    """The newest modification time and total size of the files under `folder`."""
    newest, size = None, 0
    for info in fs.find(folder, detail=True).values():
        size += int(info.get("size") or 0)
        stamp = info.get("mtime") or info.get("LastModified")
        if isinstance(stamp, int | float):
            stamp = datetime.fromtimestamp(stamp, UTC)
        if stamp is not None and (newest is None or stamp > newest):
            newest = stamp
    return newest, size


def _finished_tables(lake: Lake) -> dict[str, set[str]]:
    """run_id -> the source/table families the gate published or quarantined in that run."""
    from expectations.audit import read_publications

    if not lake.filesystem().exists(lake.publications()):
        return {}
    out: dict[str, set[str]] = {}
    for p in read_publications(lake).select(["run_id", "source", "table_name"]).to_pylist():
        out.setdefault(p["run_id"], set()).add(f"{p['source']}/{p['table_name']}")
    return out


def forget_history(lake: Lake, uri: str, retain_days: int) -> None:
    """Remove what Delta keeps of earlier versions: the superseded data files (VACUUM) and the log
    entries before a new checkpoint, whose file statistics (min/max per column) can hold a deleted
    value. Time travel to versions older than `retain_days` ends here."""
    options = lake.delta_storage_options()
    DeltaTable(uri, storage_options=options).vacuum(
        retention_hours=retain_days * 24, dry_run=False, enforce_retention_duration=False
    )
    DeltaTable(uri, storage_options=options).alter.set_table_properties(
        {"delta.logRetentionDuration": f"interval {retain_days} days"}
    )
    table = DeltaTable(uri, storage_options=options)
    table.create_checkpoint()
    table.cleanup_metadata()


def vacuum_lake(
    lake: Lake, retain_days: int, apply: bool = False, retention: dict[str, int | None] | None = None
) -> VacuumPlan:
    """`retention`: days kept per zone (orchestration/housekeeping/retention.py); None: as configured."""
    if retain_days < 0:
        raise ValueError("--retain-days must be 0 or more")
    from chargelake.config import Settings
    from orchestration.housekeeping.retention import apply_retention, retention_days

    plan = VacuumPlan(retain_days, apply)
    # Partitions past their zone's retention go first, so their files are vacuumed below.
    if retention is None:
        retention = retention_days(Settings.from_env(needs_key=False))
    plan.retention_lines = apply_retention(lake, apply, retention).lines()
    fs = lake.filesystem()
    for name, table in lake_tables(lake).items():
        dt = DeltaTable(table, storage_options=lake.delta_storage_options())
        listed = dt.vacuum(retention_hours=retain_days * 24, dry_run=True, enforce_retention_duration=False)
        # Delta keeps a removed file's tombstone after the file is gone: count what is still there.
        files = [f for f in listed if fs.exists(f"{table}/{f}")]
        if files:
            plan.delta_files[name] = sorted(files)
            zone = DERIVED if name.startswith(f"{DERIVED}/") else "raw"
            plan.bytes_by_zone[zone] = plan.bytes_by_zone.get(zone, 0) + sum(
                int(fs.info(f"{table}/{f}").get("size") or 0) for f in files
            )
            if apply:
                forget_history(lake, table, retain_days)
    cutoff = datetime.now(UTC) - timedelta(days=retain_days)
    finished = _finished_tables(lake)
    for zone in ("landing", "quarantine"):
        root = lake.path(zone)
        if not fs.exists(root):
            continue
        for folder in sorted(fs.ls(root, detail=False)):
            run_id = folder.rstrip("/").rsplit("/", 1)[-1]
            if zone == "landing" and run_id not in finished:
                continue  # no gate has run for it: in flight, or died before; a rerun needs nothing here
            newest, size = _newest(fs, folder)
            # Whatever --retain-days says, nothing written in the last hour goes (a run may be mid-gate).
            if newest is None or newest <= min(cutoff, datetime.now(UTC) - timedelta(hours=1)):
                plan.folders.setdefault(zone, []).append(folder.rsplit("/", 1)[-1])
                plan.bytes_by_zone[zone] = plan.bytes_by_zone.get(zone, 0) + size
                if apply:
                    fs.rm(folder, recursive=True)
    return plan
