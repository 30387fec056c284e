"""One raw partition as an auditor sees it: every publish or quarantine of it (which run, which API
window, which files, which validation result, which Delta versions), and what the table holds now."""

from __future__ import annotations

from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from chargelake.lake import Lake
from orchestration.audit.publications import publications_of


class PartitionNotFoundError(LookupError):
    """Nothing was ever published or quarantined for this partition."""


def describe_partition(lake: Lake, source: str, table: str, day: str) -> dict:
    history = publications_of(lake, source, table, {day})
    if not history:
        raise PartitionNotFoundError(f"no publication of {source}.{table} for {day} in {lake.url}/audit/publications")
    try:
        dt = DeltaTable(lake.raw(source, table), storage_options=lake.delta_storage_options())
        rows_now = dt.to_pyarrow_dataset(partitions=[("partition_date", "=", day)]).count_rows()
        version_now = dt.version()
    except TableNotFoundError:
        rows_now, version_now = 0, None
    published = [p for p in history if p["action"] == "publish"]
    return {
        "source_table": f"{source}.{table}",
        "partition_date": day,
        "raw_table": lake.raw(source, table),
        "rows_now": rows_now,
        "delta_version_now": version_now,
        "current_publication": published[-1] if published else None,
        "history": history,
    }
