"""The pseudonym key never reaches dbt: the one model that needed it, the cost-centre map, is the
derived asset `derived/cost_centre_map`, which pseudonymises the user's CSV with the run's key and
refuses to run without one (docs/privacy.md). The map is written when its rows change (an edited
file, a rotated key) and left alone otherwise."""

import os
from pathlib import Path

import pytest
from dagster import materialize

from chargelake.lake import Lake
from chargelake.pseudonymise import pseudonym
from expectations.audit import read_publications
from expectations.derived import COST_CENTRE_MAP, read_partitions
from expectations.suites.derived import cost_centre_map as map_audit
from orchestration.defs.derived.assets import cost_centre_map
from orchestration.defs.ingest.resources import ChargeLakeResource
from orchestration.defs.warehouse.dbt_vars import dbt_vars

ROOT = Path(__file__).resolve().parents[2]
KEY_A, KEY_B = "a" * 48, "b" * 48


def test_nothing_dbt_reads_names_the_key():
    project = ROOT / "dbt_project"
    files = [p for d in ("models", "macros", "tests") for p in (project / d).rglob("*") if p.is_file()]
    files.append(project / "profiles.yml")
    assert not [str(p) for p in files if "pseudonym_key" in p.read_text().lower()]


def test_the_build_vars_hold_no_secret(monkeypatch, tmp_path):
    from chargelake.config import Settings

    monkeypatch.setenv("CHARGELAKE_PSEUDONYM_KEY", KEY_A)
    settings = Settings.from_env(overrides={"CHARGELAKE_LAKE_URL": str(tmp_path / "lake")})
    values = dbt_vars(settings, str(tmp_path / "w.duckdb"))
    assert set(values) == {"lake_url", "warehouse_path", "lake_storage_options"}
    assert KEY_A not in str(values)


def run_map(lake: Lake, csv: Path, key: str | None, monkeypatch):
    monkeypatch.delenv("CHARGELAKE_DEMO", raising=False)
    if key is None:
        monkeypatch.delenv("CHARGELAKE_PSEUDONYM_KEY", raising=False)
    else:
        monkeypatch.setenv("CHARGELAKE_PSEUDONYM_KEY", key)
    monkeypatch.setenv("CHARGELAKE_COST_CENTRE_MAP", str(csv))
    resources = {"chargelake": ChargeLakeResource(lake_url=lake.url)}
    return materialize([cost_centre_map], resources=resources, raise_on_error=False)


@pytest.fixture
def csv(tmp_path) -> Path:
    path = tmp_path / "map.csv"
    path.write_text(
        "cost_centre_id,cost_centre_name,key_type,key_value,valid_from,valid_to\n"
        "CC-1,Fleet,token_uid,04A1B2C3,2026-01-01,\n"
        "CC-2,Staff,token_group,STAFF,,\n"
    )
    return path


def map_publications(lake: Lake) -> list[dict]:
    return [p for p in read_publications(lake).to_pylist() if p["table_name"] == COST_CENTRE_MAP.name]


def test_the_map_is_pseudonymised_published_once_and_again_after_a_key_rotation(tmp_path, csv, monkeypatch):
    lake = Lake(str(tmp_path / "lake"))
    assert run_map(lake, csv, KEY_A, monkeypatch).success
    rows = read_partitions(lake, lake.derived(COST_CENTRE_MAP.name)).to_pylist()
    assert {r["key_value"] for r in rows} == {pseudonym(KEY_A, "04A1B2C3"), "STAFF"}
    assert "04A1B2C3" not in str(rows)
    (first,) = map_publications(lake)
    assert first["source"] == "derived" and KEY_A not in str(first)

    assert run_map(lake, csv, KEY_A, monkeypatch).success  # same file, same key: nothing written
    assert len(map_publications(lake)) == 1

    monkeypatch.setenv("CHARGELAKE_PSEUDONYM_KEY_PREVIOUS", KEY_A)
    assert run_map(lake, csv, KEY_B, monkeypatch).success
    assert len(map_publications(lake)) == 2
    rows = read_partitions(lake, lake.derived(COST_CENTRE_MAP.name)).to_pylist()
    assert {r["key_value"] for r in rows} == {pseudonym(KEY_B, "04A1B2C3"), "STAFF"}  # one snapshot only


def test_without_the_key_the_map_is_refused_in_one_sentence(tmp_path, csv, monkeypatch):
    result = run_map(Lake(str(tmp_path / "lake")), csv, None, monkeypatch)
    from orchestration.cli.pipeline import step_failure

    assert not result.success
    headline, _ = step_failure(result)  # what `chargelake run` prints
    assert headline.startswith("CHARGELAKE_PSEUDONYM_KEY is not set"), headline


def test_the_audit_refuses_a_driver_identifier_in_clear():
    import pyarrow as pa

    from chargelake.cost_centres import SCHEMA

    row = {"cost_centre_id": "CC-1", "key_type": "token_uid", "key_value": "04A1B2C3", "key_priority": 1}
    assert map_audit(pa.Table.from_pylist([row], schema=SCHEMA)) == ["1 token_uid/contract_id keys are not pseudonyms"]
    assert os.environ.get("CHARGELAKE_PSEUDONYM_KEY") != "04A1B2C3"
