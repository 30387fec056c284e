"""Raw table contracts: every column a raw table has, whatever a page happened to contain.

A contract is data (`chargelake/contracts/<source>.json`, generated from the API's specification and
checked against it by the tests). The extractor flattens objects into exactly these columns, the gate
derives its required-column expectations from it, and publishing creates every declared table, so
dbt never meets a missing column or table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

CONTRACTS = Path(__file__).with_name("contracts")

# Column types of a contract and their Arrow types. Numbers are decimals: money must never be a
# binary float, and OCPI numbers carry 4 decimals (kept up to 9 so nothing a CPO sends is lost).
DECIMAL = pa.decimal128(38, 9)
ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "decimal": DECIMAL,
    "bigint": pa.int64(),
    "bool": pa.bool_(),
    "double": pa.float64(),  # physical measurements (kWh, kW, A, V, %), never money
}

# System columns. Root rows: a stable row id, the API version the object came in, and unknown
# (vendor) fields as JSON. Child rows: their position and links to parent and root, as dlt names them.
ID = "_dlt_id"
PARENT_ID = "_dlt_parent_id"
ROOT_ID = "_dlt_root_id"
LIST_IDX = "_dlt_list_idx"
EXTENSIONS = "_extensions"
API_VERSION = "_api_version"
ROOT_SYSTEM = ((ID, "string"), (API_VERSION, "string"), (EXTENSIONS, "string"))
CHILD_SYSTEM = (
    (ID, "string"),
    (PARENT_ID, "string"),
    (ROOT_ID, "string"),
    (LIST_IDX, "bigint"),
    (EXTENSIONS, "string"),
)


@dataclass(frozen=True)
class Column:
    name: str
    path: tuple[str, ...]  # keys from the table's element to the value
    type: str
    required: bool
    enum: str | None = None


@dataclass(frozen=True)
class Table:
    name: str
    parent: str | None
    list_path: tuple[str, ...]  # where the list sits in the parent's element (child tables)
    columns: tuple[Column, ...]
    scalar_list: bool = False  # a list of plain values: one `value` column

    @property
    def is_root(self) -> bool:
        return self.parent is None

    def arrow_schema(self) -> pa.Schema:
        system = ROOT_SYSTEM if self.is_root else CHILD_SYSTEM
        fields = [pa.field(c.name, ARROW_TYPES[c.type]) for c in self.columns]
        return pa.schema(fields + [pa.field(n, ARROW_TYPES[t]) for n, t in system])

    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


@dataclass(frozen=True)
class Contract:
    source: str
    api_version: str
    tables: dict[str, Table]
    enums: dict[str, frozenset[str]]
    keys: dict[str, str]  # root table -> its id field (uid for tokens)

    def family(self, root: str) -> list[Table]:
        return [t for name, t in self.tables.items() if name == root or name.startswith(root + "__")]

    def to_json(self) -> dict:
        return {
            "source": self.source,
            "api_version": self.api_version,
            "keys": self.keys,
            "enums": {k: sorted(v) for k, v in sorted(self.enums.items())},
            "tables": [
                {
                    "name": t.name,
                    "parent": t.parent,
                    "list_path": list(t.list_path),
                    "scalar_list": t.scalar_list,
                    "columns": [
                        {"name": c.name, "path": list(c.path), "type": c.type, "required": c.required, "enum": c.enum}
                        for c in t.columns
                    ],
                }
                for t in self.tables.values()
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> Contract:
        tables = {
            t["name"]: Table(
                t["name"],
                t["parent"],
                tuple(t["list_path"]),
                tuple(Column(c["name"], tuple(c["path"]), c["type"], c["required"], c["enum"]) for c in t["columns"]),
                t["scalar_list"],
            )
            for t in data["tables"]
        }
        enums = {k: frozenset(v) for k, v in data["enums"].items()}
        return cls(data["source"], data["api_version"], tables, enums, data["keys"])


def contract_path(source: str) -> Path:
    return CONTRACTS / f"{source}.json"


@cache
def load_contract(source: str) -> Contract:
    return Contract.from_json(json.loads(contract_path(source).read_text()))
