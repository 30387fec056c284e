"""docs/privacy.md lists every raw and mart column whose name says it holds or leads to a driver
identifier: a new one without an entry fails here (the content check is tests/e2e/test_demo_privacy.py)."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Names that hold or lead to a driver: cards (tokens), contracts, authorisations, vehicles, people.
DRIVER_NAME = re.compile(
    r"token|contract_id|visual_number|authori[sz]ation_reference|auth_id|id_tag|vehicle|driver|plate|email|phone",
    re.IGNORECASE,
)
# Tables where a bare `uid` is a card's, and the signed record that may carry one in clear.
CARD_TABLES = {"tokens", "locations__publish_allowed_to"}


def privacy_map() -> set[tuple[str, str, str]]:
    """(zone, table, column) of every entry of the map in docs/privacy.md."""
    entries = set()
    for line in (ROOT / "docs" / "privacy.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0] in ("raw", "marts"):
            for column in cells[2].split(","):
                entries.add((cells[0], cells[1], column.strip()))
    return entries


def raw_candidates() -> set[tuple[str, str, str]]:
    out = set()
    for path in (ROOT / "chargelake" / "contracts").glob("*.json"):
        contract = json.loads(path.read_text())
        source = path.stem
        for table in contract["tables"]:
            for column in table["columns"]:
                name = column["name"]
                if (
                    DRIVER_NAME.search(name)
                    or (table["name"] in CARD_TABLES and name == "uid")
                    or (table["name"].endswith("signed_values") and name == "signed_data")
                ):
                    if table["name"] == "tokens" and name in ("country_code", "party_id"):
                        continue
                    out.add(("raw", f"{source}.{table['name']}", name))
    return out


def mart_candidates() -> set[tuple[str, str, str]]:
    out = set()
    for path in (ROOT / "dbt_project" / "models" / "marts").rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for column in model.get("columns", []):
                if DRIVER_NAME.search(column["name"]):
                    out.add(("marts", model["name"], column["name"]))
    return out


def test_the_map_parses_and_covers_the_pseudonymised_fields():
    entries = privacy_map()
    assert ("raw", "ocpi.tokens", "uid") in entries and (
        "marts",
        "fct_charging_sessions",
        "token_uid_pseudonym",
    ) in entries
    assert len(entries) > 20


def test_every_raw_column_named_like_a_driver_identifier_is_in_the_map():
    candidates = raw_candidates()
    assert ("raw", "ocpi.cdrs", "cdr_token__uid") in candidates  # the rule sees what it must
    missing = sorted(candidates - privacy_map())
    assert not missing, f"add these raw columns to docs/privacy.md: {missing}"


def test_every_mart_column_named_like_a_driver_identifier_is_in_the_map():
    candidates = mart_candidates()
    assert ("marts", "fct_charging_sessions", "token_uid_pseudonym") in candidates
    missing = sorted(candidates - privacy_map())
    assert not missing, f"add these mart columns to docs/privacy.md: {missing}"
