"""`chargelake privacy rotate-key`: re-key every pseudonym in the lake, so the old key can be destroyed.

The operation (docs/privacy.md):
1. Make a new key; set it as `CHARGELAKE_PSEUDONYM_KEY` and the old one as
   `CHARGELAKE_PSEUDONYM_KEY_PREVIOUS`. From then on every run writes new-key pseudonyms.
2. `chargelake privacy rotate-key`: each raw partition holding old-key pseudonyms is rewritten with
   the same rows under the new key (one Delta `replaceWhere` commit per table and partition, read and
   written inside one commit attempt, so a publication racing it is never overwritten with stale
   rows), then landing and quarantine files. The next warehouse build is a full rebuild into a new
   file, and the mart exports follow it.
3. `chargelake privacy key-status` shows no partition left on the old key: remove
   `_PREVIOUS`, destroy the old key (after `--vacuum-now` or `chargelake lake vacuum`, which remove
   the superseded files and log entries that still hold old-key pseudonyms).

Each partition's key is read from its pseudonyms (`psn:<key id>:...`): the lake itself records which
key each partition used, never the key. An interrupted rotation is resumed by running it again.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, write_deltalake

from chargelake.config import ConfigError
from chargelake.lake import Lake
from chargelake.pseudonymise import PREFIX, PseudonymError, key_id, rekey
from expectations.audit import append_row, newest
from expectations.commits import with_commit_retry
from expectations.publish import PARTITION_COLUMN
from expectations.unchanged import read_partition
from orchestration.housekeeping.privacy.columns import PSEUDONYM_COLUMNS
from orchestration.housekeeping.privacy.files import copies_lines, forget_now, run_folders, write_back

ROTATION_KEY = "chargelake.key_rotation"  # commit metadata: the rotation that rewrote a partition
ROTATIONS_SCHEMA = pa.schema(
    [
        ("rotation_id", pa.string()),
        ("rotated_at", pa.timestamp("us", tz="UTC")),
        ("from_key_ids", pa.string()),  # comma-separated key ids re-keyed away from
        ("to_key_id", pa.string()),
        ("table_partitions", pa.string()),  # JSON: raw table -> partitions rewritten
        ("values_rekeyed", pa.int64()),
        ("files_rewritten", pa.int64()),
        ("vacuumed", pa.bool_()),
    ]
)


def key_ids(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Each value's key id, null where the value is not a pseudonym."""
    ids = pc.utf8_slice_codeunits(column, len(PREFIX), len(PREFIX) + 8)
    return pc.if_else(pc.fill_null(pc.starts_with(column, PREFIX), False), ids, pa.nulls(len(column), pa.string()))


def _ids_from_stats(files: pa.Table, columns: tuple[str, ...]) -> dict[str, set[str] | None]:
    """Partition -> key ids, from the Delta log's per-file min/max alone (None: read the partition).
    Pseudonyms sort by their `psn:<key id>:` prefix, so a file whose min and max share a key id holds
    no other; only a file with two keys (or without statistics) has to be read."""
    found: dict[str, set[str] | None] = {}
    names = set(files.column_names)
    for row in files.to_pylist():
        day = row[f"partition.{PARTITION_COLUMN}"]
        ids = found.setdefault(day, set())
        for column in columns:
            if f"null_count.{column}" not in names:
                continue  # a column this table never had
            if row[f"null_count.{column}"] == row["num_records"]:
                continue
            low, high = row.get(f"min.{column}"), row.get(f"max.{column}")
            same = low and high and low.startswith(PREFIX) and low[: len(PREFIX) + 9] == high[: len(PREFIX) + 9]
            if not same or ids is None:
                found[day] = None
                break
            ids.add(low[len(PREFIX) : len(PREFIX) + 8])
    return found


def key_status(lake: Lake) -> dict[str, dict[str, list[str]]]:
    """Raw table -> key id -> the partitions holding pseudonyms of that key."""
    status: dict[str, dict[str, list[str]]] = {}
    for name, columns in PSEUDONYM_COLUMNS.items():
        uri = lake.raw(*name.split("/", 1))
        if not lake.filesystem().exists(uri):
            continue
        files = pa.table(DeltaTable(uri, storage_options=lake.delta_storage_options()).get_add_actions(flatten=True))
        for day, ids in sorted(_ids_from_stats(files, columns).items()):
            if ids is None:
                data = read_partition(lake, uri, day)
                ids = set()
                for column in columns:
                    if data is not None and column in data.column_names:
                        ids |= set(pc.unique(key_ids(data[column])).drop_null().to_pylist())
            for kid in ids:
                status.setdefault(name, {}).setdefault(kid, []).append(day)
    return status


def status_lines(lake: Lake, current_key: str) -> list[str]:
    current = key_id(current_key)
    status = key_status(lake)
    if not status:
        return [f"no pseudonyms in the lake yet; the current key's id is {current}"]
    out = [f"current key id: {current}"]
    for name, by_key in sorted(status.items()):
        for kid, days in sorted(by_key.items()):
            mark = "current" if kid == current else "OLD: run `chargelake privacy rotate-key`"
            out.append(f"  {name}: key {kid} in {len(days)} partition(s) ({days[0]} .. {days[-1]}) {mark}")
    return out


