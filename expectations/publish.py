"""Publish a validated partition into the raw Delta tables, or move it to quarantine.

Publishing replaces exactly `partition_date = <day>` of each table of the family in one commit per
table (Delta `replaceWhere`), so marts never see half a partition and a rerun never duplicates rows.
Earlier versions stay readable through time travel until vacuumed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

from chargelake.lake import Lake
from expectations.commits import with_commit_retry
from expectations.landed import family, read_files
from expectations.unchanged import read_partition, same_content

PARTITION_COLUMN = "partition_date"
RUN_ID_KEY = "chargelake.run_id"  # commit metadata key that identifies the publishing run
# Columns publishing adds to what was landed (dlt's load id comes with the landed files).
PUBLISHED_COLUMNS = (("_dlt_load_id", pa.string()), ("_run_id", pa.string()), (PARTITION_COLUMN, pa.string()))


def published_schema(landed: pa.Schema) -> pa.Schema:
    """A declared (contract) schema as the raw Delta table holds it."""
    fields = list(landed)
    fields += [pa.field(n, t) for n, t in PUBLISHED_COLUMNS if n not in landed.names]
    return pa.schema(fields)


def ensure_tables(lake: Lake, source: str, declared: dict[str, pa.Schema]) -> list[str]:
    """Create, empty, each declared table that does not exist yet: readers (dbt) can rely on every
    table and column of the contract, even before a CPO has sent a single object of its kind."""
    created = []
    for name, schema in sorted(declared.items()):
        uri = lake.raw(source, name)
        if _delta(lake, uri) is None:

            def create(uri: str = uri, schema: pa.Schema = schema) -> None:
                if _delta(lake, uri) is None:
                    DeltaTable.create(
                        uri,
                        published_schema(schema),
                        partition_by=[PARTITION_COLUMN],
                        mode="ignore",
                        storage_options=lake.delta_storage_options(),
                    )

            with_commit_retry(create, uri)
            created.append(name)
    return created


def _partition_has_files(table: DeltaTable, day: str) -> bool:
    return bool(table.file_uris(partition_filters=[(PARTITION_COLUMN, "=", day)]))


@dataclass(frozen=True)
class PublishedTable:
    table: str
    rows: int
    version: int | None  # Delta version of the commit; None if nothing was written


def _existing_tables(lake: Lake, source: str) -> list[str]:
    fs = lake.filesystem()
    root = lake.path("raw", source)
    if not fs.exists(root):
        return []
    return [p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(root, detail=False)]


def _delta(lake: Lake, uri: str) -> DeltaTable | None:
    try:
        return DeltaTable(uri, storage_options=lake.delta_storage_options())
    except TableNotFoundError:
        return None


def commit_version(lake: Lake, uri: str, run_id: str) -> int | None:
    """The version of this run's commit (another run may have committed since)."""
    for commit in _delta(lake, uri).history(limit=50):
        if commit.get(RUN_ID_KEY) == run_id:
            return commit.get("version")
    return None


def publish_family(
    lake: Lake,
    source: str,
    table: str,
    partition: date,
    landed: dict[str, list[str]],
    run_id: str,
    metadata: dict[str, str],
    declared: dict[str, pa.Schema] | None = None,
    published_run: str | None = None,
) -> list[PublishedTable] | None:
    """Replace `partition` in `table` and its child tables with what was landed (nothing: emptied).
    With `published_run` (the run of the partition's latest publication), a family whose every table
    holds the same content, written by that run, is left alone and None is returned
    (expectations/unchanged.py). Rows of another run are what a publisher killed between two commits
    left behind: never counted as published content, so the family is written again whole."""
    predicate = f"{PARTITION_COLUMN} = '{partition.isoformat()}'"
    commit = CommitProperties(custom_metadata={k: str(v) for k, v in metadata.items()})
    ensure_tables(lake, source, declared or {})
    names = sorted(set(landed) | set(family(_existing_tables(lake, source), table)))
    new_data = {}
    for name in names:
        files = landed.get(name, [])
        data = read_files(lake, files) if files else None
        new_data[name] = None if data is not None and data.num_rows == 0 else data  # empty file: nothing sent
    if published_run is not None and all(
        _holds_published(
            read_partition(lake, lake.raw(source, name), partition.isoformat()), new_data[name], published_run
        )
        for name in names
    ):
        return None
    out = []
    for name in names:
        uri = lake.raw(source, name)
        data = new_data[name]
        if data is not None:
            data = data.append_column("_run_id", pa.array([run_id] * data.num_rows, pa.string()))
            data = data.append_column(PARTITION_COLUMN, pa.array([partition.isoformat()] * data.num_rows))

            def write(uri: str = uri, data: pa.Table = data) -> None:
                write_deltalake(
                    uri,
                    data,
                    partition_by=[PARTITION_COLUMN],
                    mode="overwrite",
                    predicate=predicate,
                    schema_mode="merge",
                    commit_properties=commit,
                    storage_options=lake.delta_storage_options(),
                )

            with_commit_retry(write, uri)
            out.append(PublishedTable(name, data.num_rows, commit_version(lake, uri, run_id)))
        elif (existing := _delta(lake, uri)) is not None and _partition_has_files(existing, partition.isoformat()):
            with_commit_retry(lambda uri=uri: _delta(lake, uri).delete(predicate, commit_properties=commit), uri)
            out.append(PublishedTable(name, 0, commit_version(lake, uri, run_id)))
    return out


def _holds_published(stored: pa.Table | None, new: pa.Table | None, published_run: str) -> bool:
    if stored is not None and stored.num_rows and set(stored.column("_run_id").to_pylist()) != {published_run}:
        return False
    return same_content(stored, new)


def quarantine_family(
    lake: Lake, source: str, table: str, landed: dict[str, list[str]], run_id: str, validation: dict
) -> str:
    """Move the landed files out of the way, next to the validation result that rejected them."""
    fs = lake.filesystem()
    target = lake.quarantine(run_id, source, table)
    for name, files in landed.items():
        for f in files:
            fs.mv(f, f"{target}/{name}/{f.rsplit('/', 1)[-1]}")
    with fs.open(f"{target}/validation.json", "w") as fh:
        json.dump(validation, fh, indent=1, default=str)
    return target
