"""Objects to Arrow tables by a raw contract: every declared column exists, typed as declared.

Nested classes become `a__b` columns, lists become child tables (linked by `_dlt_parent_id` /
`_dlt_root_id`, as dlt names them), and fields the contract does not know (vendor extensions) are kept
as JSON in `_extensions` rather than dropped or failing. Building Arrow here instead of handing dicts
to dlt's normaliser makes raw schemas independent of what a page happened to contain, and is the
fast path (dlt writes Arrow without normalising it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from chargelake.contract import (
    API_VERSION,
    EXTENSIONS,
    ID,
    LIST_IDX,
    PARENT_ID,
    ROOT_ID,
    Column,
    Contract,
    Table,
)
from extractors.common.errors import SourceError

NINE_PLACES = Decimal("1e-9")


class FieldError(ValueError):
    """A value that does not fit its declared type; the caller adds which record and page."""


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def content_hash(record: dict) -> str:
    return hashlib.blake2b(_json(record).encode(), digest_size=12).hexdigest()


def _timestamp(value: Any) -> datetime:
    if not isinstance(value, str):
        raise FieldError(f"{value!r} is not a DateTime")
    try:
        ts = datetime.fromisoformat(value)
    except ValueError:
        raise FieldError(f"{value!r} is not a DateTime") from None
    # OCPI DateTime: no time zone designator means UTC.
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _number(value: Any, kind: str = "a number") -> Decimal:
    """Any JSON number (or numeric text) as an exact, finite Decimal; a boolean is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise FieldError(f"{value!r} is not {kind}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise FieldError(f"{value!r} is not {kind}") from None
    if not number.is_finite():
        raise FieldError(f"{value!r} is not a finite number")
    return number


def _decimal(value: Any) -> Decimal:
    return _number(value).quantize(NINE_PLACES)


def _bigint(value: Any) -> int:
    number = _number(value, "an integer")
    if number != number.to_integral_value():
        raise FieldError(f"{value!r} is not an integer")
    return int(number)


def _double(value: Any) -> float:
    return float(_number(value))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise FieldError(f"{value!r} is not a boolean")


def _string(value: Any) -> str:
    if isinstance(value, dict | list):
        raise FieldError(f"{_json(value)[:60]} is not a plain value")
    return value if isinstance(value, str) else _json(value)


CONVERT = {
    "timestamp": _timestamp,
    "decimal": _decimal,
    "bigint": _bigint,
    "bool": _bool,
    "double": _double,
    "string": _string,
}


@dataclass
class _Shape:
    """Where each key of an element goes: a column, a nested class, or a child table."""

    table: Table
    columns: dict[tuple[str, ...], Column] = field(default_factory=dict)
    classes: set[tuple[str, ...]] = field(default_factory=set)
    lists: dict[tuple[str, ...], Table] = field(default_factory=dict)


class Flattener:
    """Accumulates the rows of one root table and its child tables; `drain()` hands them over as Arrow."""

    def __init__(self, contract: Contract, root: str, api_version: str) -> None:
        self.family = contract.family(root)
        self.root = root
        self.api_version = api_version
        self.shapes: dict[str, _Shape] = {}
        for table in self.family:
            shape = _Shape(table)
            for col in table.columns:
                shape.columns[col.path] = col
                shape.classes.update(col.path[:i] for i in range(1, len(col.path)))
            self.shapes[table.name] = shape
        for table in self.family:
            if table.parent:
                parent = self.shapes[table.parent]
                parent.lists[table.list_path] = table
                parent.classes.update(table.list_path[:i] for i in range(1, len(table.list_path)))
        self.rows: dict[str, list[dict]] = {t.name: [] for t in self.family}

    def add(self, record: dict, where: str) -> None:
        """Flatten one object; a value that does not fit its column raises naming `where` and the field."""
        row_id = content_hash(record)
        try:
            row = self._element(self.root, record, row_id, row_id)
        except FieldError as exc:
            raise SourceError(f"{where}: {exc}") from None
        row[ID] = row_id
        row[API_VERSION] = self.api_version
        self.rows[self.root].append(row)

    def _element(self, table: str, element: Any, row_id: str, root_id: str) -> dict:
        shape = self.shapes[table]
        if shape.table.scalar_list:
            col = shape.table.columns[0]
            return {col.name: self._value(col, element, ("value",))}
        if not isinstance(element, dict):
            raise FieldError(f"{table} element {_json(element)[:60]} is not an object")
        row: dict[str, Any] = {}
        extensions: dict[str, Any] = {}
        self._walk(shape, element, (), row, extensions, row_id, root_id)
        if extensions:
            row[EXTENSIONS] = _json(extensions)
        return row

    def _walk(self, shape: _Shape, obj: dict, prefix: tuple[str, ...], row, extensions, row_id, root_id) -> None:
        for key, value in obj.items():
            path = (*prefix, key)
            if path in shape.columns:
                if value is not None:
                    row[shape.columns[path].name] = self._value(shape.columns[path], value, path)
            elif path in shape.lists:
                if value is not None:
                    self._children(shape.lists[path], value, path, row_id, root_id)
            elif path in shape.classes:
                if isinstance(value, dict):
                    self._walk(shape, value, path, row, extensions, row_id, root_id)
                elif value is not None:
                    raise FieldError(f"{'.'.join(path)}: {_json(value)[:60]} is not an object")
            else:
                extensions[".".join(path)] = value

    def _children(self, table: Table, items: Any, path: tuple[str, ...], parent_id: str, root_id: str) -> None:
        if not isinstance(items, list):
            raise FieldError(f"{'.'.join(path)}: {_json(items)[:60]} is not a list")
        for idx, item in enumerate(items):
            child_id = hashlib.blake2b(f"{parent_id}/{table.name}/{idx}".encode(), digest_size=12).hexdigest()
            row = self._element(table.name, item, child_id, root_id)
            row.update({ID: child_id, PARENT_ID: parent_id, ROOT_ID: root_id, LIST_IDX: idx})
            self.rows[table.name].append(row)

    @staticmethod
    def _value(col: Column, value: Any, path: tuple[str, ...]) -> Any:
        try:
            return CONVERT[col.type](value)
        except FieldError as exc:
            raise FieldError(f"{'.'.join(path)}: {exc}") from None

    def drain(self, include_empty: bool = False) -> Iterable[tuple[str, pa.Table]]:
        """The accumulated rows per table (and empty tables too, if asked, so every table is landed)."""
        for table in self.family:
            rows = self.rows[table.name]
            if rows or include_empty:
                yield table.name, pa.Table.from_pylist(rows, schema=table.arrow_schema())
            self.rows[table.name] = []
