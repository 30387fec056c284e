"""dlt source for grid carbon intensity: GB Carbon Intensity (national `GB`, regional `GB-<regionid>`)
and Electricity Maps (any other zone), one row per zone and period, partitioned by the UTC day the
period starts. A zone no configured source serves is a note ("no intensity source for zone X"),
not a failed run: that zone has no intensity rows for the day."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import dlt
import pyarrow as pa
from dlt.sources import DltResource

from chargelake.contract import API_VERSION, ID, load_contract
from extractors.carbon.helpers import EmClient, GbClient, ZoneUnavailableError
from extractors.carbon.settings import GB_NATIONAL_ZONE, GB_REGIONAL_PREFIX

SCHEMA = load_contract("carbon").tables["grid_intensity"].arrow_schema()


def _client(zone: str, gb: GbClient | None, em: EmClient | None):
    is_gb = zone == GB_NATIONAL_ZONE or zone.startswith(GB_REGIONAL_PREFIX)
    return gb if is_gb else em


@dlt.source(name="carbon")
def carbon_source(
    zones: Sequence[str],
    day_start: datetime,
    day_end: datetime,
    gb_url: str | None = None,
    em_url: str | None = None,
    em_token: str | None = None,
    stats: dict[str, Any] | None = None,
) -> list[DltResource]:
    """`stats["grid_intensity"]` receives rows per zone and the zones without data, with the reason."""
    notes = (stats if stats is not None else {}).setdefault("grid_intensity", {})
    gb = GbClient(gb_url) if gb_url else None
    em = EmClient(em_url, em_token or "") if em_url else None

    def tables() -> Iterator[pa.Table]:
        rows_by_zone: dict[str, int] = {}
        unavailable: dict[str, str] = {}
        for zone in zones:
            client = _client(zone, gb, em)
            if client is None:
                unavailable[zone] = f"no intensity source for zone {zone} is configured"
                continue
            try:
                # Half an hour before the day too: GB's {from} may exclude the period starting at it.
                rows = [
                    r
                    for r in client.rows(zone, day_start - timedelta(minutes=30), day_end)
                    if day_start <= r["period_start_at"] < day_end
                ]
            except ZoneUnavailableError as exc:
                unavailable[zone] = str(exc)
                continue
            for r in rows:
                r[ID] = f"{r['source']}/{zone}/{r['period_start_at']:%Y%m%dT%H%M}"
                r[API_VERSION] = "v1"
            rows_by_zone[zone] = len(rows)
            yield pa.Table.from_pylist(rows, schema=SCHEMA)
        notes.update(rows_by_zone=rows_by_zone, zones_without_data=unavailable, rows=sum(rows_by_zone.values()))
        yield SCHEMA.empty_table()

    return [dlt.resource(tables, name="grid_intensity", write_disposition="append")]
