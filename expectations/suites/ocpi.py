"""OCPI raw tables: required columns and enum values come from the raw contract, which is generated
from the OCPI 2.2.1 modules (and tested against them): optional fields may be null, enum checks skip
nulls, required fields are required. Only plausibility bounds are ours."""

from __future__ import annotations

from chargelake.contract import API_VERSION, load_contract
from expectations.rules import TableRules

PARTY = ("country_code", "party_id")
# No single charging session delivers more than this (largest truck batteries are ~600 kWh); a larger
# value is a unit error (Wh reported in a kWh field) and must not reach the marts.
MAX_SESSION_KWH = 1000.0

# Required in 2.2.1 but not always present in OCPI 2.1.1, so never invented for 2.1.1 objects: the
# driver token's type and eMSP party (2.1.1 knows only `auth_id`), the EVSE and connector (2.1.1 sends
# a `location` whose `evses` list may be empty), and a location's time zone (optional in 2.1.1).
_TOKEN_211 = ("cdr_token__country_code", "cdr_token__party_id", "cdr_token__type")
_EVSE_211 = ("evse_id", "evse_uid", "connector_id", "connector_standard", "connector_format", "connector_power_type")
NOT_IN_211 = {
    "sessions": (*_TOKEN_211, "evse_uid", "connector_id"),
    "cdrs": (*_TOKEN_211, *(f"cdr_location__{c}" for c in _EVSE_211)),
    "locations": ("time_zone",),
}
ONLY_22 = f'{API_VERSION} != "2.1.1"'

PLAUSIBLE = {
    "sessions": {"non_negative": ("kwh",), "maximums": {"kwh": MAX_SESSION_KWH}},
    "cdrs": {"non_negative": ("total_energy", "total_time"), "maximums": {"total_energy": MAX_SESSION_KWH}},
}


def _rules(table: str) -> TableRules:
    contract = load_contract("ocpi")
    spec = contract.tables[table]
    exempt = NOT_IN_211.get(table, ())
    enums = {c.name: contract.enums[c.enum] for c in spec.columns if c.enum}
    return TableRules(
        "ocpi",
        table,
        key=(*PARTY, contract.keys[table], "last_updated"),
        required=tuple(c for c in spec.required_columns() if c not in exempt),
        required_when={c: ONLY_22 for c in exempt},
        enums=enums,
        **PLAUSIBLE.get(table, {}),
    )


OCPI_RULES: tuple[TableRules, ...] = tuple(_rules(t) for t in ("locations", "sessions", "cdrs", "tariffs", "tokens"))
