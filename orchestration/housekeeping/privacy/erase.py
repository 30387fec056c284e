"""`chargelake privacy erase`: remove one card's rows from every raw Delta table, the landing and
quarantine leftovers, and (on the next build) the warehouse and mart exports, and record that it
happened without recording who it was.

A card is found by its pseudonym (computed from the identifier with the key, or given as `hmac:...`).
The card's own rows (the token, and the token's contract and printed-number pseudonyms with it),
every session and CDR it started, and all their child rows (charging periods, dimensions, tariffs
copied into a CDR, signed values) are deleted: one Delta delete per table. The files the deletes
supersede stay readable by time travel until vacuumed: `--vacuum-now`, or `chargelake lake vacuum`
after the retention. Aggregates built from the remaining rows stay correct: they are rebuilt, not
patched (the next warehouse build is a full refresh).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import DeltaTable

from chargelake.lake import Lake
from chargelake.pseudonymise import is_pseudonym, key_id, pseudonym, reveal
from expectations.audit import append_row, newest, read_delta_files
from expectations.commits import with_commit_retry
from expectations.derived import DERIVED, derived_from
from orchestration.housekeeping.privacy.columns import PSEUDONYM_COLUMNS
from orchestration.housekeeping.privacy.files import copies_lines, forget_now, run_folders, write_back
from orchestration.housekeeping.vacuum import lake_tables

ERASURES_SCHEMA = pa.schema(
    [
        ("erasure_id", pa.string()),
        ("erased_at", pa.timestamp("us", tz="UTC")),
        # `<key id>:` + SHA-256 of the card's pseudonym under that key: proves, to someone holding the
        # card number and that key, which request this row answers; tells nobody else anything (and,
        # once a rotated-away key is destroyed, nobody at all: the row still says when and how much).
        ("subject_digest", pa.string()),
        ("table_rows", pa.string()),  # JSON: raw table -> rows deleted
        ("files_rewritten", pa.int64()),
        ("vacuumed", pa.bool_()),
    ]
)


@dataclass
class Erasure:
    pseudonyms: set[str]
    digest: str
    table_rows: dict[str, int] = field(default_factory=dict)
    files_rewritten: list[str] = field(default_factory=list)
    vacuumed: bool = False

    def lines(self) -> list[str]:
        total = sum(self.table_rows.values())
        out = [f"erased {total} rows from {len(self.table_rows)} raw tables:"]
        out += [f"  {table}: {rows}" for table, rows in sorted(self.table_rows.items())]
        return out + copies_lines(
            len(self.files_rewritten),
            self.vacuumed,
            "superseded Delta files stay until `chargelake lake vacuum` (time travel can still read them)",
            "the warehouse and mart exports lose these rows then",
        )


def subject_pseudonyms(subject: str, keys: list[str]) -> set[str]:
    """The card's pseudonym under every key in use (`keys[0]` the current one; during a key rotation
    the lake holds both): from its identifier, or from a pseudonym of any of those keys."""
    identifier = reveal(keys, subject) if is_pseudonym(subject) else subject
    return {pseudonym(k, identifier) for k in keys}


def _quote(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _parent(table: str, tables: set[str]) -> str | None:
    """The nearest ancestor table of a child table (`a__b__c` -> `a__b`, or `a` when `a__b` is an object)."""
    parts = table.split("__")
    for n in range(len(parts) - 1, 0, -1):
        candidate = "__".join(parts[:n])
        if candidate in tables:
            return candidate
    return None


def _delete(lake: Lake, uri: str, predicate: str) -> int:
    metrics: dict = {}

    def run() -> None:
        metrics.update(DeltaTable(uri, storage_options=lake.delta_storage_options()).delete(predicate))

    with_commit_retry(run, uri)
    return int(metrics.get("num_deleted_rows", 0))


def _matching(data: pa.Table | None, predicate_columns: dict[str, list[str]]) -> pa.Table | None:
    """The rows where any of the columns holds one of the values."""
    if data is None or "_dlt_id" not in data.column_names:
        return None
    mask = None
    for column, values in predicate_columns.items():
        if column not in data.column_names:
            continue
        hit = pc.is_in(data[column], pa.array(values, data.schema.field(column).type))
        mask = hit if mask is None else pc.or_(mask, hit)
    return None if mask is None else data.filter(pc.fill_null(mask, False))


def _matching_ids(lake: Lake, uri: str, predicate_columns: dict[str, list[str]]) -> list[str]:
    rows = _matching(read_delta_files(lake, uri), predicate_columns)
    return [] if rows is None else rows.column("_dlt_id").to_pylist()


def erase_raw(lake: Lake, targets: set[str]) -> dict[str, int]:
    uris = {name: uri for name, uri in lake_tables(lake).items() if not name.startswith(f"{DERIVED}/")}
    names_by_source: dict[str, set[str]] = {}
    for name in uris:
        source, table = name.split("/", 1)
        names_by_source.setdefault(source, set()).add(table)
    # The card's other pseudonyms (contract, printed number) come with its token rows.
    if "ocpi/tokens" in uris:
        columns = PSEUDONYM_COLUMNS["ocpi/tokens"]
        rows = _matching(read_delta_files(lake, uris["ocpi/tokens"]), dict.fromkeys(columns, sorted(targets)))
        for row in [] if rows is None else rows.to_pylist():
            targets |= {row[c] for c in columns if row.get(c)}
    deleted: dict[str, int] = {}
    erased_ids: dict[str, list[str]] = {}
    for name, columns in PSEUDONYM_COLUMNS.items():
        if name not in uris:
            continue
        ids = _matching_ids(lake, uris[name], dict.fromkeys(columns, sorted(targets)))
        if ids:
            erased_ids[name] = ids
    # Children, depth first from each root: a child row goes with its parent row.
    for source, tables in names_by_source.items():
        for table in sorted(tables, key=lambda t: t.count("__")):
            parent = _parent(table, tables)
            if parent is None or f"{source}/{parent}" not in erased_ids:
                continue
            parent_ids = erased_ids[f"{source}/{parent}"]
            ids = _matching_ids(lake, uris[f"{source}/{table}"], {"_dlt_parent_id": parent_ids})
            if ids:
                erased_ids.setdefault(f"{source}/{table}", []).extend(ids)
    for name, ids in erased_ids.items():
        total = 0
        for i in range(0, len(ids), 500):
            total += _delete(lake, uris[name], f"_dlt_id IN ({_quote(ids[i : i + 500])})")
        deleted[name] = total
    deleted.update(_erase_derived(lake, erased_ids))
    return deleted


def _erase_derived(lake: Lake, erased_ids: dict[str, list[str]]) -> dict[str, int]:
    """Rows of the derived zone computed from an erased root row (e.g. the verified readings of the
    card's CDRs) go with it: they are keyed by that row's `_dlt_id`."""
    deleted: dict[str, int] = {}
    existing = lake_tables(lake)
    for name, ids in erased_ids.items():
        source, table = name.split("/", 1)
        for derived in derived_from(source, table):
            target = f"{DERIVED}/{derived.name}"
            if target not in existing:
                continue
            column = derived.record_column
            deleted[target] = sum(
                _delete(lake, existing[target], f"{column} IN ({_quote(ids[i : i + 500])})")
                for i in range(0, len(ids), 500)
            )
    return deleted


def erase_files(lake: Lake, targets: set[str]) -> list[str]:
    """Landing and quarantine Parquet files: rows holding a target pseudonym, and their child rows in
    the same run folder, are dropped and the file rewritten."""
    rewritten: list[str] = []
    for tables in run_folders(lake):
        dropped: set[str] = set()
        changed: dict[str, pa.Table] = {}
        for _ in range(6):  # roots, then up to five levels of children
            grew = False
            for path, table in list(tables.items()):
                mask = None
                for column in table.column_names:
                    if not pa.types.is_string(table.schema.field(column).type):
                        continue
                    values = sorted(dropped) if column == "_dlt_parent_id" else sorted(targets)
                    if not values:
                        continue
                    hit = pc.fill_null(pc.is_in(table[column], pa.array(values)), False)
                    mask = hit if mask is None else pc.or_(mask, hit)
                if mask is None or not pc.any(mask).as_py():
                    continue
                if "_dlt_id" in table.column_names:
                    dropped |= set(table.filter(mask).column("_dlt_id").to_pylist())
                tables[path] = changed[path] = table.filter(pc.invert(mask))
                grew = True
            if not grew:
                break
        for path, table in changed.items():
            write_back(lake, path, table)
            rewritten.append(path)
    return rewritten


def record_erasure(lake: Lake, erasure: Erasure) -> dict:
    row = {
        "erasure_id": str(uuid.uuid4()),
        "erased_at": datetime.now(UTC),
        "subject_digest": erasure.digest,
        "table_rows": json.dumps(erasure.table_rows, sort_keys=True),
        "files_rewritten": len(erasure.files_rewritten),
        "vacuumed": erasure.vacuumed,
    }
    append_row(lake, lake.erasures(), row, ERASURES_SCHEMA)
    return row


def erase(lake: Lake, subject: str, keys: list[str], vacuum_now: bool = False) -> Erasure:
    """`keys`: the current key first, then the previous one while a rotation is under way."""
    targets = subject_pseudonyms(subject, keys)
    current = pseudonym(keys[0], reveal(keys, subject) if is_pseudonym(subject) else subject)
    digest = f"{key_id(keys[0])}:" + hashlib.sha256(("chargelake-erasure:" + current).encode()).hexdigest()
    erasure = Erasure(set(targets), digest)
    erasure.table_rows = erase_raw(lake, targets)
    erasure.pseudonyms = targets
    erasure.files_rewritten = erase_files(lake, targets)
    if vacuum_now:
        forget_now(lake, list(erasure.table_rows))
        erasure.vacuumed = True
    record_erasure(lake, erasure)
    return erasure


def last_erasure_at(lake: Lake) -> datetime | None:
    return newest(lake, lake.erasures(), "erased_at")
