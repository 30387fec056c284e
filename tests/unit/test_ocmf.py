"""OCMF verification against real records (S.A.F.E. e.V.'s transparency software test data, Apache-2.0:
tests/fixtures/ocmf/LICENSE) and the ways a record or key can be wrong: nothing is valid by default."""

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chargelake.ocmf import verify_signed_value
from chargelake.ocmf.batch import signed_values_of, verify_table
from chargelake.ocmf.readings import page_number

VECTORS = sorted((Path(__file__).parents[1] / "fixtures" / "ocmf").glob("*.json"))


def vector(name: str) -> dict:
    return json.loads(next(p for p in VECTORS if p.name.startswith(name)).read_text())


def with_signature(record: str, **changes) -> str:
    """The same payload bytes with the signature section changed."""
    payload, _, signature = record.rpartition("|")
    sig = json.loads(signature)
    sig.update(changes)
    return f"{payload}|{json.dumps(sig)}"


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_every_shared_vector_gives_its_expected_result(path):
    v = json.loads(path.read_text())
    result = verify_signed_value(v["ocmf"], v["public_key_der_hex"])
    assert result.status == v["expected"], result.reason
    assert result.readings, "the readings are parsed whatever the signature"


def test_the_key_and_the_record_are_accepted_in_every_encoding_cpos_use():
    v = vector("01_")
    der = bytes.fromhex(v["public_key_der_hex"])
    pem = serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record_b64 = base64.b64encode(v["ocmf"].encode()).decode()
    for key in (v["public_key_der_hex"], v["public_key_der_hex"].lower(), base64.b64encode(der).decode(), pem.decode()):
        for record in (v["ocmf"], record_b64):
            assert verify_signed_value(record, key).status == "valid"
    # the signature in base64 instead of hex (SE)
    sd = json.loads(v["ocmf"].rpartition("|")[2])["SD"]
    rewritten = with_signature(v["ocmf"], SE="base64", SD=base64.b64encode(bytes.fromhex(sd)).decode())
    assert verify_signed_value(rewritten, v["public_key_der_hex"]).status == "valid"


def test_a_single_changed_byte_of_the_payload_is_invalid():
    v = vector("07_")
    tampered = v["ocmf"].replace('"RV":58.685', '"RV":58.686', 1)
    assert tampered != v["ocmf"]
    result = verify_signed_value(tampered, v["public_key_der_hex"])
    assert result.status == "invalid" and result.reason == "the signature does not match the payload"
    # whitespace is part of the signed bytes too: re-serialising the JSON breaks the signature
    spaced = v["ocmf"].replace('"FV":"1.0"', '"FV": "1.0"', 1)
    assert verify_signed_value(spaced, v["public_key_der_hex"]).status == "invalid"


@pytest.mark.parametrize(
    ("record", "key", "method", "reason"),
    [
        ("01_", "08a_", "OCMF", "key curve secp256k1 does not match the algorithm ECDSA-secp256r1-SHA256"),
        ("01_", None, "OCMF", "no public key"),
        ("01_", "01_", "EDL", "unknown encoding method 'EDL'"),
        ("01_", "not a key", "OCMF", "public key not readable"),
    ],
)
def test_what_cannot_be_checked_is_unverifiable_with_the_reason(record, key, method, reason):
    key_text = vector(key)["public_key_der_hex"] if key and key.endswith("_") else key
    result = verify_signed_value(vector(record)["ocmf"], key_text, method)
    assert result.status == "unverifiable" and result.reason.startswith(reason), result.reason


def test_an_unsupported_curve_is_unverifiable_never_valid():
    v = vector("01_")
    record = with_signature(v["ocmf"], SA="ECDSA-secp192k1-SHA256")
    result = verify_signed_value(record, v["public_key_der_hex"])
    assert result.status == "unverifiable" and "unsupported curve secp192k1" in result.reason
    unknown = verify_signed_value(with_signature(v["ocmf"], SA="RSA-2048-SHA1"), v["public_key_der_hex"])
    assert unknown.status == "unverifiable" and "unknown signature algorithm" in unknown.reason
    encoding = verify_signed_value(with_signature(v["ocmf"], SE="base32"), v["public_key_der_hex"])
    assert encoding.status == "unverifiable" and "unknown signature encoding" in encoding.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("OCMF|{}", "no signature section"),
        ('OCMF|{"RD":[]}|{"SD":"00"}', "no readings"),
        ("OCMF|{not json}|{}", "not JSON"),
        ("hello", "neither an OCMF record"),
        (base64.b64encode(b"hello").decode(), "base64 that does not decode to an OCMF record"),
        ('OCMF|{"RD":[{"TM":"yesterday","RV":1}]}|{"SD":"00"}', "time 'yesterday'"),
    ],
)
def test_malformed_records_are_unverifiable_naming_the_fault(text, reason):
    result = verify_signed_value(text, vector("01_")["public_key_der_hex"])
    assert result.status == "unverifiable" and result.reason.startswith("malformed record") and reason in result.reason


