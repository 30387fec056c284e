"""OCPI 2.1.1 objects in the 2.2.1 raw contract: renamed, restructured, pseudonymised, never invented."""

from decimal import Decimal

from chargelake.pseudonymise import PREFIX
from extractors.ocpi import prepare_record

PARTY = ("DE", "XYZ")
LOCATION_211 = {
    "id": "LOC1",
    "type": "PARKING_LOT",
    "address": "Str 1",
    "city": "Berlin",
    "country": "DEU",
    "coordinates": {"latitude": "52.5", "longitude": "13.4"},
    "evses": [
        {
            "uid": "E1",
            "evse_id": "DE*XYZ*E1",
            "status": "AVAILABLE",
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "SOCKET",
                    "power_type": "AC_3_PHASE",
                    "voltage": 230,
                    "amperage": 16,
                    "tariff_id": "T1",
                    "last_updated": "2026-03-01T00:00:00Z",
                }
            ],
            "last_updated": "2026-03-01T00:00:00Z",
        }
    ],
    "last_updated": "2026-03-01T00:00:00Z",
}


def test_211_session_fields_are_renamed_and_auth_id_pseudonymised():
    session = {
        "id": "S1",
        "start_datetime": "2026-03-01T10:00:00Z",
        "end_datetime": "2026-03-01T11:00:00Z",
        "kwh": Decimal("5.5"),
        "auth_id": "DE-XYZ-C12345",
        "auth_method": "WHITELIST",
        "location": LOCATION_211,
        "currency": "EUR",
        "status": "COMPLETED",
        "last_updated": "2026-03-01T11:00:00Z",
    }
    out = prepare_record("sessions", session, "k", "2.1.1", PARTY)
    assert out["start_date_time"] == "2026-03-01T10:00:00Z" and out["end_date_time"] == "2026-03-01T11:00:00Z"
    assert (out["location_id"], out["evse_uid"], out["connector_id"]) == ("LOC1", "E1", "1")
    assert out["cdr_token"]["uid"].startswith(PREFIX) and out["cdr_token"]["uid"] == out["cdr_token"]["contract_id"]
    assert "auth_id" not in out and "DE-XYZ-C12345" not in repr(out)
    assert (out["country_code"], out["party_id"]) == PARTY
    assert "type" not in out["cdr_token"]  # unknown in 2.1.1: left null, not invented
    assert session["start_datetime"]  # the input is not changed


def test_211_cdr_gets_a_cdr_location_and_a_price_object():
    cdr = {
        "id": "C1",
        "start_date_time": "2026-03-01T10:00:00Z",
        "stop_date_time": "2026-03-01T11:00:00Z",
        "auth_id": "DE-XYZ-C12345",
        "auth_method": "WHITELIST",
        "location": LOCATION_211,
        "currency": "EUR",
        "tariffs": [{"id": "T1", "currency": "EUR", "elements": [], "last_updated": "2026-03-01T00:00:00Z"}],
        "charging_periods": [
            {"start_date_time": "2026-03-01T10:00:00Z", "dimensions": [{"type": "ENERGY", "volume": 5}]}
        ],
        "total_cost": Decimal("2.50"),
        "total_energy": 5,
        "total_time": 1,
        "last_updated": "2026-03-01T11:00:00Z",
    }
    out = prepare_record("cdrs", cdr, "k", "2.1.1", PARTY)
    assert out["end_date_time"] == "2026-03-01T11:00:00Z" and out["total_cost"] == {"excl_vat": Decimal("2.50")}
    loc = out["cdr_location"]
    assert (loc["id"], loc["evse_uid"], loc["evse_id"], loc["connector_id"]) == ("LOC1", "E1", "DE*XYZ*E1", "1")
    assert loc["connector_power_type"] == "AC_3_PHASE" and loc["city"] == "Berlin"
    assert out["tariffs"][0]["country_code"] == "DE"
    assert "DE-XYZ-C12345" not in repr(out)


def test_211_location_parking_type_publish_and_connectors():
    out = prepare_record("locations", LOCATION_211, "k", "2.1.1", PARTY)
    assert out["parking_type"] == "PARKING_LOT" and out["publish"] is True
    connector = out["evses"][0]["connectors"][0]
    assert connector["max_voltage"] == 230 and connector["max_amperage"] == 16 and connector["tariff_ids"] == ["T1"]
    other = prepare_record("locations", {**LOCATION_211, "type": "UNKNOWN"}, "k", "2.1.1", PARTY)
    assert "parking_type" not in other
