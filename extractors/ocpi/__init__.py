"""dlt source for an OCPI 2.2.1 CPO: locations, sessions, cdrs, tariffs and tokens.

One run reads one bounded `last_updated` window ([window_start, window_end)), so a Dagster partition
maps to one stateless, repeatable extraction. Driver-linked identifiers are pseudonymised inside the
resource, before dlt buffers anything on disk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

import dlt
from dlt.sources import DltResource

from extractors.common.errors import SourceError
from extractors.common.normalise import floats_for
from extractors.common.pseudonymise import pseudonymise_paths
from extractors.ocpi.helpers import OcpiClient, Page, ocpi_datetime
from extractors.ocpi.settings import (
    DECIMAL_FIELDS,
    DEFAULT_PAGE_LIMIT,
    MODULES,
    PSEUDONYMISED,
    TIMESTAMP_COLUMNS,
)


def prepare_record(module: str, record: dict, pseudonym_key: str) -> dict:
    """What is written for one OCPI object: pseudonymised, with stable numeric types."""
    record = floats_for(record, DECIMAL_FIELDS)
    return pseudonymise_paths(record, PSEUDONYMISED.get(module, ()), pseudonym_key)


def column_hints(module: str) -> dict:
    columns = TIMESTAMP_COLUMNS if module in ("sessions", "cdrs") else ("last_updated",)
    return {c: {"data_type": "timestamp", "timezone": True} for c in columns}


def module_resource(module: str, pages: Iterable[Page], pseudonym_key: str) -> DltResource:
    """The dlt resource of one OCPI module, fed by pages (from a CPO, or from files in tests)."""
    key = "uid" if module == "tokens" else "id"

    def records() -> Iterator[list[dict]]:
        for page in pages:
            for i, record in enumerate(page.records):
                if not isinstance(record, dict) or not record.get(key):
                    raise SourceError(f"{module} record #{i} of the page has no '{key}'", page.url)
            yield [prepare_record(module, r, pseudonym_key) for r in page.records]

    return dlt.resource(records, name=module, write_disposition="append", columns=column_hints(module))


@dlt.source(name="ocpi", root_key=True, max_table_nesting=4)
def ocpi_source(
    versions_url: str,
    token: str,
    pseudonym_key: str,
    window_start: datetime,
    window_end: datetime,
    modules: Sequence[str] = MODULES,
    plain_token: bool = False,
    page_limit: int = DEFAULT_PAGE_LIMIT,
) -> list[DltResource]:
    client = OcpiClient(versions_url, token, plain_token)
    endpoints = client.endpoints()
    missing = [m for m in modules if m not in endpoints]
    if missing:
        raise SourceError(f"CPO does not offer module(s) {missing} as SENDER", versions_url)
    params = {
        "date_from": ocpi_datetime(window_start),
        "date_to": ocpi_datetime(window_end),
        "offset": 0,
        "limit": page_limit,
    }
    return [module_resource(m, client.pages(endpoints[m], params), pseudonym_key) for m in modules]
