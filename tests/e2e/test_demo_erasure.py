"""`chargelake privacy erase` on a copy of the demo: every trace of one simulator card is gone from the
lake (raw, its Delta logs, landing, quarantine, audit, mart exports) and the warehouses after the
next build, whatever the file format, while the other cards' figures are unchanged."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from extractors.common.pseudonymise import pseudonym
from simulator.server import SimConfig
from tests.e2e.conftest import DAYS, SEED, UNTIL

ROOT = Path(__file__).resolve().parents[2]
KEY = "e2e-key-0123456789abcdef0123456789abcdef"


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


def rebuild(root: Path, monkeypatch) -> None:
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    for key, value in {
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": KEY,
    }.items():
        monkeypatch.setenv(key, value)
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


def test_erasure_removes_every_trace_of_one_card_and_keeps_the_others(demo, tmp_path, monkeypatch):
    from datetime import timedelta

    source, proc = demo
    assert proc.returncode == 0
    root = tmp_path / "copy"
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("dagster"))
    before = per_card(root)
    network = SimConfig(seed=SEED, start=UNTIL - timedelta(days=DAYS), end=UNTIL).build()
    card = max(network.tokens, key=lambda t: before.get(pseudonym(KEY, t.uid), (0, 0))[0])
    needles = {pseudonym(KEY, v) for v in (card.uid, card.contract_id, card.visual_number)}
    assert before[pseudonym(KEY, card.uid)][0] > 0 and traces(root, needles)

    env = {
        **{k: v for k, v in __import__("os").environ.items() if not k.startswith("CHARGELAKE_")},
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
        "CHARGELAKE_PSEUDONYM_KEY": KEY,
    }
    erased = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "privacy", "erase", "--token", card.uid, "--vacuum-now"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert erased.returncode == 0, erased.stderr[-3000:]
    assert "ocpi/sessions" in erased.stdout and "ocpi/tokens: 1" in erased.stdout
    rebuild(root, monkeypatch)

    assert traces(root, needles | {card.uid, card.contract_id}) == []
    after = per_card(root)
    assert pseudonym(KEY, card.uid) not in after
    assert after == {k: v for k, v in before.items() if k != pseudonym(KEY, card.uid)}
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        energy = float(con.execute("select sum(energy_consumption_mwh) from marts.rpt_csrd_e1").fetchone()[0])
    finally:
        con.close()
    assert energy > 0
    from deltalake import DeltaTable

    audit = DeltaTable(str(root / "lake" / "audit" / "erasures")).to_pandas()
    assert len(audit) == 1 and audit["vacuumed"].iloc[0] and "ocpi/cdrs" in audit["table_rows"].iloc[0]
