"""An OCMF record, `OCMF|<payload>|<signature>`, split without re-serialising anything: the
signature covers the payload section byte for byte as transmitted (whitespace, number formatting,
key order), so the payload text is kept as it came and only parsed for reading."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from decimal import Decimal

PREFIX = "OCMF|"


class MalformedRecordError(ValueError):
    """The text is not an OCMF record that can be read; the message says what is wrong."""


@dataclass(frozen=True)
class OcmfRecord:
    payload_text: str  # exactly the signed bytes (UTF-8)
    payload: dict
    signature: dict

    @property
    def meter_serial(self) -> str | None:
        return self.payload.get("MS")


def decode_signed_value(value: str) -> str:
    """The OCMF text of an OCPI `signed_values[].signed_data`: OCPI does not fix whether it is the
    record itself or its base64 encoding, and CPOs send both."""
    text = value.strip()
    if text.startswith(PREFIX):
        return text
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise MalformedRecordError("neither an OCMF record (`OCMF|...`) nor base64 of one") from None
    if not decoded.startswith(PREFIX):
        raise MalformedRecordError("base64 that does not decode to an OCMF record (`OCMF|...`)")
    return decoded


def parse_record(value: str) -> OcmfRecord:
    text = decode_signed_value(value)
    body = text[len(PREFIX) :]
    # The signature section holds no `|` (JSON of algorithm names and hex or base64): split at the
    # last one, so a `|` inside a payload string cannot cut the payload short.
    payload_text, sep, signature_text = body.rpartition("|")
    if not sep:
        raise MalformedRecordError("no signature section (`OCMF|payload|signature`)")
    try:
        payload = json.loads(payload_text, parse_float=Decimal)  # values keep their digits
        signature = json.loads(signature_text)
    except json.JSONDecodeError as exc:
        raise MalformedRecordError(f"payload or signature section is not JSON ({exc.msg})") from None
    if not isinstance(payload, dict) or not isinstance(signature, dict):
        raise MalformedRecordError("payload and signature sections must be JSON objects")
    if not isinstance(payload.get("RD"), list) or not payload["RD"]:
        raise MalformedRecordError("the payload has no readings (`RD`)")
    if not signature.get("SD"):
        raise MalformedRecordError("the signature section has no signature data (`SD`)")
    return OcmfRecord(payload_text, payload, signature)
