"""The catalogue: which raw tables exist, how each is published and how dbt reads it.

It is the `catalogue` block of each contract (`chargelake/contracts/<source>.json`), so a raw table is
declared once, next to its columns. Everything that lists raw tables is derived from here: the ingest
assets (root tables, snapshot tables, child tables dbt reads), dbt's `_<source>__sources.yml` (written
by `python -m chargelake.catalogue`, checked by a drift test), the lazily scanned sources dbt drops
around a run (read from those files), the CLI's source names and the demo's summary. Adding a table
means editing its contract and its extractor's mapping; tests/unit/test_catalogue.py adds one to a
temporary contract and finds it in each place.

Block shape: `{"position": 1, "description": "...", "tables": {"<table>": {"description": "...",
"published": "by_day" | "snapshot" (root tables), "scan": "lazy" (optional)}}}`. Every root table of
the contract is catalogued; a child table is catalogued when dbt reads it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from chargelake.contract import CONTRACTS

PUBLISHED = ("by_day", "snapshot")
SCANS = ("table", "lazy")
LAZY_NOTE = "scanned lazily: incremental builds read new partitions only"
DBT_STAGING = Path(__file__).resolve().parents[1] / "dbt_project" / "models" / "staging"


class CatalogueError(ValueError):
    """A contract's catalogue block is inconsistent with its tables; the message names both."""


@dataclass(frozen=True)
class CatalogueTable:
    name: str
    family: str  # the root table it is published with
    description: str
    published: str | None  # root tables: by_day (a change log) or snapshot (reference data)
    lazy: bool  # dbt scans it lazily (a view over the Delta dataset): incremental builds prune files

    @property
    def is_root(self) -> bool:
        return self.name == self.family


@dataclass(frozen=True)
class CatalogueSource:
    name: str
    position: int
    description: str
    tables: tuple[CatalogueTable, ...]

    @property
    def raw_tables(self) -> tuple[str, ...]:
        """Root tables in catalogue order: what is extracted, gated and published."""
        return tuple(t.name for t in self.tables if t.is_root)

    @property
    def snapshot_tables(self) -> frozenset[str]:
        return frozenset(t.name for t in self.tables if t.published == "snapshot")

    @property
    def child_assets(self) -> dict[str, tuple[str, ...]]:
        """Root table -> its child tables dbt reads (assets of the root's publish step)."""
        out: dict[str, tuple[str, ...]] = {}
        for t in self.tables:
            if not t.is_root:
                out[t.family] = (*out.get(t.family, ()), t.name)
        return out

    @property
    def lazy_tables(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tables if t.lazy)


@dataclass(frozen=True)
class Catalogue:
    sources: tuple[CatalogueSource, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sources)

    def source(self, name: str) -> CatalogueSource:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(f"no source {name!r} in the catalogue; known: {', '.join(self.names)}")

    def raw_tables(self) -> tuple[tuple[str, str], ...]:
        """(source, root table) of every published raw table, in catalogue order."""
        return tuple((s.name, t) for s in self.sources for t in s.raw_tables)


def _source(data: dict, where: Path) -> CatalogueSource:
    block = data.get("catalogue")
    if not block:
        raise CatalogueError(f"{where}: no `catalogue` block")
    declared = {t["name"]: t for t in data["tables"]}
    roots = [name for name, t in declared.items() if t["parent"] is None]
    tables = []
    for name, entry in block["tables"].items():
        if name not in declared:
            raise CatalogueError(f"{where}: catalogue table {name!r} is not a table of the contract")
        family = name.split("__")[0]
        published = entry.get("published")
        if (published in PUBLISHED) != (name in roots):
            raise CatalogueError(
                f"{where}: catalogue table {name!r} must "
                + (f"say `published`: one of {PUBLISHED}" if name in roots else "not say `published` (a child table)")
            )
        scan = entry.get("scan", "table")
        if scan not in SCANS:
            raise CatalogueError(f"{where}: catalogue table {name!r} has scan {scan!r}, not one of {SCANS}")
        tables.append(CatalogueTable(name, family, " ".join(entry["description"].split()), published, scan == "lazy"))
    missing = [r for r in roots if r not in block["tables"]]
    if missing:
        raise CatalogueError(f"{where}: root tables {missing} are in the contract but not in its catalogue")
    description = " ".join(block["description"].split())
    return CatalogueSource(data["source"], int(block["position"]), description, tuple(tables))


@cache
def load_catalogue(directory: Path = CONTRACTS) -> Catalogue:
    """Every contract in `directory` (the package's contracts by default), ordered by `position`."""
    sources = [_source(json.loads(p.read_text()), p) for p in sorted(Path(directory).glob("*.json"))]
    return Catalogue(tuple(sorted(sources, key=lambda s: s.position)))


def _yaml_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def sources_yml(source: CatalogueSource) -> str:
    """dbt's `_<source>__sources.yml`. Paths come from the `lake_url` var the warehouse asset passes
    (falling back to CHARGELAKE_LAKE_URL for a hand-run dbt); asset keys tie sources to the raw assets."""
    lines = [
        f"# Generated from chargelake/contracts/{source.name}.json by `python -m chargelake.catalogue`:",
        "# edit the contract's catalogue block, not this file.",
        "version: 2",
        "",
        "sources:",
        f"  - name: raw_{source.name}",
        f"    description: {_yaml_text(source.description)}",
        "    meta:",
        "      plugin: delta",
        "      materialization: table",
        "    tables:",
    ]
    for t in source.tables:
        lines += [
            f"      - name: {t.name}",
            f"        description: {_yaml_text(t.description)}",
            "        meta:",
            *([f"          materialization: view  # {LAZY_NOTE}"] if t.lazy else []),
            "          delta_table_path: \"{{ var('lake_url', env_var('CHARGELAKE_LAKE_URL', '../data/lake')) }}"
            f'/raw/{source.name}/{t.name}"',
            "          dagster:",
            f'            asset_key: ["raw", "{source.name}", "{t.name}"]',
        ]
    return "\n".join(lines) + "\n"


def sources_yml_path(source: str, staging: Path = DBT_STAGING) -> Path:
    return staging / source / f"_{source}__sources.yml"


def write_dbt_sources(catalogue: Catalogue, staging: Path = DBT_STAGING) -> list[Path]:
    written = []
    for source in catalogue.sources:
        path = sources_yml_path(source.name, staging)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sources_yml(source))
        written.append(path)
    return written


def main() -> int:
    """`python -m chargelake.catalogue`: rewrite dbt's sources files from the contracts."""
    for path in write_dbt_sources(load_catalogue()):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