def test_brainpool_is_accepted_in_both_spellings():
    v = vector("04_")
    assert json.loads(v["ocmf"].rpartition("|")[2])["SA"] == "ECDSA-brainpoolP256r1-SHA256"
    other = with_signature(v["ocmf"], SA="ECDSA-brainpool256r1-SHA256")
    assert verify_signed_value(other, v["public_key_der_hex"]).status == "valid"


def test_readings_fill_omitted_fields_and_normalise_to_kwh():
    v = vector("07_")
    result = verify_signed_value(v["ocmf"], v["public_key_der_hex"])
    r = result.readings
    assert [x.reason for x in r] == ["B", "B", "E", "E"]  # TX carried over to the readings that omit it
    assert [x.obis_code for x in r] == ["1-0:1.8.0", "1-0:2.8.0", "1-0:1.8.0", "1-0:2.8.0"]
    assert r[1].measured_at == r[0].measured_at and r[0].clock_state == "relative"
    assert str(r[2].value_kwh - r[0].value_kwh) == "1.101" and r[2].value_text == "58.685"
    assert all(x.usable for x in r) and result.meter_serial == "1211751603"
    assert page_number(result.record.payload) == 144
    wh = verify_signed_value(vector("01_")["ocmf"], vector("01_")["public_key_der_hex"]).readings
    assert wh[0].unit == "kWh" and wh[0].value_text == "0.2596"


def test_a_reading_whose_meter_state_is_not_ok_is_not_usable_whatever_its_signature():
    key = ec.generate_private_key(ec.SECP256R1())
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    payload = (
        '{"FV":"1.0","PG":"T1","MS":"M1","RD":[{"TM":"2026-03-01T10:00:00,000+0100 S","TX":"B","RV":1000,'
        '"RU":"Wh","ST":"G","EF":""},{"TM":"2026-03-01T11:00:00,000+0100 S","TX":"E","RV":4500,"ST":"T","EF":"E"}]}'
    )
    from cryptography.hazmat.primitives import hashes

    sd = key.sign(payload.encode(), ec.ECDSA(hashes.SHA256())).hex()
    result = verify_signed_value(f'OCMF|{payload}|{{"SD":"{sd}"}}', base64.b64encode(der).decode())
    assert result.status == "valid"
    begin, end = result.readings
    assert begin.usable and not end.usable and end.unit == "Wh" and str(end.value_kwh) == "4.500"
    assert begin.measured_at.isoformat() == "2026-03-01T10:00:00+01:00" and begin.clock_state == "synchronised"


def test_the_batch_gives_one_row_per_reading_and_one_for_an_unreadable_record():
    import pyarrow as pa

    v = vector("07_")
    # Raw rows as the gate publishes them: CDR rows and their signed values (a child table).
    cdrs = pa.Table.from_pylist([
        {"_dlt_id": "C1", "signed_data__public_key": v["public_key_der_hex"], "signed_data__encoding_method": "OCMF"},
        {"_dlt_id": "C2", "signed_data__public_key": v["public_key_der_hex"], "signed_data__encoding_method": "OCMF"},
    ])  # fmt: skip
    values = pa.Table.from_pylist([
        {"_dlt_parent_id": "C1", "_dlt_list_idx": 0, "nature": "Start", "signed_data": v["ocmf"]},
        {"_dlt_parent_id": "C2", "_dlt_list_idx": 0, "nature": "End", "signed_data": "garbage"},
        {"_dlt_parent_id": "C9", "_dlt_list_idx": 0, "nature": "End", "signed_data": v["ocmf"]},  # no CDR row
    ])  # fmt: skip
    out = verify_table(signed_values_of(cdrs, values)).to_pylist()
    assert [(r["cdr_record_id"], r["verification_status"], r["reading_index"]) for r in out] == [
        ("C1", "valid", 0), ("C1", "valid", 1), ("C1", "valid", 2), ("C1", "valid", 3), ("C2", "unverifiable", None)
    ]  # fmt: skip
    assert str(out[0]["value_kwh"]) == "57.584000" and out[0]["page_number"] == 144
