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
from extractors.carbon.settings import TABLES as CARBON_TABLES
from extractors.ocpi.settings import MODULES as OCPI_MODULES
from extractors.ocpi.settings import SNAPSHOT_MODULES as OCPI_SNAPSHOTS
from extractors.telemetry.settings import SNAPSHOT_TABLES as TELEMETRY_SNAPSHOTS
from extractors.telemetry.settings import TABLES as TELEMETRY_TABLES


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
    # Why the source cannot run with these settings (None: it can). A source that is not configured
    # is skipped with that note; the OCPI source is required, so its build says what is missing.
    unconfigured: Callable[[Settings], str | None] = lambda settings: None

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


def _telemetry(settings: Settings, start: datetime, end: datetime, tables: Sequence[str], notes: dict[str, Any]):
    """The telemetry API, or OCPP-J message logs where CHARGELAKE_OCPP_LOG_URL is set: two transports
    of the same messages into the same raw tables (docs/decisions.md)."""
    if settings.ocpp_log_url:
        from extractors.ocpp_logs import ocpp_logs_source

        return ocpp_logs_source(
            log_url=settings.ocpp_log_url,
            day_start=start,
            day_end=end,
            tables=tuple(tables),
            stats=notes,
            pseudonym_key=settings.pseudonym_key,
            api_url=settings.telemetry_url,
            api_token=settings.telemetry_token,
        )
    from extractors.telemetry import telemetry_source

    return telemetry_source(
        base_url=settings.telemetry_url,
        token=settings.telemetry_token,
        day_start=start,
        day_end=end,
        tables=tuple(tables),
        lookback_days=settings.telemetry_lookback_days,
        stats=notes,
    )


def _telemetry_unconfigured(settings: Settings) -> str | None:
    if (settings.telemetry_url and settings.telemetry_token) or settings.ocpp_log_url:
        return None
    return (
        "telemetry is not configured (CHARGELAKE_TELEMETRY_URL and CHARGELAKE_TELEMETRY_TOKEN, "
        "or OCPP-J logs at CHARGELAKE_OCPP_LOG_URL)"
    )


def _carbon(settings: Settings, start: datetime, end: datetime, tables: Sequence[str], notes: dict[str, Any]):
    from extractors.carbon import carbon_source

    return carbon_source(
        zones=settings.carbon_zones,
        day_start=start,
        day_end=end,
        gb_url=settings.carbon_gb_url,
        em_url=settings.carbon_em_url,
        em_token=settings.carbon_em_token,
        stats=notes,
    )


def _carbon_unconfigured(settings: Settings) -> str | None:
    if settings.carbon_zones and (settings.carbon_gb_url or settings.carbon_em_url):
        return None
    return "carbon intensity is not configured (CHARGELAKE_CARBON_ZONES and a CHARGELAKE_CARBON_*_URL)"


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "ocpi",
        OCPI_MODULES,
        "OCPI CPO modules (2.2.1, 2.2 or 2.1.1): sessions and CDRs by `last_updated` day, "
        "locations, tariffs and tokens as daily snapshots",
        _ocpi,
        snapshot_tables=OCPI_SNAPSHOTS,
        child_assets={
            "locations": (
                "locations__evses",
                "locations__evses__connectors",
                "locations__evses__connectors__tariff_ids",
                "locations__opening_times__regular_hours",
            ),
            "cdrs": (
                "cdrs__charging_periods",
                "cdrs__charging_periods__dimensions",
                "cdrs__signed_data__signed_values",
                "cdrs__tariffs",
                "cdrs__tariffs__elements",
                "cdrs__tariffs__elements__price_components",
                "cdrs__tariffs__elements__restrictions__day_of_week",
            ),
            "tariffs": (
                "tariffs__elements",
                "tariffs__elements__price_components",
                "tariffs__elements__restrictions__day_of_week",
            ),
        },
    ),
    SourceSpec(
        "telemetry",
        TELEMETRY_TABLES,
        "OCPP telemetry (the telemetry API or OCPP-J message logs): meter values and alarms by the day "
        "they were received, charge points as daily snapshots",
        _telemetry,
        snapshot_tables=TELEMETRY_SNAPSHOTS,
        unconfigured=_telemetry_unconfigured,
    ),
    SourceSpec(
        "carbon",
        CARBON_TABLES,
        "Grid carbon intensity per zone and half-hour/hour, by the day the period starts",
        _carbon,
        unconfigured=_carbon_unconfigured,
    ),
)
