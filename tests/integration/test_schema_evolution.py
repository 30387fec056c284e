"""A column added to the contract later (a new OCPI field, a contract regenerated) reaches the raw
Delta table as an additive schema change: earlier partitions keep their files, read the new column
as null, and stay readable at their old versions."""

from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable

from chargelake.lake import Lake
from expectations.publish import publish_family


def land(lake: Lake, run_id: str, table: pa.Table) -> dict[str, list[str]]:
    path = lake.landing(run_id, "ocpi", "tariffs") + "/part.parquet"
    with lake.filesystem().open(path, "wb") as fh:
        pq.write_table(table, fh)
    return {"tariffs": [path]}


def test_an_added_column_merges_without_rewriting_history(tmp_path):
    lake = Lake(str(tmp_path))
    old = pa.table({"id": ["T1"], "currency": ["EUR"], "_dlt_load_id": ["1"]})
    publish_family(lake, "ocpi", "tariffs", date(2026, 3, 1), land(lake, "r1", old), "r1", {"chargelake.run_id": "r1"})
    uri = lake.raw("ocpi", "tariffs")
    first_files = set(DeltaTable(uri).file_uris())

    new = pa.table({"id": ["T2"], "currency": ["EUR"], "tax_included": ["YES"], "_dlt_load_id": ["2"]})
    publish_family(lake, "ocpi", "tariffs", date(2026, 3, 2), land(lake, "r2", new), "r2", {"chargelake.run_id": "r2"})

    table = DeltaTable(uri)
    assert first_files <= set(table.file_uris())  # the old partition was not rewritten
    rows = {r["id"]: r for r in table.to_pyarrow_table().to_pylist()}
    assert rows["T1"]["tax_included"] is None and rows["T2"]["tax_included"] == "YES"
    assert "tax_included" not in DeltaTable(uri, version=0).schema().to_arrow().names
