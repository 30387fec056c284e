"""The landing and quarantine copies, run folder by run folder: what erasure and key rotation rewrite
besides the raw Delta tables (a quarantined day's rows are nowhere else, and landing keeps a run's
files until `chargelake lake vacuum` removes them)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from chargelake.lake import Lake

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
