"""OCPI 2.1.1 objects mapped into the 2.2.1 raw contract, so dbt and the marts read one shape.

What 2.1.1 does not have stays absent (null), never invented; fields 2.2.1 dropped stay in
`_extensions` (the flattener keeps unknown fields). The differences handled here (mod_*.md of 2.1.1):
sessions `start_datetime`/`end_datetime`, a `location` object instead of ids, `auth_id` instead of a
`cdr_token`; CDRs `stop_date_time`, a full `location`, `auth_id`, a plain-number `total_cost`;
locations `type` (parking) and no `publish`; connectors `voltage`/`amperage`/`tariff_id`; no
`country_code`/`party_id` anywhere (the CPO's own, from its credentials, are used).
"""

from __future__ import annotations

import copy
from typing import Any

# 2.1.1 LocationType -> 2.2.1 ParkingType (OTHER and UNKNOWN have no counterpart: left null).
PARKING_TYPE = {
    "ON_STREET": "ON_STREET",
    "PARKING_GARAGE": "PARKING_GARAGE",
    "UNDERGROUND_GARAGE": "UNDERGROUND_GARAGE",
    "PARKING_LOT": "PARKING_LOT",
}


def _rename(obj: dict, old: str, new: str) -> None:
    if old in obj and new not in obj:
        obj[new] = obj.pop(old)


def _cdr_token(obj: dict) -> None:
    """2.1.1 names the driver's token only by `auth_id` (the eMA/contract id): it fills both `uid` and
    `contract_id` (and is pseudonymised like them). The token's type and eMSP party are unknown."""
    auth_id = obj.pop("auth_id", None)
    if auth_id is not None and "cdr_token" not in obj:
        obj["cdr_token"] = {"uid": auth_id, "contract_id": auth_id}


def _price(obj: dict, field: str) -> None:
    """2.1.1 money is a plain number (excl. VAT); 2.2.1 a Price object."""
    if obj.get(field) is not None and not isinstance(obj[field], dict):
        obj[field] = {"excl_vat": obj[field]}


def _first(items: Any) -> dict:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _connector(connector: dict) -> dict:
    _rename(connector, "voltage", "max_voltage")
    _rename(connector, "amperage", "max_amperage")
    if "tariff_id" in connector and "tariff_ids" not in connector:
        tariff = connector.pop("tariff_id")
        connector["tariff_ids"] = [tariff] if tariff is not None else []
    return connector


def _location(obj: dict) -> dict:
    if obj.get("type") in PARKING_TYPE and "parking_type" not in obj:
        obj["parking_type"] = PARKING_TYPE[obj["type"]]
    obj.setdefault("publish", True)  # 2.1.1 has no unpublished locations
    for evse in obj.get("evses") or []:
        for connector in evse.get("connectors") or []:
            _connector(connector)
    return obj


def _cdr_location(location: dict) -> dict:
    evse = _first(location.get("evses"))
    connector = _connector(_first(evse.get("connectors")))
    out = {
        k: location[k]
        for k in ("id", "name", "address", "city", "postal_code", "country", "coordinates")
        if k in location
    }
    out.update(
        evse_uid=evse.get("uid"),
        evse_id=evse.get("evse_id"),
        connector_id=connector.get("id"),
        connector_standard=connector.get("standard"),
        connector_format=connector.get("format"),
        connector_power_type=connector.get("power_type"),
    )
    return {k: v for k, v in out.items() if v is not None}


def to_221(module: str, obj: dict, party: tuple[str, str] | None) -> dict:
    """A 2.1.1 object in the 2.2.1 shape (a new dict; the input is left as it was)."""
    obj = copy.deepcopy(obj)
    if party:
        obj.setdefault("country_code", party[0])
        obj.setdefault("party_id", party[1])
    if module == "sessions":
        _rename(obj, "start_datetime", "start_date_time")
        _rename(obj, "end_datetime", "end_date_time")
        _cdr_token(obj)
        _price(obj, "total_cost")
        location = obj.get("location")
        if isinstance(location, dict) and "location_id" not in obj:
            evse = _first(location.get("evses"))
            obj.update(location_id=location.get("id"), evse_uid=evse.get("uid"))
            obj["connector_id"] = _first(evse.get("connectors")).get("id")
    elif module == "cdrs":
        _rename(obj, "stop_date_time", "end_date_time")
        _cdr_token(obj)
        location = obj.get("location")  # kept whole in `_extensions`
        if isinstance(location, dict) and "cdr_location" not in obj:
            obj["cdr_location"] = _cdr_location(location)
        _price(obj, "total_cost")
        obj["tariffs"] = [to_221("tariffs", t, party) for t in obj.get("tariffs") or []]
    elif module == "locations":
        _location(obj)
    return obj
