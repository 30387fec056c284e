"""Every object the simulator serves satisfies OCPI 2.2.1: required fields and enum values, read
from the spec modules (tests/fixtures/ocpi-2.2.1/), recursively through nested classes."""

import copy

import pytest

from extractors.ocpi.spec import read_spec
from extractors.ocpi.spec import violations as spec_violations
from simulator import ocpi
from simulator.server import SimConfig, SimState
from tests.conftest import SPEC_221


def tables():
    spec = read_spec(SPEC_221)
    return spec.classes, spec.enums


def violations(obj, anchor, where=""):
    return spec_violations(read_spec(SPEC_221), obj, anchor, where)


TOP = {
    "locations": "mod_locations_location_object",
    "sessions": "mod_sessions_session_object",
    "cdrs": "mod_cdrs_cdr_object",
    "tariffs": "mod_tariffs_tariff_object",
    "tokens": "mod_tokens_token_object",
}


def test_the_spec_tables_are_read():
    classes, enums = tables()
    assert set(TOP.values()) <= set(classes)
    assert {"ACTIVE", "COMPLETED"} <= enums["mod_sessions_sessionstatus_enum"]
    assert "IEC_62196_T2_COMBO" in enums["mod_locations_connectortype_enum"]
    session_fields = {f.name: f for f in classes["mod_sessions_session_object"]}
    assert session_fields["kwh"].card == "1" and session_fields["status"].ref == "mod_sessions_sessionstatus_enum"


@pytest.fixture(scope="module")
def state():
    from datetime import date

    cfg = SimConfig(seed=5, sites=6, evses_per_site=4, start=date(2026, 3, 27), end=date(2026, 3, 31))
    return SimState(cfg, cfg.build())


@pytest.mark.parametrize("module", sorted(TOP))
def test_every_served_object_conforms(state, module):
    items = state.listing(module, None, None)
    assert items
    problems = [f"{o.get('id') or o.get('uid')}: {v}" for o in items for v in violations(o, TOP[module])]
    assert not problems, problems[:10]


def test_the_checker_catches_violations(state):
    session = dict(state.listing("sessions", None, None)[0])
    session["status"] = "TELEPORTING"
    del session["kwh"]
    found = violations(session, TOP["sessions"])
    assert any("kwh: required" in v for v in found) and any("TELEPORTING" in v for v in found)
    cdr = copy.deepcopy(state.listing("cdrs", None, None)[0])
    del cdr["cdr_location"]["evse_id"]
    cdr["charging_periods"][0]["dimensions"][0]["type"] = "BAR"
    nested = violations(cdr, TOP["cdrs"])
    assert "cdr_location.evse_id: required (mod_cdrs_cdr_location_class)" in nested
    assert any("charging_periods[0].dimensions[0].type: 'BAR'" in v for v in nested)
    assert set(ocpi.MODULES) == set(TOP)
