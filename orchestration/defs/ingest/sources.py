"""The sources the ingest domain knows: each catalogued source (chargelake/catalogue.py) bound to the
function that builds its dlt source for a window.

The tables (root, snapshot, child tables dbt reads) come from the contract's catalogue; what is here is
how to extract. Adding a source means its contract (with its catalogue block) in `chargelake/contracts/`,
its extractor and a binding below, and its suites in `expectations/`; assets and checks are generated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyarrow as pa

from chargelake.catalogue import Catalogue, load_catalogue
from chargelake.config import ConfigError, Settings
from chargelake.contract import load_contract


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
        from extractors.ocpp_logs.helpers import log_filesystem

        return ocpp_logs_source(
            log_url=settings.ocpp_log_url,
            filesystem=log_filesystem(settings.ocpp_log_url, settings.storage),
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


@dataclass(frozen=True)
class Binding:
    """How a catalogued source is extracted: what Dagster says it is, its dlt source, its preconditions."""

    description: str
    build: Callable[[Settings, datetime, datetime, Sequence[str], dict[str, Any]], object]
    unconfigured: Callable[[Settings], str | None] = lambda settings: None


BINDINGS: dict[str, Binding] = {
    "ocpi": Binding(
        "OCPI CPO modules (2.2.1, 2.2 or 2.1.1): sessions and CDRs by `last_updated` day, "
        "locations, tariffs and tokens as daily snapshots",
        _ocpi,
    ),
    "telemetry": Binding(
        "OCPP telemetry (the telemetry API or OCPP-J message logs): meter values and alarms by the day "
        "they were received, charge points as daily snapshots",
        _telemetry,
        _telemetry_unconfigured,
    ),
    "carbon": Binding(
        "Grid carbon intensity per zone and half-hour/hour, by the day the period starts",
        _carbon,
        _carbon_unconfigured,
    ),
}


def source_specs(catalogue: Catalogue | None = None) -> tuple[SourceSpec, ...]:
    """Every catalogued source with its binding, in catalogue order."""
    specs = []
    for entry in (catalogue or load_catalogue()).sources:
        if entry.name not in BINDINGS:
            raise ConfigError(f"source {entry.name!r} is catalogued but no extractor is bound to it (BINDINGS)")
        binding = BINDINGS[entry.name]
        specs.append(
            SourceSpec(
                entry.name,
                entry.raw_tables,
                binding.description,
                binding.build,
                snapshot_tables=entry.snapshot_tables,
                child_assets=entry.child_assets,
                unconfigured=binding.unconfigured,
            )
        )
    return tuple(specs)


SOURCES: tuple[SourceSpec, ...] = source_specs()
