"""The sources the ingest domain knows: how to build each dlt source for a window, and its tables.

Adding a source (telemetry, carbon) means adding an entry here, its contract in `chargelake/contracts/`
and its suites in `expectations/`; assets and checks are generated from this table.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from chargelake.config import ConfigError, Settings
from chargelake.contract import load_contract
from extractors.ocpi.settings import MODULES as OCPI_MODULES
from extractors.ocpi.settings import SNAPSHOT_MODULES as OCPI_SNAPSHOTS


@dataclass(frozen=True)
class SourceSpec:
    name: str
    tables: tuple[str, ...]
    description: str
    # (settings, window start, window end, tables to extract, notes the source fills) -> dlt source
    build: Callable[[Settings, datetime, datetime, Sequence[str], dict[str, Any]], object]
    # Tables read completely and published as a snapshot of the day they were taken.
    snapshot_tables: frozenset[str] = frozenset()
    # dlt child tables that dbt reads directly; they become assets of their root table's publish step.
    child_assets: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def declared(self, table: str) -> dict[str, pa.Schema]:
        """The family of `table` (root and child tables) as the source's contract declares it."""
        return {t.name: t.arrow_schema() for t in load_contract(self.name).family(table)}


def _ocpi(settings: Settings, start: datetime, end: datetime, modules: Sequence[str], notes: dict[str, Any]):
    from extractors.ocpi import ocpi_source

    if not settings.ocpi_url or not settings.ocpi_token:
        raise ConfigError("CHARGELAKE_OCPI_URL and CHARGELAKE_OCPI_TOKEN must be set (`chargelake demo` sets them)")
    return ocpi_source(
        versions_url=settings.ocpi_url,
        token=settings.ocpi_token,
        pseudonym_key=settings.pseudonym_key,
        window_start=start,
        window_end=end,
        modules=tuple(modules),
        plain_token=settings.ocpi_token_plain,
        party=settings.ocpi_party,
        stats=notes,
    )


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "ocpi",
        OCPI_MODULES,
        "OCPI CPO modules (2.2.1, 2.2 or 2.1.1): sessions and CDRs by `last_updated` day, "
        "locations, tariffs and tokens as daily snapshots",
        _ocpi,
        snapshot_tables=OCPI_SNAPSHOTS,
        child_assets={
            "locations": ("locations__evses",),
            "tariffs": ("tariffs__elements", "tariffs__elements__price_components"),
        },
    ),
)
