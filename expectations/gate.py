"""The gate: validate a landed partition, then publish it or quarantine it, and audit either way.

Dagster calls the two halves separately (the blocking asset check validates and, on failure,
quarantines; the raw asset publishes), `gate_partition` chains them for everything else. Publishing
re-reads the stored validation outcome: data cannot reach the raw zone unvalidated, even if a check
was skipped.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from chargelake.lake import Lake
from expectations.audit import Publication, last_publication, record
from expectations.landed import describe_files, landed_family, read_files
from expectations.publish import PARTITION_COLUMN, RUN_ID_KEY, ensure_tables, publish_family, quarantine_family
from expectations.suites import rules_for
from expectations.validate import ValidationOutcome, result_path_for, validate_frame, validation_frame


class PublishRefusedError(RuntimeError):
    """Publishing was asked for a partition that has no passing validation in this run."""


@dataclass(frozen=True)
class PartitionRef:
    lake: Lake
    source: str
    table: str
    run_id: str
    partition: date
    window: tuple[datetime, datetime] | None  # None for a snapshot: any last_updated is valid
    load_id: str | None = None
    # Every table of the family as the contract declares it: created empty where nothing was landed.
    declared: dict[str, pa.Schema] = field(default_factory=dict, compare=False)
    # What the extraction said about this table (duplicates removed, re-crawls, snapshot, skip reason).
    extract_notes: dict = field(default_factory=dict, compare=False)

    @property
    def skipped(self) -> str | None:
        """Why nothing is to be published (e.g. today's snapshot exists); None to publish."""
        return self.extract_notes.get("skipped")

    @property
    def outcome_path(self) -> str:
        return f"{self.lake.validations(self.run_id)}/{self.source}.{self.table}.outcome.json"


def validate_partition(ref: PartitionRef) -> ValidationOutcome:
    rules = rules_for(ref.source, ref.table)
    landed = landed_family(ref.lake, ref.run_id, ref.source, ref.table)
    if ref.table not in landed:
        path = result_path_for(ref.lake, ref.run_id, rules.suite_name)
        with ref.lake.filesystem().open(path, "w") as fh:
            json.dump({"success": True, "rows": 0, "note": "no rows landed for this window"}, fh)
        outcome = ValidationOutcome(rules.suite_name, True, 0, path, 0)
    else:
        df = validation_frame(read_files(ref.lake, landed[ref.table]), rules.columns())
        outcome = validate_frame(df, rules, ref.window, ref.lake, ref.run_id, lambda t, c: related_rows(ref, t, c))
    with ref.lake.filesystem().open(ref.outcome_path, "w") as fh:
        json.dump(asdict(outcome), fh)
    return outcome


def related_rows(ref: PartitionRef, table: str, columns: list[str]) -> pd.DataFrame | None:
    """Another table of the source for a cross-table check: what this run landed of it, else its
    latest published partition (e.g. today's charge-point snapshot, else the last one)."""
    landed = landed_family(ref.lake, ref.run_id, ref.source, table)
    if landed.get(table):
        rows = read_files(ref.lake, landed[table])
        if rows.num_rows:
            return rows.select(columns).to_pandas()
    try:
        published = DeltaTable(ref.lake.raw(ref.source, table), storage_options=ref.lake.delta_storage_options())
    except TableNotFoundError:
        return None
    days = sorted(p[PARTITION_COLUMN] for p in published.partitions())
    if not days:
        return None
    rows = published.to_pyarrow_table(partitions=[(PARTITION_COLUMN, "=", days[-1])], columns=columns)
    return rows.to_pandas()


def _publication(ref: PartitionRef, action: str, outcome: ValidationOutcome, landed, started, **kw) -> Publication:
    files = [f for fs in landed.values() for f in fs]
    return Publication(
        action=action,
        source=ref.source,
        table_name=ref.table,
        partition_date=ref.partition.isoformat(),
        run_id=ref.run_id,
        load_id=ref.load_id,
        window_start=ref.window[0] if ref.window else None,
        window_end=ref.window[1] if ref.window else None,
        extract_notes=ref.extract_notes,
        validation_flags=outcome.flags,
        rows=outcome.rows,
        file_checksums=[asdict(f) for f in describe_files(ref.lake, files)],
        suite=outcome.suite,
        validation_success=outcome.success,
        validation_result_path=outcome.result_path,
        failures=outcome.failures,
        started_at=started,
        **kw,
    )


def quarantine_partition(ref: PartitionRef, outcome: ValidationOutcome) -> dict:
    started = datetime.now(UTC)
    landed = landed_family(ref.lake, ref.run_id, ref.source, ref.table)
    pub = _publication(ref, "quarantine", outcome, landed, started, table_rows={}, delta_versions={}, location="")
    pub.location = quarantine_family(ref.lake, ref.source, ref.table, landed, ref.run_id, {"outcome": asdict(outcome)})
    return record(ref.lake, pub)


def stored_outcome(ref: PartitionRef) -> ValidationOutcome | None:
    fs = ref.lake.filesystem()
    if not fs.exists(ref.outcome_path):
        return None
    with fs.open(ref.outcome_path) as fh:
        return ValidationOutcome(**json.load(fh))


def publish_partition(ref: PartitionRef) -> dict | None:
    """The publication row, or None when the extraction left nothing to publish on purpose (the
    tables are still created, empty, so readers find every declared table)."""
    if ref.skipped:
        ensure_tables(ref.lake, ref.source, ref.declared)
        return None
    outcome = stored_outcome(ref)
    if outcome is None or not outcome.success:
        state = "no validation" if outcome is None else "a failed validation"
        raise PublishRefusedError(
            f"refusing to publish {ref.source}.{ref.table} {ref.partition}: run {ref.run_id} has {state}"
        )
    started = datetime.now(UTC)
    landed = landed_family(ref.lake, ref.run_id, ref.source, ref.table)
    metadata = {
        RUN_ID_KEY: ref.run_id,
        "chargelake.load_id": ref.load_id or "",
        "chargelake.window_start": ref.window[0].isoformat() if ref.window else "",
        "chargelake.window_end": ref.window[1].isoformat() if ref.window else "",
        "chargelake.rows": outcome.rows,
        "chargelake.validation_result": outcome.result_path,
        "chargelake.suite": outcome.suite,
    }
    previous = last_publication(ref.lake, ref.source, ref.table, ref.partition.isoformat())
    tables = publish_family(
        ref.lake,
        ref.source,
        ref.table,
        ref.partition,
        landed,
        ref.run_id,
        metadata,
        ref.declared,
        published_run=previous["run_id"] if previous else None,
    )
    if tables is None:  # same content as the raw partition holds: nothing written, the data's versions kept
        pub = _publication(
            ref,
            "unchanged",
            outcome,
            landed,
            started,
            table_rows=json.loads(previous["table_rows"] or "{}"),
            delta_versions=json.loads(previous["delta_versions"] or "{}"),
            location=ref.lake.raw(ref.source, ref.table),
        )
        return record(ref.lake, pub)
    pub = _publication(
        ref,
        "publish",
        outcome,
        landed,
        started,
        table_rows={t.table: t.rows for t in tables},
        delta_versions={t.table: t.version for t in tables},
        location=ref.lake.raw(ref.source, ref.table),
    )
    return record(ref.lake, pub)


def check_partition(ref: PartitionRef) -> tuple[ValidationOutcome, dict | None]:
    """The gate check's work for one day (the `ge_gate` asset check): validate the landed family and,
    on failure, quarantine it. Returns the outcome and the quarantine's audit row (None: it passed)."""
    outcome = validate_partition(ref)
    return outcome, (None if outcome.success else quarantine_partition(ref, outcome))


def publish_checked(ref: PartitionRef) -> tuple[dict | None, str | None]:
    """The publish step's work for one day (the `raw/...` asset): publish what passed its check.
    Returns (the audit row, None), or (None, why nothing was published: a quarantined day, or what
    the extraction skipped on purpose)."""
    outcome = stored_outcome(ref)
    if not ref.skipped and outcome is not None and not outcome.success:
        return None, "quarantined by the gate"  # the other days of a ranged run still publish
    row = publish_partition(ref)
    return (row, None) if row is not None else (None, ref.skipped or "")


def gate_partition(ref: PartitionRef) -> tuple[ValidationOutcome, dict | None]:
    """One day through the gate outside Dagster (tests, benchmarks): the same two steps the check and
    the publish asset run, in order. Returns the outcome and the audit row (quarantine, publish or
    unchanged; None when the extraction left nothing to publish)."""
    outcome, quarantined = check_partition(ref)
    if quarantined is not None:
        return outcome, quarantined
    row, _ = publish_checked(ref)
    return outcome, row
