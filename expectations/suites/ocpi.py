"""OCPI 2.2.1 raw tables: required fields and enum values from the spec modules
(mod_sessions, mod_cdrs, mod_locations, mod_tariffs, mod_tokens), column names as dlt flattens them."""

from __future__ import annotations

from expectations.rules import TableRules

AUTH_METHOD = frozenset({"AUTH_REQUEST", "COMMAND", "WHITELIST"})
TOKEN_TYPE = frozenset({"AD_HOC_USER", "APP_USER", "OTHER", "RFID"})
SESSION_STATUS = frozenset({"ACTIVE", "COMPLETED", "INVALID", "PENDING", "RESERVATION"})
POWER_TYPE = frozenset({"AC_1_PHASE", "AC_2_PHASE", "AC_2_PHASE_SPLIT", "AC_3_PHASE", "DC"})
PARKING_TYPE = frozenset(
    {"ALONG_MOTORWAY", "PARKING_GARAGE", "PARKING_LOT", "ON_DRIVEWAY", "ON_STREET", "UNDERGROUND_GARAGE"}
)
TARIFF_TYPE = frozenset({"AD_HOC_PAYMENT", "PROFILE_CHEAP", "PROFILE_FAST", "PROFILE_GREEN", "REGULAR"})
WHITELIST = frozenset({"ALWAYS", "ALLOWED", "ALLOWED_OFFLINE", "NEVER"})
PARTY = ("country_code", "party_id")
# No single charging session delivers more than this (largest truck batteries are ~600 kWh); a larger
# value is a unit error (Wh reported in a kWh field) and must not reach the marts.
MAX_SESSION_KWH = 1000.0

OCPI_RULES: tuple[TableRules, ...] = (
    TableRules(
        "ocpi",
        "sessions",
        key=(*PARTY, "id", "last_updated"),
        required=(
            *PARTY,
            "id",
            "start_date_time",
            "kwh",
            "cdr_token__uid",
            "cdr_token__type",
            "auth_method",
            "location_id",
            "evse_uid",
            "connector_id",
            "currency",
            "status",
            "last_updated",
        ),
        non_negative=("kwh",),
        maximums={"kwh": MAX_SESSION_KWH},
        enums={"status": SESSION_STATUS, "auth_method": AUTH_METHOD, "cdr_token__type": TOKEN_TYPE},
    ),
    TableRules(
        "ocpi",
        "cdrs",
        key=(*PARTY, "id", "last_updated"),
        required=(
            *PARTY,
            "id",
            "start_date_time",
            "end_date_time",
            "cdr_token__uid",
            "cdr_token__type",
            "auth_method",
            "cdr_location__id",
            "cdr_location__evse_uid",
            "cdr_location__connector_id",
            "currency",
            "total_cost__excl_vat",
            "total_energy",
            "total_time",
            "last_updated",
        ),
        non_negative=("total_energy", "total_time"),
        maximums={"total_energy": MAX_SESSION_KWH},
        enums={
            "auth_method": AUTH_METHOD,
            "cdr_token__type": TOKEN_TYPE,
            "cdr_location__connector_power_type": POWER_TYPE,
        },
    ),
    TableRules(
        "ocpi",
        "locations",
        key=(*PARTY, "id", "last_updated"),
        required=(
            *PARTY,
            "id",
            "publish",
            "address",
            "city",
            "country",
            "coordinates__latitude",
            "coordinates__longitude",
            "time_zone",
            "last_updated",
        ),
        enums={"parking_type": PARKING_TYPE},
    ),
    TableRules(
        "ocpi",
        "tariffs",
        key=(*PARTY, "id", "last_updated"),
        required=(*PARTY, "id", "currency", "last_updated"),
        enums={"type": TARIFF_TYPE},
    ),
    TableRules(
        "ocpi",
        "tokens",
        key=(*PARTY, "uid", "last_updated"),
        required=(*PARTY, "uid", "type", "contract_id", "issuer", "valid", "whitelist", "last_updated"),
        enums={"type": TOKEN_TYPE, "whitelist": WHITELIST},
    ),
)
