import json

import pytest

from chargelake.pseudonymise import (
    PREFIX,
    PseudonymError,
    key_id,
    pseudonym,
    pseudonymise_paths,
    rekey,
    reveal,
    value_key_id,
)
from extractors.ocpi import prepare_record
from tests.conftest import EXAMPLES_221

EXAMPLES = EXAMPLES_221


def test_pseudonym_is_keyed_and_stable():
    assert pseudonym("k1", "ABC") == pseudonym("k1", "ABC")
    assert pseudonym("k1", "ABC") != pseudonym("k2", "ABC")
    assert pseudonym("k1", "ABC") != pseudonym("k1", "ABD")
    assert pseudonym("k1", "ABC").startswith(PREFIX) and "ABC" not in pseudonym("k1", "ABC")


def test_nested_paths_are_replaced_and_missing_ones_ignored():
    rec = {"cdr_token": {"uid": "U1", "contract_id": "C1", "type": "RFID"}, "id": "s1"}
    pseudonymise_paths(rec, (("cdr_token", "uid"), ("cdr_token", "contract_id"), ("absent", "x")), "k")
    assert rec["cdr_token"]["uid"] == pseudonym("k", "U1")
    assert rec["cdr_token"]["contract_id"] == pseudonym("k", "C1")
    assert rec["cdr_token"]["type"] == "RFID" and rec["id"] == "s1"


def test_pseudonymising_twice_does_not_double_hash():
    rec = {"uid": "U1"}
    once = pseudonymise_paths(dict(rec), (("uid",),), "k")
    twice = pseudonymise_paths(dict(once), (("uid",),), "k")
    assert once == twice


def test_spec_examples_keep_no_driver_identifier():
    token = json.loads((EXAMPLES / "token_example_2_full_rfid.json").read_text())
    cdr = json.loads((EXAMPLES / "cdr_example.json").read_text())
    raw = [
        token["uid"],
        token["contract_id"],
        token["visual_number"],
        token["energy_contract"]["contract_id"],
        cdr["cdr_token"]["uid"],
        cdr["cdr_token"]["contract_id"],
    ]
    out = json.dumps([prepare_record("tokens", token, "k"), prepare_record("cdrs", cdr, "k")])
    for value in raw:
        assert value not in out


def test_card_identifiers_in_a_list_are_replaced_each():
    """Location.publish_allowed_to is a list of cards (PublishTokenType): uid and visual_number of each."""
    location = {
        "id": "LOC1",
        "publish_allowed_to": [
            {"uid": "CARD-1", "visual_number": "NL-ABC-1", "group_id": "FLEET"},
            {"visual_number": "NL-ABC-2"},
        ],
    }
    out = prepare_record("locations", location, "k")
    allowed = out["publish_allowed_to"]
    assert allowed[0]["uid"] == pseudonym("k", "CARD-1") and allowed[0]["visual_number"] == pseudonym("k", "NL-ABC-1")
    assert allowed[1]["visual_number"] == pseudonym("k", "NL-ABC-2") and allowed[0]["group_id"] == "FLEET"
    assert "CARD-1" not in json.dumps(out) and "NL-ABC-2" not in json.dumps(out)


def test_pseudonyms_open_with_their_key_only_and_rekey_to_a_new_one():
    old, new = "old-key-" + "o" * 32, "new-key-" + "n" * 32
    value = pseudonym(old, "04A2B3C4D5E6F7")
    assert value_key_id(value) == key_id(old) != key_id(new) and len(key_id(old)) == 8
    assert reveal([new, old], value) == "04A2B3C4D5E6F7"
    assert rekey(value, [old], new) == pseudonym(new, "04A2B3C4D5E6F7")
    assert rekey(pseudonym(new, "X"), [], new) == pseudonym(new, "X")  # already current: as is
    with pytest.raises(PseudonymError, match=r"key id .* neither the current key"):
        reveal([new], value)
    forged = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    with pytest.raises(PseudonymError, match="does not open"):
        reveal([old], forged)


def test_a_pseudonym_does_not_tell_the_identifier_length():
    """Printed numbers, uids and contract ids up to 30 characters all give pseudonyms of one length."""
    lengths = {len(pseudonym("k" * 32, "x" * n)) for n in (1, 7, 14, 20, 30)}
    assert len(lengths) == 1
