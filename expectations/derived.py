"""The derived zone (`<lake>/derived/<table>/`): tables computed in Python, with the raw zone's
write-audit-publish commit point. Two kinds:

- **by partition** (`DerivedTable`): computed from published raw partitions (OCMF verification);
- **snapshot** (`DerivedSnapshot`): computed from what the user configured (the cost-centre map,
  pseudonymised with the lake's key), replaced whole when its content changes.

A derived partition is computed from one published partition of its input family (same
`partition_date`), audited (the table's own checks; a failure publishes nothing and names the
partition), replaced in one Delta commit (`replaceWhere`) and counts for readers once its audit row
is written to `audit/publications` (source `derived`), exactly as the gate publishes a raw
partition: dbt reads it through the same `published_runs` / `unbuilt_partitions` macros. The row's
`extract_notes.inputs` names the input publication it was computed from, so a re-published input
(a rerun, a late backfill) is derived again and an unchanged one is not. Why a zone and not a dbt
Python model: the computation then runs the same whichever engine builds the marts (docs/scaling.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from chargelake.cost_centres import SCHEMA as COST_CENTRE_MAP_SCHEMA
from chargelake.lake import Lake
from chargelake.ocmf.batch import SCHEMA as SIGNED_READINGS
from chargelake.ocmf.batch import signed_values_of, verify_table
from expectations.audit import Publication, read_publications, record
from expectations.commits import with_commit_retry
from expectations.publish import PARTITION_COLUMN, RUN_ID_KEY, commit_version
from expectations.suites import derived as suites
from expectations.unchanged import read_partition, same_content

DERIVED = "derived"  # the `source` of a derived table's audit rows and its dbt source's name
INPUTS_KEY = "chargelake.inputs"  # commit metadata: the input publications a commit was computed from

Inputs = dict[str, pa.Table | None]  # input table name -> the partition's published rows (None: none)


class DerivationError(RuntimeError):
    """A derived partition failed its audit: nothing of it was published."""


@dataclass(frozen=True)
class DerivedTable:
    name: str
    source: str  # the raw source it is computed from
    family: str  # the input root table whose publications drive it
    record_column: str  # holds the `_dlt_id` of the input root row a derived row comes from (erasure)
    inputs: tuple[str, ...]  # the family's tables it reads
    schema: pa.Schema  # the rows `compute` returns
    compute: Callable[[Inputs], pa.Table]
    audit: Callable[[Inputs, pa.Table], list[str]]  # what is wrong with the output (empty: publish)
    description: str

    def stored_schema(self) -> pa.Schema:
        return with_commit_columns(self.schema)


def with_commit_columns(schema: pa.Schema) -> pa.Schema:
    """A derived table's rows as stored: with the run that wrote them and their partition."""
    return pa.schema([*schema, pa.field("_run_id", pa.string()), pa.field(PARTITION_COLUMN, pa.string())])


def ensure_derived(lake: Lake, table: DerivedTable | DerivedSnapshot) -> None:
    """Create the table, empty, if it does not exist: dbt reads it before anything is derived."""
    uri = lake.derived(table.name)
    try:
        DeltaTable(uri, storage_options=lake.delta_storage_options())
    except TableNotFoundError:
        with_commit_retry(
            lambda: DeltaTable.create(
                uri,
                table.stored_schema(),
                partition_by=[PARTITION_COLUMN],
                mode="ignore",
                storage_options=lake.delta_storage_options(),
            ),
            uri,
        )


def _latest_runs(pubs: pa.Table, source: str, table: str) -> dict[str, dict]:
    """partition_date -> the latest publish row of `source.table` for that day."""
    mask = pc.and_(pc.equal(pubs["source"], source), pc.equal(pubs["table_name"], table))
    rows = pubs.filter(pc.and_(mask, pc.equal(pubs["action"], "publish")))
    latest: dict[str, dict] = {}
    for row in rows.select(["partition_date", "run_id", "finished_at", "extract_notes"]).to_pylist():
        held = latest.get(row["partition_date"])
        if held is None or row["finished_at"] > held["finished_at"]:
            latest[row["partition_date"]] = row
    return latest


def pending(lake: Lake, table: DerivedTable) -> list[tuple[str, str]]:
    """(partition_date, input run id) of every input partition whose latest publication has not been
    derived yet, oldest first."""
    if not lake.filesystem().exists(lake.publications()):
        return []
    pubs = read_publications(lake)
    inputs = _latest_runs(pubs, table.source, table.family)
    derived = _latest_runs(pubs, DERIVED, table.name)
    todo = []
    for day, pub in sorted(inputs.items()):
        done = derived.get(day)
        computed_from = json.loads(done["extract_notes"] or "{}").get("inputs", {}) if done else {}
        if computed_from.get(f"{table.source}.{table.family}") != pub["run_id"]:
            todo.append((day, pub["run_id"]))
    return todo


def read_inputs(lake: Lake, table: DerivedTable, day: str, input_run: str) -> Inputs:
    """The partition's rows of the published run only: rows another run left behind (a publisher
    killed between two commits) are not published content."""
    out: Inputs = {}
    for name in table.inputs:
        rows = read_partition(lake, lake.raw(table.source, name), day)
        out[name] = None if rows is None else rows.filter(pc.equal(rows["_run_id"], input_run))
    return out


