"""The gate's enum expectations are the spec's enums: compared with the tables parsed from
../shared/ocpi-2.2.1, so a suite cannot silently drift from OCPI 2.2.1."""

import pytest

from expectations.suites import ALL_RULES
from expectations.suites.ocpi import (
    AUTH_METHOD,
    PARKING_TYPE,
    POWER_TYPE,
    SESSION_STATUS,
    TARIFF_TYPE,
    TOKEN_TYPE,
    WHITELIST,
)
from tests.ocpi_spec import tables

SPEC_ENUM = {
    "AUTH_METHOD": (AUTH_METHOD, "mod_cdrs_authmethod_enum"),
    "TOKEN_TYPE": (TOKEN_TYPE, "mod_tokens_tokentype_enum"),
    "SESSION_STATUS": (SESSION_STATUS, "mod_sessions_sessionstatus_enum"),
    "POWER_TYPE": (POWER_TYPE, "mod_locations_powertype_enum"),
    "PARKING_TYPE": (PARKING_TYPE, "mod_locations_parkingtype_enum"),
    "TARIFF_TYPE": (TARIFF_TYPE, "mod_tariffs_tariff_type"),
    "WHITELIST": (WHITELIST, "mod_tokens_whitelisttype_enum"),
}


@pytest.mark.parametrize("name", sorted(SPEC_ENUM))
def test_suite_enum_equals_the_spec(name):
    ours, anchor = SPEC_ENUM[name]
    assert ours == tables()[1][anchor]


def test_every_enum_expectation_uses_a_spec_enum():
    known = [values for values, _ in SPEC_ENUM.values()]
    for rules in ALL_RULES.values():
        for column, allowed in rules.enums.items():
            assert any(allowed is k for k in known), (
                f"{rules.suite_name}.{column} uses an enum not checked against the spec"
            )
