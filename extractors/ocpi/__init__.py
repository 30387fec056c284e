"""dlt source for an OCPI CPO (2.2.1, 2.2 or 2.1.1): locations, sessions, cdrs, tariffs and tokens.

Sessions and CDRs are read by one bounded `last_updated` window ([window_start, window_end)), so a
Dagster partition maps to one stateless, repeatable extraction. Reference data (locations, tariffs,
tokens) is read completely: a snapshot. Objects are mapped into the 2.2.1 raw contract, driver-linked
identifiers pseudonymised, identical versions seen twice in one crawl dropped (and counted), and the
result handed to dlt as Arrow tables with every declared column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import dlt
from dlt.sources import DltResource

from chargelake.contract import load_contract
from chargelake.pseudonymise import pseudonymise_paths
from extractors.common.errors import SourceError
from extractors.common.flatten import Flattener, content_hash
from extractors.ocpi.helpers import Negotiated, OcpiClient, Page, ocpi_datetime
from extractors.ocpi.settings import CONTRACT_VERSION, DEFAULT_PAGE_LIMIT, MODULES, PSEUDONYMISED, SNAPSHOT_MODULES
from extractors.ocpi.v211 import to_221

FLUSH_ROWS = 5_000  # root objects per Arrow batch handed to dlt


def prepare_record(
    module: str, record: dict, pseudonym_key: str, version: str = CONTRACT_VERSION, party: tuple[str, str] | None = None
) -> dict:
    """One OCPI object as the raw contract holds it: in the 2.2.1 shape, pseudonymised."""
    if version == "2.1.1":
        record = to_221(module, record, party)
    elif party and not record.get("country_code"):
        record = {**record, "country_code": party[0], "party_id": record.get("party_id") or party[1]}
    return pseudonymise_paths(record, PSEUDONYMISED.get(module, ()), pseudonym_key)


def module_resource(
    module: str,
    pages: Iterable[Page],
    pseudonym_key: str,
    version: str = CONTRACT_VERSION,
    party: tuple[str, str] | None = None,
    stats: dict[str, Any] | None = None,
) -> DltResource:
    """The dlt resource of one OCPI module, fed by pages (from a CPO, or from files in tests)."""
    contract = load_contract("ocpi")
    key = contract.keys[module]
    stats = stats if stats is not None else {}

    def tables() -> Iterator[Any]:
        flattener = Flattener(contract, module, version)
        seen: dict[tuple, str] = {}
        duplicates = rows = 0
        for page in pages:
            for i, raw in enumerate(page.records):
                if not isinstance(raw, dict) or not raw.get(key):
                    raise SourceError(f"{module} record #{i} of the page has no '{key}'", page.url)
                record = prepare_record(module, raw, pseudonym_key, version, party)
                version_key = (
                    record.get("country_code"),
                    record.get("party_id"),
                    record[key],
                    str(record.get("last_updated")),
                )
                digest = content_hash(record)
                if seen.get(version_key) == digest:
                    duplicates += 1  # the same version again (offset paging, or a re-read crawl)
                    continue
                seen.setdefault(version_key, digest)
                flattener.add(record, f"{module} record #{i} ({key} {raw.get(key)!r}) of page {page.url}")
                rows += 1
            if len(flattener.rows[module]) >= FLUSH_ROWS:
                yield from _marked(flattener.drain())
        yield from _marked(flattener.drain(include_empty=True))
        stats[module] = {"rows": rows, "duplicates_removed": duplicates, "api_version": version}

    return dlt.resource(tables, name=module, write_disposition="append")


def _marked(tables: Iterable) -> Iterator[Any]:
    for name, table in tables:
        yield dlt.mark.with_table_name(table, name)


def window_params(window_start: datetime, window_end: datetime, page_limit: int) -> dict[str, Any]:
    return {
        "date_from": ocpi_datetime(window_start),
        "date_to": ocpi_datetime(window_end),
        "offset": 0,
        "limit": page_limit,
    }


@dlt.source(name="ocpi")
def ocpi_source(
    versions_url: str,
    token: str,
    pseudonym_key: str,
    window_start: datetime,
    window_end: datetime,
    modules: Sequence[str] = MODULES,
    plain_token: bool | None = None,
    page_limit: int = DEFAULT_PAGE_LIMIT,
    party: tuple[str, str] | None = None,
    stats: dict[str, Any] | None = None,
) -> list[DltResource]:
    """`stats` (if given) receives, per module, rows, duplicates removed and re-crawls, and the
    modules skipped because the CPO does not send them. `party` is the fallback country_code/party_id
    for objects without one when the CPO's credentials do not say."""
    stats = stats if stats is not None else {}
    client = OcpiClient(versions_url, token, plain_token)
    agreed: Negotiated = client.negotiate()
    stats["api_version"] = agreed.version
    own_party = agreed.party or party
    window = window_params(window_start, window_end, page_limit)
    resources = []
    for module in modules:
        if module not in agreed.endpoints:
            why = agreed.not_sent.get(module, f"the CPO does not offer the {module} module")
            stats.setdefault("skipped", {})[module] = why
            continue
        params = {"offset": 0, "limit": page_limit} if module in SNAPSHOT_MODULES else window
        crawl = stats.setdefault("crawls", {}).setdefault(module, {})
        pages = client.pages(agreed.endpoints[module], params, crawl)
        resources.append(module_resource(module, pages, pseudonym_key, agreed.version, own_party, stats))
    return resources
