"""Read OCPI 2.2.1's object, class and enum tables from the specification's asciidoc.

Used at development time to (re)generate the raw contract (`contract.py --write`) and by the tests
that hold the contract, the suites and the simulator to the specification itself. Nothing here runs
in a pipeline: a user's installation has no copy of the spec.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_ANCHOR = re.compile(r"^\[\[(\w+)\]\]\s*$")
_ROW = re.compile(r"^\|\s*(\w+)\s*\|([^|]*)\|\s*([1?*+])\s*\|")
_ENUM_ROW = re.compile(r"^\|\s*([A-Z0-9_]+)\s*\|")
_REF = re.compile(r"<<(?:[\w.]+#)?(\w+),([^>]*)>>")


@dataclass(frozen=True)
class Field:
    name: str
    ref: str | None  # anchor of an enum/class/object/type, None for plain primitives (int, boolean)
    card: str  # 1 ? * +
    type_name: str  # as written in the table, without the length: CiString, DateTime, number, int, ...


@dataclass(frozen=True)
class SpecTables:
    classes: dict[str, list[Field]]
    enums: dict[str, frozenset[str]]


@cache
def read_spec(spec_dir: Path) -> SpecTables:
    classes: dict[str, list[Field]] = {}
    enums: dict[str, set[str]] = {}
    for path in sorted(spec_dir.glob("*.asciidoc")):
        anchor, kind, pending, in_table = None, None, None, False
        for line in path.read_text().splitlines():
            if m := _ANCHOR.match(line):
                pending = m.group(1)
                continue
            if pending and line.startswith("="):
                # The heading says what an anchor is ("==== TariffType _enum_"): the spec's anchor
                # names are not consistent (mod_tariffs_tariff_type has no _enum suffix).
                found = _kind(line, pending)
                if found:
                    anchor, kind, in_table = pending, found, False
                pending = None
                continue
            if line.startswith("|==="):
                in_table = not in_table
                continue
            if not (in_table and anchor):
                continue
            if kind == "class" and (m := _ROW.match(line)):
                ref = _REF.search(m.group(2))
                type_name = ref.group(2).strip() if ref else re.sub(r"\(.*", "", m.group(2)).strip()
                field = Field(m.group(1), ref.group(1) if ref else None, m.group(3), type_name)
                classes.setdefault(anchor, []).append(field)
            elif kind == "enum" and (m := _ENUM_ROW.match(line)):
                enums.setdefault(anchor, set()).add(m.group(1))
    return SpecTables(classes, {k: frozenset(v) for k, v in enums.items()})


def _kind(heading: str, anchor: str) -> str | None:
    if "_enum_" in heading or anchor.endswith("_enum"):
        return "enum"
    if "_class_" in heading or " Object" in heading or anchor.endswith(("_object", "_class")):
        return "class"
    return None


def violations(spec: SpecTables, obj: dict, anchor: str, where: str = "") -> list[str]:
    """Required fields missing, enum values outside the spec, recursively."""
    out = []
    for f in spec.classes[anchor]:
        value = obj.get(f.name)
        path = f"{where}.{f.name}" if where else f.name
        if value is None:
            if f.card in ("1", "+"):
                out.append(f"{path}: required ({anchor})")
            continue
        values = value if isinstance(value, list) else [value]
        if f.card == "+" and not values:
            out.append(f"{path}: at least one required")
        for i, v in enumerate(values):
            if f.ref in spec.enums and v not in spec.enums[f.ref]:
                out.append(f"{path}: {v!r} is not a {f.ref} value")
            elif f.ref in spec.classes and isinstance(v, dict):
                out += violations(spec, v, f.ref, f"{path}[{i}]" if isinstance(value, list) else path)
    return out


# -- The raw contract, built from the spec tables ------------------------------------------------

# The modules a CPO sends, and the object each list endpoint returns.
TOP_OBJECTS = {
    "locations": "mod_locations_location_object",
    "sessions": "mod_sessions_session_object",
    "cdrs": "mod_cdrs_cdr_object",
    "tariffs": "mod_tariffs_tariff_object",
    "tokens": "mod_tokens_token_object",
}
PRIMITIVE_REFS = {"types_datetime_type": "timestamp", "types_number_type": "decimal"}
PLAIN_TYPES = {"int": "bigint", "boolean": "bool"}


def _column_type(field: Field) -> str:
    if field.ref in PRIMITIVE_REFS:
        return PRIMITIVE_REFS[field.ref]
    return PLAIN_TYPES.get(field.type_name, "string")


def build_contract(spec: SpecTables, api_version: str = "2.2.1"):
    """Every field of every module object as a column (nested classes flattened with `__`, lists as
    child tables `<table>__<list>`): the names dlt's normaliser would give them."""
    from chargelake.contract import Column, Contract, Table

    tables: dict[str, Table] = {}

    def walk(anchor: str, table: str, path: tuple[str, ...], required: bool, columns: list[Column]) -> None:
        for f in spec.classes[anchor]:
            here = (*path, f.name)
            must = required and f.card in ("1", "+")
            listed = f.card in ("*", "+")
            is_class = f.ref in spec.classes
            if listed:
                child = f"{table}__{'__'.join(here)}"
                if is_class:
                    child_columns: list[Column] = []
                    walk(f.ref, child, (), True, child_columns)
                    tables[child] = Table(child, table, here, tuple(child_columns))
                else:
                    enum = f.ref if f.ref in spec.enums else None
                    value = Column("value", (), _column_type(f), True, enum)
                    tables[child] = Table(child, table, here, (value,), scalar_list=True)
            elif is_class:
                walk(f.ref, table, here, must, columns)
            else:
                enum = f.ref if f.ref in spec.enums else None
                columns.append(Column("__".join(here), here, _column_type(f), must, enum))

    for module, anchor in TOP_OBJECTS.items():
        columns: list[Column] = []
        walk(anchor, module, (), True, columns)
        tables[module] = Table(module, None, (), tuple(columns))
    ordered = dict(sorted(tables.items(), key=lambda kv: (kv[0].split("__")[0], kv[0].count("__"), kv[0])))
    used = {c.enum for t in ordered.values() for c in t.columns if c.enum}
    enums = {k: v for k, v in spec.enums.items() if k in used}
    keys = {m: ("uid" if m == "tokens" else "id") for m in TOP_OBJECTS}
    return Contract("ocpi", api_version, ordered, enums, keys)


def main(argv: list[str] | None = None) -> int:
    """`python -m extractors.ocpi.spec SPEC_DIR`: regenerate chargelake/contracts/ocpi.json (its tables;
    the catalogue block is kept)."""
    import argparse
    import json

    from chargelake.contract import contract_path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("spec_dir", type=Path, help="folder with the OCPI 2.2.1 asciidoc modules")
    args = parser.parse_args(argv)
    contract = build_contract(read_spec(args.spec_dir.resolve()))
    path = contract_path("ocpi")
    # The catalogue block (chargelake/catalogue.py) is ours, not the spec's: kept as it is.
    catalogue = json.loads(path.read_text()).get("catalogue") if path.exists() else None
    data = {**contract.to_json(), **({"catalogue": catalogue} if catalogue else {})}
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {path}: {len(contract.tables)} tables")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
