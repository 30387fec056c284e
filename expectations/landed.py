"""What an extraction left in `landing/<run_id>/<source>/`: a root table and its dlt child tables."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.dataset as ds

from chargelake.lake import Lake


@dataclass(frozen=True)
class StagedFile:
    path: str
    bytes: int
    sha256: str


def family(names: list[str], table: str) -> list[str]:
    """`table` and its child tables (`table__list`, `table__list__sublist`, ...)."""
    return sorted(n for n in names if n == table or n.startswith(table + "__"))


def landed_family(lake: Lake, run_id: str, source: str, table: str) -> dict[str, list[str]]:
    fs = lake.filesystem()
    root = lake.landing(run_id, source)
    if not fs.exists(root):
        return {}
    names = [p.rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(root, detail=False)]
    out = {}
    for name in family(names, table):
        files = sorted(p for p in fs.ls(f"{root}/{name}", detail=False) if p.endswith(".parquet"))
        if files:
            out[name] = [_qualified(lake, f) for f in files]
    return out


def _qualified(lake: Lake, path: str) -> str:
    return f"s3://{path}" if lake.is_s3 and not path.startswith("s3://") else path


def read_files(lake: Lake, files: list[str]) -> pa.Table:
    fs = lake.filesystem()
    bare = [f.removeprefix("s3://") for f in files] if lake.is_s3 else files
    table = ds.dataset(bare, format="parquet", filesystem=fs).to_table()
    return plain_types(table)


def plain_types(table: pa.Table) -> pa.Table:
    """dlt writes `_dlt_load_id` dictionary-encoded; Delta and readers want plain strings."""
    fields = [pa.field(f.name, f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in table.schema]
    return table.cast(pa.schema(fields)) if fields != list(table.schema) else table


def describe_files(lake: Lake, files: list[str]) -> list[StagedFile]:
    fs = lake.filesystem()
    out = []
    for f in files:
        digest = hashlib.sha256()
        size = 0
        with fs.open(f, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        out.append(StagedFile(f, size, digest.hexdigest()))
    return out
