"""Derived tables: what a partition must satisfy before it is published (the audit step of
write-audit-publish for tables computed in Python, expectations/derived.py). Each check returns the
problems found, as sentences; none means publish."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

VERIFICATION_STATUSES = ("valid", "invalid", "unverifiable")
SIGNED_VALUE_KEY = ["cdr_record_id", "signed_value_index"]


def _keys(table: pa.Table, columns: list[str]) -> set[tuple]:
    return set(zip(*(table[c].to_pylist() for c in columns), strict=True)) if table.num_rows else set()


def signed_readings(signed_values: pa.Table, out: pa.Table) -> list[str]:
    """Every signed value of the partition's CDR rows has its rows (one per reading, or one saying
    why it could not be read), nothing else does, and every row has a verdict: a verification that
    silently dropped a record would turn a tampered bill into an unsigned one."""
    expected, got = _keys(signed_values, SIGNED_VALUE_KEY), _keys(out, SIGNED_VALUE_KEY)
    problems = []
    if missing := expected - got:
        problems.append(f"{len(missing)} signed values without a verification row, e.g. {sorted(missing)[0]}")
    if extra := got - expected:
        problems.append(f"{len(extra)} rows for signed values the partition does not hold, e.g. {sorted(extra)[0]}")
    known = pc.fill_null(pc.is_in(out["verification_status"], pa.array(VERIFICATION_STATUSES)), False)
    if bad := pc.sum(pc.invert(known)).as_py() or 0:
        problems.append(f"{bad} rows whose verification_status is not one of {', '.join(VERIFICATION_STATUSES)}")
    readings = out.filter(pc.is_valid(out["reading_index"]))
    if undecided := readings["is_usable"].null_count:
        problems.append(f"{undecided} readings without is_usable")
    return problems


def cost_centre_map(rows: pa.Table) -> list[str]:
    """No driver identifier in clear: a token uid or contract id key is a pseudonym (the loader made
    it one), and every rule names its cost centre."""
    from chargelake.pseudonymise import is_pseudonym

    problems = []
    driver_keys = rows.filter(pc.is_in(rows["key_type"], pa.array(["token_uid", "contract_id"])))
    if clear := sum(not is_pseudonym(v or "") for v in driver_keys["key_value"].to_pylist()):
        problems.append(f"{clear} token_uid/contract_id keys are not pseudonyms")
    if unnamed := rows["cost_centre_id"].null_count:
        problems.append(f"{unnamed} rules without a cost_centre_id")
    return problems
