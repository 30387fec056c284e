"""dbt's DAG reads downward (docs/architecture.md, "dbt layers"): staging reads only sources (and
the publication log, which says which raw partitions to read: macros/incremental.sql),
intermediate reads staging, intermediate and seeds, facts and dimensions read those and dimensions,
and only reports (`rpt_`) roll up facts. A model that reads against this order fails here by name."""

import json
import re
from pathlib import Path

import pytest

from orchestration.defs.warehouse.resources import dbt_project, ensure_manifest

NAMES: dict[str, str] = {}  # unique id (versioned marts end in .v1) -> model name


@pytest.fixture(scope="module")
def models() -> dict[str, dict]:
    ensure_manifest()
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    nodes = {i: n for i, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    NAMES.update({i: n["name"] for i, n in nodes.items()})
    return {n["name"]: n for n in nodes.values()}


def parents(node: dict, models: dict[str, dict]) -> set[str]:
    return {NAMES[i] for i in node["depends_on"]["nodes"] if i.startswith("model.")}


def kind(name: str) -> str:
    return name.split("_")[0]  # stg, int, fct, dim, rpt


def test_staging_reads_only_sources(models):
    allowed = {"stg_audit__publications"}
    wrong = {n: parents(m, models) - allowed for n, m in models.items() if kind(n) == "stg"}
    assert not {n: p for n, p in wrong.items() if p}, wrong


def test_intermediate_reads_no_mart(models):
    wrong = {
        n: sorted(p for p in parents(m, models) if kind(p) in ("fct", "dim", "rpt"))
        for n, m in models.items()
        if kind(n) == "int"
    }
    assert not {n: p for n, p in wrong.items() if p}, wrong


def test_facts_and_dimensions_read_no_fact_or_report(models):
    wrong = {
        n: sorted(p for p in parents(m, models) if kind(p) in ("fct", "rpt"))
        for n, m in models.items()
        if kind(n) in ("fct", "dim")
    }
    assert not {n: p for n, p in wrong.items() if p}, wrong


def test_every_model_is_in_a_layer_folder_with_its_prefix(models):
    folder = {"stg": "staging", "int": "intermediate", "fct": "marts", "dim": "marts", "rpt": "marts"}
    for name, node in models.items():
        assert kind(name) in folder, f"{name}: no layer prefix (stg_, int_, fct_, dim_, rpt_)"
        assert node["original_file_path"].startswith(f"models/{folder[kind(name)]}/"), node["original_file_path"]


def test_model_sql_uses_no_duckdb_only_clauses(models):
    """The same models run on Spark (docs/scaling.md): `qualify` and `* exclude (...)` / `* replace (...)`
    are DuckDB's, so a model ranks with the `first_per` macro and lists its columns instead."""
    duckdb_only = re.compile(r"\bqualify\b|\*\s*(exclude|replace)\s*\(", re.IGNORECASE)
    for name, node in models.items():
        sql = re.sub(r"--[^\n]*", "", node["raw_code"])
        found = duckdb_only.search(sql)
        assert not found, f"{name}: `{found.group(0)}` is DuckDB-only SQL; use macros/portable.sql"
