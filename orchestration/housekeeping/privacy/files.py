"""The copies erasure and key rotation rewrite besides the raw Delta tables' current files: landing
and quarantine, run folder by run folder (a quarantined day's rows are nowhere else, and landing keeps
a run's files until `chargelake lake vacuum` removes them), and the tables' history."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from chargelake.lake import Lake
from orchestration.housekeeping.vacuum import forget_history, table_uri

ZONES = ("landing", "quarantine")


def run_folders(lake: Lake) -> Iterator[dict[str, pa.Table]]:
    """Each run folder's Parquet files, read whole (a child row's parent is in the same folder)."""
    fs = lake.filesystem()
    for zone in ZONES:
        root = lake.path(zone)
        if not fs.exists(root):
            continue
        for run_folder in fs.ls(root, detail=False):
            files = sorted(f for f in fs.find(run_folder) if f.endswith(".parquet"))
            yield {f: pq.read_table(pa.BufferReader(fs.open(f, "rb").read())) for f in files}


def write_back(lake: Lake, path: str, table: pa.Table) -> None:
    with lake.filesystem().open(path, "wb") as fh:
        pq.write_table(table, fh)


def forget_now(lake: Lake, tables: list[str]) -> None:
    """`--vacuum-now`: the superseded files and log statistics of these tables (names of `lake_tables`)."""
    for name in tables:
        forget_history(lake, table_uri(lake, name), retain_days=0)


def copies_lines(files_rewritten: int, vacuumed: bool, history_kept: str, rebuild: str) -> list[str]:
    """What a privacy command's summary says about the copies: files, history, warehouse."""
    return [
        f"  landing/quarantine files rewritten: {files_rewritten}",
        "  superseded Delta files and log entries removed now" if vacuumed else f"  {history_kept}",
        f"  the next warehouse build is a full rebuild: {rebuild}",
    ]
