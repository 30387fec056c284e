"""Is a re-published partition the same as what the raw table already holds?

A rerun of a day whose source did not change (a retry, a forced backfill, today's snapshot taken
again) should leave the lake as it is: no new data files, no new Delta version, and an audit row
that says "unchanged". Content is compared without the columns that only say *when* a row was
loaded (dlt's ids and load id, the run id, the partition column): sorted, column by column, in Arrow.
A column missing on one side counts as all-null there, so a schema that grew does not by itself
count as a change.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from chargelake.lake import Lake

LOAD_COLUMNS = {"_run_id", "partition_date"}


def _content_columns(table: pa.Table) -> set[str]:
    return {
        name
        for name in table.column_names
        if not name.startswith("_dlt_") and name not in LOAD_COLUMNS and table[name].null_count < table.num_rows
    }


def read_partition(lake: Lake, uri: str, day: str, column: str = "partition_date") -> pa.Table | None:
    """The partition's rows as stored (None: no table or no files), read file by file (see
    expectations.audit.read_publications for why not through the Delta dataset scan)."""
    try:
        dt = DeltaTable(uri, storage_options=lake.delta_storage_options())
    except TableNotFoundError:
        return None
    files = dt.file_uris(partition_filters=[(column, "=", day)])
    if not files:
        return None
    fs = lake.filesystem()
    parts = []
    for path in files:
        with fs.open(path, "rb") as fh:
            parts.append(pq.read_table(pa.BufferReader(fh.read())))
    table = pa.concat_tables(parts, promote_options="permissive")
    if column not in table.column_names:  # a partition column lives in the path, not in the files
        table = table.append_column(column, pa.array([day] * table.num_rows, pa.string()))
    return table


def same_content(stored: pa.Table | None, new: pa.Table | None) -> bool:
    stored_rows = 0 if stored is None else stored.num_rows
    new_rows = 0 if new is None else new.num_rows
    if stored_rows != new_rows:
        return False
    if new_rows == 0:
        return True
    columns = sorted(_content_columns(stored) | _content_columns(new))
    if set(columns) - set(stored.column_names) or set(columns) - set(new.column_names):
        return False  # a column with values on one side only
    try:
        left = stored.select(columns)
        right = new.select(columns).cast(left.schema)
        keys = [(c, "ascending") for c in columns]
        return left.sort_by(keys).equals(right.sort_by(keys))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return False  # types that cannot be lined up or sorted: publish, never guess "unchanged"
