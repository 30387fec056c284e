"""Every mart has exactly one audience, and the shared one holds aggregates only (docs/access.md)."""

from pathlib import Path

import pytest
import yaml

from orchestration.defs.warehouse.audiences import RESTRICTED, SHARED, UnclassifiedMartError, audience

ROOT = Path(__file__).resolve().parents[2]
# Columns that key a row to one session, CDR, card or reading: never in a shared mart.
SESSION_LEVEL = ("charging_session_key", "session_key", "cdr_key", "session_id", "token_uid_pseudonym", "reading_index")


def marts() -> dict[str, list[str]]:
    out = {}
    for path in (ROOT / "dbt_project" / "models" / "marts").rglob("_*__models.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            out[model["name"]] = [c["name"] for c in model.get("columns", [])]
    return out


def test_every_mart_has_exactly_one_audience():
    assert not SHARED & RESTRICTED
    assert set(marts()) == SHARED | RESTRICTED


def test_shared_marts_carry_no_session_level_key():
    for mart, columns in marts().items():
        if mart in SHARED:
            assert not set(columns) & set(SESSION_LEVEL), (mart, set(columns) & set(SESSION_LEVEL))


def test_a_mart_without_an_audience_is_refused_with_what_to_do():
    with pytest.raises(UnclassifiedMartError, match=r"fct_new has no audience: add it to SHARED or RESTRICTED"):
        audience("fct_new")
