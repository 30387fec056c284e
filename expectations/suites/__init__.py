"""Suites by source; `rules_for(source, table)` finds one."""

from __future__ import annotations

from expectations.rules import TableRules
from expectations.suites.carbon import CARBON_RULES
from expectations.suites.ocpi import OCPI_RULES
from expectations.suites.telemetry import TELEMETRY_RULES

ALL_RULES: dict[tuple[str, str], TableRules] = {
    (r.source, r.table): r for r in (*OCPI_RULES, *TELEMETRY_RULES, *CARBON_RULES)
}


def rules_for(source: str, table: str) -> TableRules:
    try:
        return ALL_RULES[(source, table)]
    except KeyError:
        raise KeyError(f"no expectation suite for {source}.{table}; known: {sorted(ALL_RULES)}") from None