@dataclass
class Rotation:
    to_key_id: str
    from_key_ids: set[str] = field(default_factory=set)
    table_partitions: dict[str, list[str]] = field(default_factory=dict)
    values: int = 0
    files_rewritten: list[str] = field(default_factory=list)
    vacuumed: bool = False

    def lines(self) -> list[str]:
        if not self.table_partitions and not self.files_rewritten:
            return [f"every pseudonym in the lake is already under the current key ({self.to_key_id}): nothing to do"]
        olds = ", ".join(sorted(self.from_key_ids))
        out = [f"re-keyed {self.values} pseudonyms from key {olds} to key {self.to_key_id}:"]
        out += [f"  {t}: {len(p)} partition(s)" for t, p in sorted(self.table_partitions.items())]
        return out + copies_lines(
            len(self.files_rewritten),
            self.vacuumed,
            "superseded Delta files still hold old pseudonyms until `chargelake lake vacuum`",
            "then the old key can be destroyed",
        )


def _rekey_table(
    table: pa.Table, columns: tuple[str, ...] | None, old: list[str], new: str, seen: set[str] | None = None
) -> tuple[pa.Table, int]:
    """`table` with every pseudonym of an old key in `columns` (None: every string column) re-keyed;
    the old key ids met are added to `seen`."""
    current = key_id(new)
    count = 0
    for column in columns or table.column_names:
        if column not in table.column_names or not pa.types.is_string(table.schema.field(column).type):
            continue
        ids = key_ids(table[column])
        stale = pc.fill_null(pc.not_equal(ids, current), False)
        if not pc.any(stale).as_py():
            continue
        values = table[column].to_pylist()
        flags = stale.to_pylist()
        count += sum(flags)
        if seen is not None:
            seen |= set(pc.unique(ids.filter(stale)).to_pylist())
        rekeyed = pa.array([rekey(v, old, new) if f else v for v, f in zip(values, flags, strict=True)], pa.string())
        table = table.set_column(table.column_names.index(column), table.schema.field(column), rekeyed)
    return table, count


def _rotate_partition(lake: Lake, uri: str, columns: tuple[str, ...], day: str, old: list[str], new: str, rid: str):
    counted: dict[str, int] = {}

    def attempt() -> None:
        stored = read_partition(lake, uri, day)
        if stored is None:
            counted["values"] = 0
            return
        data, counted["values"] = _rekey_table(stored, columns, old, new)
        if not counted["values"]:
            return
        write_deltalake(
            uri,
            data,
            partition_by=[PARTITION_COLUMN],
            mode="overwrite",
            predicate=f"{PARTITION_COLUMN} = '{day}'",
            schema_mode="merge",
            commit_properties=CommitProperties(custom_metadata={ROTATION_KEY: rid}),
            storage_options=lake.delta_storage_options(),
        )

    with_commit_retry(attempt, uri)
    return counted.get("values", 0)


def _check_keys(status: dict[str, dict[str, list[str]]], old: list[str], new: str) -> set[str]:
    """The old key ids to re-key; a key id none of the keys in hand made stops everything first."""
    known = {key_id(k) for k in old}
    stale = {kid for by_key in status.values() for kid in by_key if kid != key_id(new)}
    for kid in sorted(stale - known):
        name, days = next((n, d[kid]) for n, d in sorted(status.items()) if kid in d)
        hint = (
            "set CHARGELAKE_PSEUDONYM_KEY_PREVIOUS to the key that made them"
            if not old
            else "CHARGELAKE_PSEUDONYM_KEY_PREVIOUS is another key"
        )
        raise ConfigError(
            f"{name} partition {days[0]} holds pseudonyms of key id {kid}, which is not the current key: {hint}"
        )
    return stale


def rotate(lake: Lake, new_key: str, previous_key: str | None, vacuum_now: bool = False) -> Rotation:
    old = [previous_key] if previous_key else []
    rotation = Rotation(key_id(new_key))
    status = key_status(lake)
    rotation.from_key_ids = _check_keys(status, old, new_key)
    rid = str(uuid.uuid4())
    for name, by_key in sorted(status.items()):
        uri = lake.raw(*name.split("/", 1))
        days = sorted({d for kid, ds in by_key.items() if kid in rotation.from_key_ids for d in ds})
        for day in days:
            rotation.values += _rotate_partition(lake, uri, PSEUDONYM_COLUMNS[name], day, old, new_key, rid)
            rotation.table_partitions.setdefault(name, []).append(day)
    try:
        for tables in run_folders(lake):
            for path, table in tables.items():
                rekeyed, count = _rekey_table(table, None, old, new_key, rotation.from_key_ids)
                if count:
                    write_back(lake, path, rekeyed)
                    rotation.values += count
                    rotation.files_rewritten.append(path)
    except PseudonymError as exc:
        raise ConfigError(f"a landing or quarantine file holds {exc}") from None
    if vacuum_now:
        forget_now(lake, list(rotation.table_partitions))
        rotation.vacuumed = True
    if rotation.table_partitions or rotation.files_rewritten:
        record_rotation(lake, rotation, rid)
    return rotation


def record_rotation(lake: Lake, rotation: Rotation, rid: str) -> None:
    row = {
        "rotation_id": rid,
        "rotated_at": datetime.now(UTC),
        "from_key_ids": ",".join(sorted(rotation.from_key_ids)),
        "to_key_id": rotation.to_key_id,
        "table_partitions": json.dumps(rotation.table_partitions, sort_keys=True),
        "values_rekeyed": rotation.values,
        "files_rewritten": len(rotation.files_rewritten),
        "vacuumed": rotation.vacuumed,
    }
    append_row(lake, lake.key_rotations(), row, ROTATIONS_SCHEMA)


def last_rotation_at(lake: Lake) -> datetime | None:
    return newest(lake, lake.key_rotations(), "rotated_at")
