"""Copies of the demo lake that privacy tests change: scanning every file for a value, rebuilding the
warehouse, and per-card figures to compare before and after."""

import os
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
KEY = "e2e-key-0123456789abcdef0123456789abcdef"


def lake_env(root: Path, key: str = KEY, **extra: str) -> dict[str, str]:
    """A CLI subprocess's environment for the copy at `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGELAKE_")}
    return {
        **env,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": key,
        **extra,
    }


def traces(root: Path, needles: set[str]) -> list[str]:
    """Files under `root` holding any needle: Parquet by its string columns, DuckDB by SQL over every
    text column, workbooks by their XML, anything else byte for byte."""
    found = []
    raw = [n.encode() for n in needles]
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            for name in table.column_names:
                text = pa.types.is_string(table.schema.field(name).type)
                if text and pc.any(pc.is_in(table[name], pa.array(sorted(needles)))).as_py():
                    found.append(f"{path.relative_to(root)}:{name}")
        elif path.suffix == ".duckdb":
            con = duckdb.connect(str(path), read_only=True)
            try:
                for schema, table, column in con.execute(
                    "select table_schema, table_name, column_name from information_schema.columns"
                    " where data_type = 'VARCHAR'"
                ).fetchall():
                    marks = ", ".join("?" * len(needles))
                    sql = f'select count(*) from "{schema}"."{table}" where "{column}" in ({marks})'
                    n = con.execute(sql, sorted(needles)).fetchone()[0]
                    if n:
                        found.append(f"{path.relative_to(root)}:{schema}.{table}.{column}")
            finally:
                con.close()
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                if any(any(r in book.read(n) for r in raw) for n in book.namelist()):
                    found.append(str(path.relative_to(root)))
        elif path.suffix != ".wal" and any(r in path.read_bytes() for r in raw):
            found.append(str(path.relative_to(root)))
    return found


def rebuild(root: Path, monkeypatch, key: str = KEY) -> None:
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    for name, value in {
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": key,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CHARGELAKE_SHARED_WAREHOUSE_PATH", raising=False)
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False)
    assert result.success


def per_card(root: Path) -> dict[str, tuple[int, float]]:
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        return {
            card: (n, round(float(kwh), 6))
            for card, n, kwh in con.execute(
                "select token_uid_pseudonym, count(*), sum(coalesce(cdr_energy_kwh, 0))"
                " from marts.fct_charging_sessions group by 1"
            ).fetchall()
        }
    finally:
        con.close()
