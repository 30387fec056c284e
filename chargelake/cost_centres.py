"""The user's cost-centre map, read for the derived zone (`derived/cost_centre_map`, written by the
derived asset) with driver identifiers already pseudonymised.

The map is a CSV the user keeps (`dbt_project/reference/cost_centre_map.csv`, or the file named by
`CHARGELAKE_COST_CENTRE_MAP`). It is not a dbt seed because a seed would copy a token uid into the
warehouse in clear: here `token_uid` and `contract_id` keys pass through the same keyed pseudonym as
the lake before anything is written, so they join to `token_uid_pseudonym` and nothing else can.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pyarrow as pa

from chargelake.config import Settings
from chargelake.pseudonymise import PseudonymError, is_pseudonym, pseudonym, rekey

DEFAULT_MAP = Path(__file__).resolve().parents[1] / "dbt_project" / "reference" / "cost_centre_map.csv"
# Most specific key first: a driver's own card beats their group, a group beats the place they charge.
KEY_PRIORITY = {"token_uid": 1, "contract_id": 2, "token_group": 3, "evse": 4, "location": 5}
DRIVER_KEYS = {"token_uid", "contract_id"}
COLUMNS = ("cost_centre_id", "cost_centre_name", "key_type", "key_value", "valid_from", "valid_to")

SCHEMA = pa.schema(
    [
        ("cost_centre_id", pa.string()),
        ("cost_centre_name", pa.string()),
        ("key_type", pa.string()),
        ("key_value", pa.string()),
        ("key_priority", pa.int32()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)


class CostCentreMapError(ValueError):
    """A row of the map the warehouse cannot use; the message names the file and row."""


def _date(value: str, path: Path, row: int, column: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CostCentreMapError(f"{path}, row {row}: {column} must be a date (YYYY-MM-DD), not {value!r}") from None


def load_cost_centre_map(
    path: Path | str | None = None,
    key: str | None = None,
    previous: str | None = None,
) -> pa.Table:
    """`key`: the run's key (the derived asset passes its Settings'). Without it, the environment's,
    with a run's refusal: a missing, short or public key outside `chargelake demo` stops instead of
    pseudonymising with a key anyone can read (docs/privacy.md)."""
    settings = Settings.from_env(needs_key=key is None)
    key = key or settings.pseudonym_key
    previous = settings.previous_pseudonym_key if previous is None else previous
    path = path or settings.cost_centre_map
    path = Path(path or DEFAULT_MAP)
    if not path.exists():
        return SCHEMA.empty_table()
    rows = []
    with path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise CostCentreMapError(f"{path}: missing column(s) {', '.join(missing)}")
        for n, rec in enumerate(reader, start=2):
            key_type = (rec["key_type"] or "").strip()
            if key_type not in KEY_PRIORITY:
                raise CostCentreMapError(
                    f"{path}, row {n}: key_type {key_type!r} is not one of {', '.join(KEY_PRIORITY)}"
                )
            value = (rec["key_value"] or "").strip()
            if not value or not (rec["cost_centre_id"] or "").strip():
                raise CostCentreMapError(f"{path}, row {n}: cost_centre_id and key_value are required")
            if key_type in DRIVER_KEYS:
                try:  # a pseudonym copied from a mart made under the previous key still joins
                    value = rekey(value, [previous or ""], key) if is_pseudonym(value) else pseudonym(key, value)
                except PseudonymError as exc:
                    raise CostCentreMapError(f"{path}, row {n}: key_value is {exc}") from None
            rows.append(
                {
                    "cost_centre_id": rec["cost_centre_id"].strip(),
                    "cost_centre_name": (rec["cost_centre_name"] or "").strip() or None,
                    "key_type": key_type,
                    "key_value": value,
                    "key_priority": KEY_PRIORITY[key_type],
                    "valid_from": _date(rec["valid_from"].strip(), path, n, "valid_from") or date(1900, 1, 1),
                    "valid_to": _date((rec["valid_to"] or "").strip(), path, n, "valid_to") or date(9999, 12, 31),
                }
            )
    return pa.Table.from_pylist(rows, schema=SCHEMA)