def derive_partition(lake: Lake, table: DerivedTable, day: str, input_run: str, run_id: str) -> dict:
    """Compute, audit and publish one partition; the audit row. Raises DerivationError (nothing
    published) when the output fails the table's audit."""
    started = datetime.now(UTC)
    inputs = read_inputs(lake, table, day, input_run)
    data = table.compute(inputs)
    problems = table.audit(inputs, data)
    if problems:
        raise DerivationError(
            f"{DERIVED}.{table.name} {day} (from {table.source}.{table.family} run {input_run}) not published: "
            + "; ".join(problems)
        )
    uri = lake.derived(table.name)
    computed_from = {f"{table.source}.{table.family}": input_run}
    _write(lake, uri, data, table.stored_schema(), run_id, computed_from, day, replace_partition=True)
    return _record(lake, table.name, day, run_id, data.num_rows, uri, started, computed_from)


def _write(
    lake: Lake,
    uri: str,
    data: pa.Table,
    schema: pa.Schema,
    run_id: str,
    inputs: dict[str, str],
    day: str,
    replace_partition: bool,
) -> None:
    """One Delta commit of `data` as partition `day`: replacing that partition, or the whole table
    (a snapshot). The commit names the run and what it was computed from."""
    data = data.append_column("_run_id", pa.array([run_id] * data.num_rows, pa.string()))
    data = data.append_column(PARTITION_COLUMN, pa.array([day] * data.num_rows, pa.string()))
    commit = CommitProperties(custom_metadata={RUN_ID_KEY: run_id, INPUTS_KEY: json.dumps(inputs)})
    where = {"predicate": f"{PARTITION_COLUMN} = '{day}'"} if replace_partition else {}
    with_commit_retry(
        lambda: write_deltalake(
            uri,
            data.cast(schema),
            partition_by=[PARTITION_COLUMN],
            mode="overwrite",
            commit_properties=commit,
            storage_options=lake.delta_storage_options(),
            **where,
        ),
        uri,
    )


def _record(
    lake: Lake, name: str, day: str, run_id: str, rows: int, uri: str, started: datetime, inputs: dict[str, str]
) -> dict:
    """The audit row that makes a derived commit count (the `published_runs` macro reads it)."""
    return record(
        lake,
        Publication(
            action="publish",
            source=DERIVED,
            table_name=name,
            partition_date=day,
            run_id=run_id,
            load_id=None,
            window_start=None,
            window_end=None,
            rows=rows,
            table_rows={name: rows},
            file_checksums=[],
            delta_versions={name: commit_version(lake, uri, run_id)},
            suite=f"{DERIVED}.{name}",
            validation_success=True,
            validation_result_path="",
            failures=[],
            location=uri,
            started_at=started,
            extract_notes={"inputs": inputs},
            validation_flags={},
        ),
    )


@dataclass(frozen=True)
class DerivedSnapshot:
    name: str
    schema: pa.Schema
    audit: Callable[[pa.Table], list[str]]  # what is wrong with the rows (empty: publish)
    description: str

    def stored_schema(self) -> pa.Schema:
        return with_commit_columns(self.schema)


def publish_snapshot(
    lake: Lake, snapshot: DerivedSnapshot, data: pa.Table, run_id: str, inputs: dict[str, str], day: str
) -> dict | None:
    """Audit `data` and replace the whole table with it, as the snapshot of `day`, with an audit row
    whose `extract_notes.inputs` says what it was computed from (never a secret: a key's id, a file's
    digest). None when the table already holds the same rows: nothing written."""
    problems = snapshot.audit(data)
    if problems:
        raise DerivationError(f"{DERIVED}.{snapshot.name} not published: " + "; ".join(problems))
    uri = lake.derived(snapshot.name)
    stored = read_partitions(lake, uri)
    if stored is not None and same_content(stored, data):
        return None
    started = datetime.now(UTC)
    _write(lake, uri, data, snapshot.stored_schema(), run_id, inputs, day, replace_partition=False)
    return _record(lake, snapshot.name, day, run_id, data.num_rows, uri, started, inputs)


def read_partitions(lake: Lake, uri: str) -> pa.Table | None:
    """Every row of a small derived table (None: no table or no rows)."""
    try:
        days = DeltaTable(uri, storage_options=lake.delta_storage_options()).partitions()
    except TableNotFoundError:
        return None
    parts = [read_partition(lake, uri, p[PARTITION_COLUMN]) for p in days]
    parts = [p for p in parts if p is not None]
    return pa.concat_tables(parts, promote_options="permissive") if parts else None


def _signed_values(inputs: Inputs) -> pa.Table:
    return signed_values_of(inputs["cdrs"], inputs["cdrs__signed_data__signed_values"])


CDR_SIGNED_READINGS = DerivedTable(
    name="cdr_signed_readings",
    source="ocpi",
    family="cdrs",
    record_column="cdr_record_id",
    inputs=("cdrs", "cdrs__signed_data__signed_values"),
    schema=SIGNED_READINGS,
    compute=lambda inputs: verify_table(_signed_values(inputs)),
    audit=lambda inputs, out: suites.signed_readings(_signed_values(inputs), out),
    description="Every reading of every signed value of every raw CDR row, with the verification status of "
    "its signed record (OCMF, ECDSA with the `cryptography` package; docs/signed-data.md).",
)

DERIVED_TABLES = (CDR_SIGNED_READINGS,)

COST_CENTRE_MAP = DerivedSnapshot(
    name="cost_centre_map",
    schema=COST_CENTRE_MAP_SCHEMA,
    audit=suites.cost_centre_map,
    description="The user's cost-centre map (chargelake/cost_centres.py), token uids and contract ids "
    "pseudonymised with the lake's key as it is loaded: the warehouse never sees the key or a card number.",
)


def derived_from(source: str, family: str) -> list[DerivedTable]:
    """The derived tables computed from a raw table family: what follows its rows when housekeeping
    deletes them (retention, erasure)."""
    return [t for t in DERIVED_TABLES if (t.source, t.family) == (source, family)]
