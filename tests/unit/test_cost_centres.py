"""The cost-centre map: driver identifiers never leave the loader in clear; a bad row is named."""

from datetime import date

import pytest

from chargelake.config import DEMO_MODE_VARIABLE, DEMO_PSEUDONYM_KEY, ConfigError
from chargelake.cost_centres import CostCentreMapError, load_cost_centre_map
from chargelake.pseudonymise import pseudonym

HEADER = "cost_centre_id,cost_centre_name,key_type,key_value,valid_from,valid_to\n"


def write(tmp_path, body: str):
    path = tmp_path / "map.csv"
    path.write_text(HEADER + body)
    return path


def test_token_uids_and_contract_ids_are_pseudonymised_with_the_lake_key(tmp_path):
    path = write(
        tmp_path,
        "CC-1,Fleet,token_uid,04A1B2C3,2026-01-01,\n"
        "CC-1,Fleet,contract_id,NL-CLK-C00000001-A,,\n"
        "CC-2,Staff,token_group,STAFF,2026-01-01,2026-12-31\n"
        f"CC-3,Known,token_uid,{pseudonym('k', 'X')},,\n",
    )
    rows = load_cost_centre_map(path, key="k").to_pylist()
    assert [r["key_value"] for r in rows] == [
        pseudonym("k", "04A1B2C3"),
        pseudonym("k", "NL-CLK-C00000001-A"),
        "STAFF",
        pseudonym("k", "X"),  # given as a pseudonym already: not hashed twice
    ]
    assert [r["key_priority"] for r in rows] == [1, 2, 3, 1]
    assert rows[0]["valid_to"] == date(9999, 12, 31) and rows[1]["valid_from"] == date(1900, 1, 1)
    assert "04A1B2C3" not in str(rows)


def test_a_pseudonym_of_the_previous_key_is_rekeyed_and_one_of_an_unknown_key_named(tmp_path, monkeypatch):
    old, new = "old-key-" + "o" * 32, "new-key-" + "n" * 32
    path = write(tmp_path, f"CC-1,Fleet,token_uid,{pseudonym(old, '04A1B2C3')},,\n")
    monkeypatch.setenv("CHARGELAKE_PSEUDONYM_KEY_PREVIOUS", old)
    assert load_cost_centre_map(path, key=new).column("key_value").to_pylist() == [pseudonym(new, "04A1B2C3")]
    monkeypatch.delenv("CHARGELAKE_PSEUDONYM_KEY_PREVIOUS")
    with pytest.raises(CostCentreMapError, match=r"row 2: key_value is a pseudonym of key id [0-9a-f]{8}, which is"):
        load_cost_centre_map(path, key=new)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("CC-1,Fleet,vehicle,V1,,\n", "row 2: key_type 'vehicle' is not one of"),
        ("CC-1,Fleet,token_group,FLEET,2026-13-01,\n", "row 2: valid_from must be a date"),
        ("CC-1,Fleet,token_group,,,\n", "row 2: cost_centre_id and key_value are required"),
    ],
)
def test_a_bad_row_is_named_with_what_is_wrong(tmp_path, body, message):
    with pytest.raises(CostCentreMapError, match=message):
        load_cost_centre_map(write(tmp_path, body), key="k")


def test_no_map_means_every_session_is_unallocated_not_a_failure(tmp_path):
    assert load_cost_centre_map(tmp_path / "absent.csv", key="k").num_rows == 0


@pytest.mark.parametrize(
    ("value", "refusal"),
    [(None, "CHARGELAKE_PSEUDONYM_KEY is not set"), (DEMO_PSEUDONYM_KEY, "is the public demo key")],
)
def test_without_a_key_outside_the_demo_the_map_is_refused(tmp_path, monkeypatch, value, refusal):
    """No silent fallback to the public demo key: a build run by hand without the key would
    pseudonymise the map with a key anyone can read."""
    path = write(tmp_path, "CC-1,Fleet,token_uid,04A1B2C3,,\n")
    monkeypatch.delenv(DEMO_MODE_VARIABLE, raising=False)
    monkeypatch.delenv("CHARGELAKE_PSEUDONYM_KEY", raising=False)
    if value:
        monkeypatch.setenv("CHARGELAKE_PSEUDONYM_KEY", value)
    with pytest.raises(ConfigError, match=refusal):
        load_cost_centre_map(path)
    monkeypatch.setenv(DEMO_MODE_VARIABLE, "1")  # `chargelake demo` only
    assert load_cost_centre_map(path).column("key_value").to_pylist() == [pseudonym(DEMO_PSEUDONYM_KEY, "04A1B2C3")]
