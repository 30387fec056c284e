"""The contracts' catalogue is the only list of raw tables: dbt's sources, the ingest assets, the CLI
and the demo are derived from it, and a table added to a contract appears in each with no other edit."""

import copy
import json
import shutil
from pathlib import Path

import pytest

from chargelake.catalogue import CatalogueError, load_catalogue, sources_yml, sources_yml_path
from chargelake.contract import CONTRACTS
from expectations.suites import rules_for


def test_dbt_sources_files_are_generated_from_the_contracts():
    # Regenerate with: python -m chargelake.catalogue
    for source in load_catalogue().sources:
        assert sources_yml_path(source.name).read_text() == sources_yml(source), source.name


def test_every_catalogued_raw_table_has_a_gate_suite():
    for source, table in load_catalogue().raw_tables():
        assert rules_for(source, table).table == table


def test_dbt_reads_lazily_exactly_the_tables_the_catalogue_says():
    from orchestration.defs.warehouse.resources import dbt_project, ensure_manifest

    ensure_manifest()
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    lazy = {
        (s["source_name"], s["name"])
        for s in manifest["sources"].values()
        if s["meta"].get("materialization") == "view"
    }
    raw = {(f"raw_{s.name}", t) for s in load_catalogue().sources for t in s.lazy_tables}
    assert {s for s in lazy if s[0] != "derived"} == raw
    assert len(raw) == 11  # meter values, alarms, sessions, CDRs and the CDR child tables


def test_dbt_reads_every_derived_table_from_its_lake_path_and_the_partitioned_ones_lazily():
    from expectations.derived import COST_CENTRE_MAP, DERIVED_TABLES
    from orchestration.defs.warehouse.resources import dbt_project, ensure_manifest

    ensure_manifest()
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    derived = {s["name"]: s["meta"] for s in manifest["sources"].values() if s["source_name"] == "derived"}
    partitioned = {t.name for t in DERIVED_TABLES}
    assert set(derived) == partitioned | {COST_CENTRE_MAP.name}
    for name, meta in derived.items():
        assert meta["delta_table_path"].endswith(f"/derived/{name}")
        assert meta["dagster"]["asset_key"] == ["derived", name]
        # by partition: scanned lazily, so incremental builds read new partitions only; a snapshot: whole
        assert meta["materialization"] == ("view" if name in partitioned else "table")


@pytest.fixture
def contracts_with_a_new_table(tmp_path):
    """The package's contracts plus `telemetry.heartbeats` (a change log, scanned lazily) and its
    child table `heartbeats__errors`, as a developer adding a table would write them."""
    for path in CONTRACTS.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    path = tmp_path / "telemetry.json"
    contract = json.loads(path.read_text())
    template = next(t for t in contract["tables"] if t["name"] == "alarms")
    root = copy.deepcopy(template) | {"name": "heartbeats"}
    child = {
        "name": "heartbeats__errors",
        "parent": "heartbeats",
        "list_path": ["errors"],
        "scalar_list": False,
        "columns": [{"name": "code", "path": ["code"], "type": "string", "required": True, "enum": None}],
    }
    contract["tables"] += [root, child]
    contract["keys"]["heartbeats"] = "id"
    contract["catalogue"]["tables"]["heartbeats"] = {
        "description": "OCPP Heartbeat requests, by the day they were received.",
        "published": "by_day",
        "scan": "lazy",
    }
    contract["catalogue"]["tables"]["heartbeats__errors"] = {"description": "Errors a heartbeat reported."}
    path.write_text(json.dumps(contract, indent=1))
    return tmp_path


def test_a_table_added_to_a_contract_appears_everywhere(contracts_with_a_new_table):
    from orchestration.cli import build_parser
    from orchestration.cli.demo import raw_summary_tables
    from orchestration.defs.ingest.assets import build_ingest_assets
    from orchestration.defs.ingest.sources import source_specs

    catalogue = load_catalogue(contracts_with_a_new_table)

    # dbt: a source table with its Delta path, its asset key, scanned lazily (so dropped around a run).
    yml = sources_yml(catalogue.source("telemetry"))
    assert "      - name: heartbeats\n" in yml and '/raw/telemetry/heartbeats"' in yml
    assert 'asset_key: ["raw", "telemetry", "heartbeats"]' in yml
    assert 'asset_key: ["raw", "telemetry", "heartbeats__errors"]' in yml
    block = yml.split("      - name: heartbeats\n")[1].split("      - name:")[0]
    assert "materialization: view" in block
    assert "heartbeats" in catalogue.source("telemetry").lazy_tables

    # Dagster: landed, published, and the child table as an asset of the root's publish step.
    specs = source_specs(catalogue)
    telemetry = next(s for s in specs if s.name == "telemetry")
    assert "heartbeats" in telemetry.tables and "heartbeats" not in telemetry.snapshot_tables
    keys = {key.to_user_string() for a in build_ingest_assets(specs) for key in a.keys}
    assert {"landing/telemetry/heartbeats", "raw/telemetry/heartbeats", "raw/telemetry/heartbeats__errors"} <= keys

    # The CLI names it among what `--source telemetry` publishes.
    run_help = build_parser(catalogue)._subparsers._group_actions[0].choices["run"].format_help()
    assert "heartbeats" in " ".join(run_help.split())

    # The demo's summary has a line for it.
    assert ("telemetry", "heartbeats") in raw_summary_tables(catalogue)


def test_a_catalogue_that_misses_a_root_table_is_refused(contracts_with_a_new_table):
    path = contracts_with_a_new_table / "telemetry.json"
    contract = json.loads(path.read_text())
    del contract["catalogue"]["tables"]["heartbeats"]
    path.write_text(json.dumps(contract))
    with pytest.raises(CatalogueError, match="heartbeats"):
        load_catalogue.__wrapped__(contracts_with_a_new_table)
