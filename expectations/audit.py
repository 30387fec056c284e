"""`audit/publications`: one row per publish or reject, appended to a Delta table.

The row is the auditor's entry point: which run wrote which partition of which table, from which
source window, how many rows in which files (with checksums), under which suite and result.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from chargelake import __version__
from chargelake.lake import Lake
from expectations.commits import with_commit_retry

SCHEMA = pa.schema(
    [
        ("publication_id", pa.string()),
        ("action", pa.string()),  # publish | quarantine | unchanged (re-published, same content: nothing written)
        ("source", pa.string()),
        ("table_name", pa.string()),
        ("partition_date", pa.string()),
        ("run_id", pa.string()),
        ("load_id", pa.string()),
        ("window_start", pa.timestamp("us", tz="UTC")),
        ("window_end", pa.timestamp("us", tz="UTC")),
        ("rows", pa.int64()),
        ("table_rows", pa.string()),  # JSON {table: rows} for the family incl. child tables
        ("files", pa.int64()),
        ("file_checksums", pa.string()),  # JSON [{path, bytes, sha256}]
        ("delta_versions", pa.string()),  # JSON {table: version}
        ("suite", pa.string()),
        ("validation_success", pa.bool_()),
        ("validation_result_path", pa.string()),
        ("failures", pa.string()),
        ("location", pa.string()),  # raw table or quarantine folder
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("finished_at", pa.timestamp("us", tz="UTC")),
        ("code_version", pa.string()),
        # JSON: what extraction said (duplicates removed, re-crawls after X-Total-Count drift, API version)
        ("extract_notes", pa.string()),
        ("validation_flags", pa.string()),  # JSON: what the suite flagged without failing (register resets)
    ]
)


@dataclass
class Publication:
    action: str
    source: str
    table_name: str
    partition_date: str
    run_id: str
    load_id: str | None
    window_start: datetime | None  # None for snapshots
    window_end: datetime | None
    rows: int
    table_rows: dict[str, int]
    file_checksums: list[dict]
    delta_versions: dict[str, int | None]
    suite: str
    validation_success: bool
    validation_result_path: str
    failures: list[str]
    location: str
    started_at: datetime
    extract_notes: dict
    validation_flags: dict


def append_row(lake: Lake, uri: str, row: dict, schema: pa.Schema) -> None:
    """One row appended to an audit table (publications, erasures, retention, key rotations), retried
    on a concurrent commit; `merge` lets a table written by an older version gain new columns."""
    table = pa.Table.from_pylist([row], schema=schema)
    with_commit_retry(
        lambda: write_deltalake(
            uri, table, mode="append", schema_mode="merge", storage_options=lake.delta_storage_options()
        ),
        uri,
    )


def record(lake: Lake, pub: Publication) -> dict:
    row = asdict(pub)
    row.update(
        publication_id=str(uuid.uuid4()),
        files=len(pub.file_checksums),
        table_rows=json.dumps(pub.table_rows, sort_keys=True),
        file_checksums=json.dumps(pub.file_checksums),
        delta_versions=json.dumps(pub.delta_versions, sort_keys=True),
        failures=json.dumps(pub.failures),
        extract_notes=json.dumps(pub.extract_notes, sort_keys=True, default=str),
        validation_flags=json.dumps(pub.validation_flags, sort_keys=True, default=str),
        finished_at=datetime.now(UTC),
        code_version=__version__,
    )
    append_row(lake, lake.publications(), row, SCHEMA)
    return row


def read_delta_files(lake: Lake, uri: str) -> pa.Table | None:
    """A Delta table's current rows (None: no data file), read file by file with pyarrow.parquet
    rather than through `DeltaTable.to_pyarrow_table()`, whose dataset scan can abort the process at
    exit ("terminate called without an active exception", delta-rs#2184): a CLI must exit cleanly."""
    dt = DeltaTable(uri, storage_options=lake.delta_storage_options())
    fs = lake.filesystem()
    parts = []
    for file in dt.file_uris():
        with fs.open(file, "rb") as fh:  # whole files: no Python file object inside pyarrow's threads
            parts.append(pq.read_table(pa.BufferReader(fh.read())))
    return pa.concat_tables(parts, promote_options="permissive") if parts else None


def newest(lake: Lake, uri: str, column: str):
    """The largest value of `column` in a small audit table, or None (no table, or empty)."""
    if not lake.filesystem().exists(uri):
        return None
    table = read_delta_files(lake, uri)
    return None if table is None or not table.num_rows else pc.max(table[column]).as_py()


def read_publications(lake: Lake) -> pa.Table:
    """Every audit row."""
    table = read_delta_files(lake, lake.publications())
    if table is None:
        return SCHEMA.empty_table()
    return pa.table(
        {f.name: table[f.name] if f.name in table.column_names else pa.nulls(len(table), f.type) for f in SCHEMA}
    ).cast(SCHEMA)


def last_publication(lake: Lake, source: str, table: str, partition_date: str) -> dict | None:
    """The latest publish row of one partition, or None (no audit table yet, or never published)."""
    try:
        pubs = read_publications(lake)
    except TableNotFoundError:
        return None
    rows = [
        r
        for r in pubs.filter(pc.equal(pubs["partition_date"], partition_date)).to_pylist()
        if r["action"] == "publish" and r["source"] == source and r["table_name"] == table
    ]
    return max(rows, key=lambda r: r["finished_at"]) if rows else None
