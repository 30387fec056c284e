"""Read OCPI 2.2.1's object, class and enum tables from the spec's asciidoc, so tests check served
objects against the specification itself rather than against a copy of it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "shared" / "ocpi-2.2.1"
_ANCHOR = re.compile(r"^\[\[(\w+)\]\]\s*$")
_ROW = re.compile(r"^\|\s*(\w+)\s*\|([^|]*)\|\s*([1?*+])\s*\|")
_ENUM_ROW = re.compile(r"^\|\s*([A-Z0-9_]+)\s*\|")
_REF = re.compile(r"<<(?:[\w.]+#)?(\w+),")


@dataclass(frozen=True)
class Field:
    name: str
    ref: str | None  # anchor of an enum/class/object type, None for primitives
    card: str  # 1 ? * +


@cache
def tables() -> tuple[dict[str, list[Field]], dict[str, set[str]]]:
    classes: dict[str, list[Field]] = {}
    enums: dict[str, set[str]] = {}
    for path in SPEC.glob("*.asciidoc"):
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
                classes.setdefault(anchor, []).append(Field(m.group(1), ref.group(1) if ref else None, m.group(3)))
            elif kind == "enum" and (m := _ENUM_ROW.match(line)):
                enums.setdefault(anchor, set()).add(m.group(1))
    return classes, enums


def _kind(heading: str, anchor: str) -> str | None:
    if "_enum_" in heading or anchor.endswith("_enum"):
        return "enum"
    if "_class_" in heading or " Object" in heading or anchor.endswith(("_object", "_class")):
        return "class"
    return None


def violations(obj: dict, anchor: str, where: str = "") -> list[str]:
    """Required fields missing, enum values outside the spec, recursively."""
    classes, enums = tables()
    out = []
    for f in classes[anchor]:
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
            if f.ref in enums and v not in enums[f.ref]:
                out.append(f"{path}: {v!r} is not a {f.ref} value")
            elif f.ref in classes and isinstance(v, dict):
                out += violations(v, f.ref, f"{path}[{i}]" if isinstance(value, list) else path)
    return out
