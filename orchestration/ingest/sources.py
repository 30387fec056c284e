"""The sources the ingest domain knows: how to build each dlt source for a window, and its tables.

Adding a source (telemetry, carbon) means adding an entry here and its suites in `expectations/`;
assets and checks are generated from this table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from chargelake.config import Settings
from extractors.ocpi.settings import MODULES as OCPI_MODULES


@dataclass(frozen=True)
class SourceSpec:
    name: str
    tables: tuple[str, ...]
    description: str
    build: Callable[[Settings, datetime, datetime], object]
    # dlt child tables that dbt reads directly; they become assets of their root table's publish step.
    child_assets: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _ocpi(settings: Settings, start: datetime, end: datetime):
    from extractors.ocpi import ocpi_source

    if not settings.ocpi_url or not settings.ocpi_token:
        raise ValueError("CHARGELAKE_OCPI_URL and CHARGELAKE_OCPI_TOKEN must be set (the demo sets them)")
    return ocpi_source(
        versions_url=settings.ocpi_url,
        token=settings.ocpi_token,
        pseudonym_key=settings.pseudonym_key,
        window_start=start,
        window_end=end,
        plain_token=settings.ocpi_token_plain,
    )


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "ocpi",
        OCPI_MODULES,
        "OCPI 2.2.1 CPO modules, by `last_updated` day",
        _ocpi,
        child_assets={"locations": ("locations__evses",)},
    ),
)
