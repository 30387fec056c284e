"""Objects become Arrow rows of the contract: every column present and typed, vendor fields kept,
bad values reported with their record and field."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chargelake.contract import EXTENSIONS, load_contract
from extractors.common.errors import SourceError
from extractors.common.flatten import Flattener

MINIMAL_TARIFF = {
    "country_code": "NL",
    "party_id": "ABC",
    "id": "T1",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "ENERGY", "price": 0.25, "step_size": 1}]}],
    "last_updated": "2026-03-01T10:00:00Z",
}


def flatten(module: str, *records: dict) -> dict:
    f = Flattener(load_contract("ocpi"), module, "2.2.1")
    for i, r in enumerate(records):
        f.add(r, f"record #{i}")
    return dict(f.drain(include_empty=True))


def test_minimal_object_gets_every_declared_column_as_null():
    tables = flatten("tariffs", MINIMAL_TARIFF)
    contract = load_contract("ocpi")
    assert set(tables) == {t.name for t in contract.family("tariffs")}
    root = tables["tariffs"]
    assert root.schema.equals(contract.tables["tariffs"].arrow_schema())
    row = root.to_pylist()[0]
    assert row["type"] is None and row["min_price__excl_vat"] is None and row[EXTENSIONS] is None
    assert row["last_updated"] == datetime(2026, 3, 1, 10, tzinfo=UTC)
    component = tables["tariffs__elements__price_components"].to_pylist()[0]
    assert component["price"] == Decimal("0.25") and component["step_size"] == 1
    assert component["_dlt_root_id"] == row["_dlt_id"]
    assert tables["tariffs__elements__restrictions__day_of_week"].num_rows == 0


def test_vendor_fields_are_kept_as_json_at_their_level():
    tariff = {
        **MINIMAL_TARIFF,
        "x_vendor": {"a": 1},
        "elements": [{"price_components": [{"type": "FLAT", "price": 1, "step_size": 1, "x_rounding": "up"}]}],
    }
    tables = flatten("tariffs", tariff)
    assert tables["tariffs"].to_pylist()[0][EXTENSIONS] == '{"x_vendor":{"a":1}}'
    assert tables["tariffs__elements__price_components"].to_pylist()[0][EXTENSIONS] == '{"x_rounding":"up"}'


def test_numbers_stay_exact_and_timestamps_become_utc():
    session = {
        "id": "S1",
        "kwh": Decimal("0.1"),
        "last_updated": "2026-03-01T10:00:00",
        "start_date_time": "2026-03-01T11:00:00+01:00",
    }
    row = flatten("sessions", session)["sessions"].to_pylist()[0]
    assert row["kwh"] == Decimal("0.1")
    assert row["last_updated"] == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert row["start_date_time"] == datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kwh", "lots", r"kwh: 'lots' is not a number"),
        ("last_updated", "yesterday", r"last_updated: 'yesterday' is not a DateTime"),
        ("cdr_token", "U1", r"cdr_token: \"U1\" is not an object"),
        ("charging_periods", {"a": 1}, r"charging_periods: .* is not a list"),
    ],
)
def test_a_value_that_does_not_fit_names_record_and_field(field, value, message):
    with pytest.raises(SourceError, match=rf"record #0: {message}"):
        flatten("sessions", {"id": "S1", field: value})


def test_row_ids_are_stable_for_the_same_content():
    a = flatten("tariffs", MINIMAL_TARIFF)["tariffs"].column("_dlt_id").to_pylist()
    b = flatten("tariffs", dict(MINIMAL_TARIFF))["tariffs"].column("_dlt_id").to_pylist()
    changed = flatten("tariffs", {**MINIMAL_TARIFF, "currency": "USD"})["tariffs"].column("_dlt_id").to_pylist()
    assert a == b != changed
