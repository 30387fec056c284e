"""Copy every table of the `marts` schema to `<lake>/marts/<audience>/<model>/` as Parquet, for BI
tools and other engines that read files rather than the DuckDB warehouse. The audience (`shared` or
`restricted`, orchestration/defs/warehouse/audiences.py) is a prefix of its own, so a storage policy can
grant the aggregates without the session-level marts (docs/access.md)."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq

from chargelake.lake import Lake
from orchestration.defs.warehouse.audiences import audience


def export_marts(warehouse_path: str, lake: Lake) -> dict[str, int]:
    fs = lake.filesystem()
    out: dict[str, int] = {}
    con = duckdb.connect(warehouse_path, read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
        audiences = {table: audience(table) for table in tables}  # refuse before writing anything
        for table in tables:
            arrow = con.execute(f'select * from marts."{table}"').arrow()
            arrow = arrow.read_all() if hasattr(arrow, "read_all") else arrow
            target = f"{lake.marts(table, audiences[table])}/{table}.parquet"
            with fs.open(target, "wb") as fh:
                pq.write_table(arrow, fh)
            out[table] = arrow.num_rows
    finally:
        con.close()
    return out
