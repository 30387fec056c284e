"""Signature verification of an OCMF record with the `cryptography` package.

Every OCMF algorithm is ECDSA with SHA-256 (the 384-bit curves included) over the payload bytes;
the curve comes from `SA` (default secp256r1), the signature's text encoding from `SE` (hex by
default, or base64), its format from `SM` (DER `ECDSA-Sig-Value`). The public key is not in the
record: OCPI carries it in `signed_data.public_key` ("base64" per OCPI; hex and PEM in practice),
always a DER SubjectPublicKeyInfo, whose curve must be the one `SA` names.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chargelake.ocmf.readings import Reading, readings
from chargelake.ocmf.record import MalformedRecordError, OcmfRecord, parse_record

DEFAULT_ALGORITHM = "ECDSA-secp256r1-SHA256"
CURVES: dict[str, type[ec.EllipticCurve]] = {
    "secp256r1": ec.SECP256R1,
    "secp256k1": ec.SECP256K1,
    "secp192r1": ec.SECP192R1,
    "secp384r1": ec.SECP384R1,
    "brainpool256r1": ec.BrainpoolP256R1,
    "brainpoolp256r1": ec.BrainpoolP256R1,
    "brainpool384r1": ec.BrainpoolP384R1,
    "brainpoolp384r1": ec.BrainpoolP384R1,
}
# In the OCMF specification but not in OpenSSL: reported, never guessed.
UNSUPPORTED_CURVES = {"secp192k1"}
ALGORITHM = re.compile(r"^ECDSA-(?P<curve>[A-Za-z0-9]+)-SHA256$")


@dataclass(frozen=True)
class Verification:
    status: str  # valid | invalid | unverifiable
    reason: str | None = None  # why invalid or unverifiable
    algorithm: str | None = None
    meter_serial: str | None = None
    readings: list[Reading] = field(default_factory=list)
    record: OcmfRecord | None = None


def _curve(algorithm: str) -> type[ec.EllipticCurve] | str:
    match = ALGORITHM.match(algorithm)
    if not match:
        return f"unknown signature algorithm {algorithm!r}"
    name = match.group("curve").lower()
    if name in UNSUPPORTED_CURVES:
        return f"unsupported curve {match.group('curve')} (not available in OpenSSL)"
    return CURVES.get(name) or f"unknown curve {match.group('curve')}"


def load_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """A DER SubjectPublicKeyInfo given as PEM, hex or base64 (whitespace ignored)."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
    else:
        compact = re.sub(r"\s+", "", text)
        if re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", compact):
            der = bytes.fromhex(compact)
        else:
            der = base64.b64decode(compact, validate=True)
        key = serialization.load_der_public_key(der)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an elliptic-curve public key")
    return key


def _signature_bytes(signature: dict) -> bytes:
    encoding = (signature.get("SE") or "hex").lower()
    data = str(signature["SD"]).strip()
    if encoding == "hex":
        return bytes.fromhex(data)
    if encoding == "base64":
        return base64.b64decode(data, validate=True)
    raise LookupError(f"unknown signature encoding SE={signature.get('SE')!r}")


def verify_record(record: OcmfRecord, public_key: str | None) -> Verification:
    algorithm = record.signature.get("SA") or DEFAULT_ALGORITHM
    common = {"algorithm": algorithm, "meter_serial": record.meter_serial, "record": record}
    try:
        found = readings(record.payload)
    except MalformedRecordError as exc:
        return Verification("unverifiable", f"malformed record: {exc}", **common)
    common["readings"] = found
    curve = _curve(algorithm)
    if isinstance(curve, str):
        return Verification("unverifiable", curve, **common)
    mime = record.signature.get("SM") or "application/x-der"
    if mime.lower() != "application/x-der":
        return Verification("unverifiable", f"unknown signature format SM={mime!r}", **common)
    if not public_key or not public_key.strip():
        return Verification("unverifiable", "no public key", **common)
    try:
        key = load_public_key(public_key)
    except (ValueError, binascii.Error, UnsupportedAlgorithm) as exc:
        return Verification("unverifiable", f"public key not readable ({str(exc) or type(exc).__name__})", **common)
    if not isinstance(key.curve, curve):
        return Verification(
            "unverifiable", f"key curve {key.curve.name} does not match the algorithm {algorithm}", **common
        )
    try:
        signature = _signature_bytes(record.signature)
    except LookupError as exc:
        return Verification("unverifiable", str(exc), **common)
    except (ValueError, binascii.Error):
        return Verification("unverifiable", "malformed record: signature data is not valid hex or base64", **common)
    try:
        key.verify(signature, record.payload_text.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return Verification("invalid", "the signature does not match the payload", **common)
    return Verification("valid", None, **common)


def verify_signed_value(
    signed_data: str | None, public_key: str | None, encoding_method: str | None = "OCMF"
) -> Verification:
    """One OCPI signed value: `signed_data` (the OCMF text, raw or base64), the CDR's public key and
    its `encoding_method`."""
    if (encoding_method or "").strip().upper() != "OCMF":
        return Verification("unverifiable", f"unknown encoding method {encoding_method!r}")
    if not signed_data:
        return Verification("unverifiable", "malformed record: no signed data")
    try:
        record = parse_record(signed_data)
    except MalformedRecordError as exc:
        return Verification("unverifiable", f"malformed record: {exc}")
    return verify_record(record, public_key)
