"""OCPP 1.6 and 2.0.1 message fields as their JSON schemas type them, read into one shape.

Chargers in the field send what the schemas allow, not what our simulator happens to send: 1.6
`transactionId` is an integer and 2.0.1's a string; 1.6 values are strings and 2.0.1's numbers;
timestamps carry milli-, micro- or nanoseconds and `Z` or an offset. Transaction meter values
arrive in 1.6 `MeterValues.req` and `StopTransaction.req` (`transactionData`) and in 2.0.1
`MeterValuesRequest` and `TransactionEventRequest` (`transactionInfo`, `evse`). Every source of OCPP
traffic (the telemetry API, OCPP-J message logs) reads messages through these helpers, so a type
the schemas allow is accepted everywhere or nowhere.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.common.errors import SourceError

# A sampled value without `measurand` is the energy register (both versions); without a unit, Wh
# (1.6 `unit` and 2.0.1 `unitOfMeasure.unit` both default to "Wh").
DEFAULT_MEASURAND = "Energy.Active.Import.Register"
DEFAULT_UNIT = "Wh"
# OCPP 1.6's JSON schema misspells the unit "Celcius"; the 1.6 errata tells a central system to
# accept both spellings. Stored as the specification's word.
UNIT_SPELLINGS = {"Celcius": "Celsius"}
SIGNED_DATA = "SignedData"  # 1.6 `format`: the value is a signed blob, not a number


def spec_id(raw: Any, where: str, name: str) -> str | None:
    """An identifier as text: 1.6 types `transactionId` as an integer, 2.0.1 as a string."""
    if raw is None or isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise SourceError(f"{where}: {name} {raw!r} is neither an integer nor a string")


def spec_int(raw: Any, where: str, name: str) -> int | None:
    """An integer field (`connectorId`, `evseId`, `multiplier`); a numeric string is read too, as
    some CSMS logs re-serialise ids as text."""
    if raw is None or (isinstance(raw, int) and not isinstance(raw, bool)):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
        return int(raw)
    raise SourceError(f"{where}: {name} {raw!r} is not an integer")


def spec_number(raw: Any, where: str) -> float:
    """A sampled value: a decimal string (1.6) or a JSON number (2.0.1)."""
    if isinstance(raw, bool):
        raise SourceError(f"{where}: value {raw!r} is not a number")
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise SourceError(f"{where}: value {raw!r} is not a number") from None


def unit_of(sample: dict) -> tuple[str, int]:
    """(unit, power-of-ten multiplier) of a sampled value in either version."""
    uom = sample.get("unitOfMeasure")
    if isinstance(uom, dict):
        unit = uom.get("unit") or sample.get("unit") or DEFAULT_UNIT
        multiplier = spec_int(uom.get("multiplier"), "unitOfMeasure", "multiplier") or 0
    else:
        unit, multiplier = sample.get("unit") or DEFAULT_UNIT, 0
    return UNIT_SPELLINGS.get(unit, unit), multiplier


def meter_values_of(message: dict) -> list:
    """The `meterValue` entries of any message that carries them (1.6 StopTransaction names the
    list `transactionData`)."""
    values = message.get("meterValue")
    if values is None:
        values = message.get("transactionData")
    return values if isinstance(values, list) else []


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def transaction_of(message: dict) -> Any:
    info = message.get("transactionInfo")
    return _first(message.get("transactionId"), info.get("transactionId") if isinstance(info, dict) else None)


def evse_of(message: dict) -> Any:
    evse = message.get("evse")
    return _first(message.get("evseId"), evse.get("id") if isinstance(evse, dict) else None)


def connector_of(message: dict) -> Any:
    evse = message.get("evse")
    return _first(message.get("connectorId"), evse.get("connectorId") if isinstance(evse, dict) else None)


def signed_of(sample: dict) -> dict | None:
    """The signed meter value of a sample: 2.0.1 `signedMeterValue`, or a 1.6 value whose `format` is
    SignedData (then the value itself is the signed blob)."""
    signed = sample.get("signedMeterValue")
    if isinstance(signed, dict):
        return signed
    if sample.get("format") == SIGNED_DATA:
        return {"signedMeterData": sample.get("value")}
    return None
