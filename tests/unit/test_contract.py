"""The raw contract is the OCPI 2.2.1 specification's tables, and the gate's suites are the contract:
nothing drifts from the spec without a test failing."""

import json

import pytest

from chargelake.contract import contract_path, load_contract
from expectations.suites import rules_for
from expectations.suites.ocpi import NOT_IN_211
from extractors.ocpi.spec import TOP_OBJECTS, build_contract, read_spec
from tests.conftest import SPEC_221


def test_committed_contract_is_generated_from_the_spec():
    # Regenerate with: python -m extractors.ocpi.spec tests/fixtures/ocpi-2.2.1
    fresh = build_contract(read_spec(SPEC_221)).to_json()
    committed = json.loads(contract_path("ocpi").read_text())
    committed.pop("catalogue")  # ours, not the spec's (chargelake/catalogue.py)
    assert committed == fresh


@pytest.mark.parametrize("module", sorted(TOP_OBJECTS))
def test_every_top_level_field_of_the_spec_is_a_column_or_child_table(module):
    spec = read_spec(SPEC_221)
    contract = load_contract("ocpi")
    names = {c.path[0] for c in contract.tables[module].columns}
    names |= {t.list_path[0] for t in contract.family(module) if t.parent == module}
    assert {f.name for f in spec.classes[TOP_OBJECTS[module]]} == names


def test_types_and_nesting_follow_the_spec():
    contract = load_contract("ocpi")
    cdrs = {c.name: c for c in contract.tables["cdrs"].columns}
    assert cdrs["total_energy"].type == "decimal" and cdrs["total_energy"].required
    assert cdrs["total_cost__excl_vat"].type == "decimal" and cdrs["total_cost__excl_vat"].required
    assert cdrs["total_cost__incl_vat"].type == "decimal" and not cdrs["total_cost__incl_vat"].required
    assert cdrs["session_id"].type == "string" and not cdrs["session_id"].required
    assert cdrs["credit"].type == "bool" and cdrs["last_updated"].type == "timestamp"
    # An optional class's required field is optional in the flat table.
    assert not cdrs["signed_data__encoding_method"].required
    assert contract.tables["cdrs__charging_periods__dimensions"].parent == "cdrs__charging_periods"
    day_of_week = contract.tables["tariffs__elements__restrictions__day_of_week"]
    assert day_of_week.scalar_list and day_of_week.columns[0].enum == "mod_tariffs_dayofweek_enum"
    assert "MONDAY" in contract.enums["mod_tariffs_dayofweek_enum"]


@pytest.mark.parametrize("module", sorted(TOP_OBJECTS))
def test_suites_require_what_the_spec_requires_and_check_its_enums(module):
    spec = read_spec(SPEC_221)
    contract = load_contract("ocpi")
    rules = rules_for("ocpi", module)
    table = contract.tables[module]
    assert set(rules.required) | set(rules.required_when) == set(table.required_columns())
    assert set(rules.required_when) == set(NOT_IN_211.get(module, ()))
    for column, allowed in rules.enums.items():
        anchor = next(c.enum for c in table.columns if c.name == column)
        assert allowed == spec.enums[anchor]
    assert {"status", "auth_method"} <= set(rules_for("ocpi", "sessions").enums)
