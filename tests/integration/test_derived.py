"""The derived zone's contract (expectations/derived.py): a derived partition is computed from the
published run of its input partition only, audited before it is written, replaced in one commit with
an audit row, derived again when its input is re-published and never when it is not; the Dagster
asset's blocking check reports a partition that failed its audit. Raw partitions are written here as
the gate writes them (Delta rows tagged with the run, then the publication row)."""

import dataclasses
import json
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from chargelake.lake import Lake
from expectations.audit import Publication, read_publications, record
from expectations.derived import (
    CDR_SIGNED_READINGS,
    DERIVED,
    DerivationError,
    derive_partition,
    ensure_derived,
    pending,
)
from expectations.unchanged import read_partition

VECTORS = Path(__file__).parents[1] / "fixtures" / "ocmf"
VALID = json.loads((VECTORS / "07_lem_dcbm_multireading_valid.json").read_text())
TAMPERED = json.loads((VECTORS / "02_keba_kcp30_tampered_invalid.json").read_text())


def write_raw(
    lake: Lake, day: str, run_id: str, cdrs: list[dict], values: list[dict], publish: bool = True, append: bool = False
):
    """One partition of raw `ocpi.cdrs` and its signed values, replaced as the gate replaces it
    (`append`: added beside what the partition holds, as a killed publisher's rows are)."""
    for name, rows in (("cdrs", cdrs), ("cdrs__signed_data__signed_values", values)):
        table = pa.Table.from_pylist([{**r, "_run_id": run_id, "partition_date": day} for r in rows])
        replace = {} if append else {"predicate": f"partition_date = '{day}'"}
        write_deltalake(
            lake.raw("ocpi", name), table, partition_by=["partition_date"], schema_mode="merge",
            mode="append" if append else "overwrite", **replace,
        )  # fmt: skip
    if publish:
        record(lake, publication("ocpi", "cdrs", day, run_id))


def publication(source: str, table: str, day: str, run_id: str) -> Publication:
    from datetime import UTC, datetime

    return Publication(
        action="publish", source=source, table_name=table, partition_date=day, run_id=run_id, load_id=None,
        window_start=None, window_end=None, rows=1, table_rows={}, file_checksums=[], delta_versions={},
        suite=f"{source}.{table}", validation_success=True, validation_result_path="", failures=[], location="",
        started_at=datetime.now(UTC), extract_notes={}, validation_flags={},
    )  # fmt: skip


def cdr(record_id: str, vector: dict) -> dict:
    return {
        "_dlt_id": record_id,
        "id": record_id,
        "cdr_token__uid": f"hmac:card-{record_id}",
        "signed_data__public_key": vector["public_key_der_hex"],
        "signed_data__encoding_method": "OCMF",
    }


def value(parent: str, index: int, vector: dict | None, nature: str = "End") -> dict:
    return {
        "_dlt_id": f"{parent}-v{index}",
        "_dlt_parent_id": parent,
        "_dlt_list_idx": index,
        "nature": nature,
        "signed_data": vector["ocmf"] if vector else "not an OCMF record",
    }


def derived_rows(lake: Lake, day: str) -> list[dict]:
    rows = read_partition(lake, lake.derived(CDR_SIGNED_READINGS.name), day)
    return [] if rows is None else rows.to_pylist()


@pytest.fixture
def lake(tmp_path) -> Lake:
    lake = Lake(str(tmp_path / "lake"))
    write_raw(lake, "2026-03-01", "run-1", [cdr("A", VALID)], [value("A", 0, VALID, "Start")])
    write_raw(
        lake, "2026-03-02", "run-2", [cdr("B", TAMPERED), cdr("C", VALID)],
        [value("B", 0, TAMPERED), value("C", 0, None)],
    )  # fmt: skip
    ensure_derived(lake, CDR_SIGNED_READINGS)
    return lake


def derive_all(lake: Lake, run_id: str) -> list[str]:
    days = []
    for day, input_run in pending(lake, CDR_SIGNED_READINGS):
        derive_partition(lake, CDR_SIGNED_READINGS, day, input_run, run_id)
        days.append(day)
    return days


def test_each_published_partition_is_derived_once_with_its_audit_row(lake):
    assert derive_all(lake, "build-1") == ["2026-03-01", "2026-03-02"]
    first = derived_rows(lake, "2026-03-01")
    assert {(r["cdr_record_id"], r["verification_status"]) for r in first} == {("A", "valid")}
    assert len(first) == 4 and all(r["_run_id"] == "build-1" for r in first)  # one row per reading
    second = {(r["cdr_record_id"], r["verification_status"]) for r in derived_rows(lake, "2026-03-02")}
    assert second == {("B", "invalid"), ("C", "unverifiable")}
    audit = [p for p in read_publications(lake).to_pylist() if p["source"] == DERIVED]
    assert {(p["partition_date"], p["run_id"], p["action"]) for p in audit} == {
        ("2026-03-01", "build-1", "publish"), ("2026-03-02", "build-1", "publish")
    }  # fmt: skip
    assert json.loads(audit[0]["extract_notes"])["inputs"] in ({"ocpi.cdrs": "run-1"}, {"ocpi.cdrs": "run-2"})
    assert all(json.loads(p["delta_versions"])[CDR_SIGNED_READINGS.name] is not None for p in audit)
    assert derive_all(lake, "build-2") == []  # nothing re-published: nothing derived, no commit


def test_a_republished_input_is_derived_again_and_replaces_its_partition_only(lake):
    derive_all(lake, "build-1")
    write_raw(lake, "2026-03-01", "run-3", [cdr("A2", TAMPERED)], [value("A2", 0, TAMPERED)])
    assert derive_all(lake, "build-2") == ["2026-03-01"]
    assert {(r["cdr_record_id"], r["_run_id"]) for r in derived_rows(lake, "2026-03-01")} == {("A2", "build-2")}
    assert {r["_run_id"] for r in derived_rows(lake, "2026-03-02")} == {"build-1"}


def test_rows_of_a_run_that_never_published_are_not_derived(lake):
    # A publisher killed after writing its rows and before its audit row leaves them beside the
    # published run's: only the published run's rows count, and a partition only they hold waits.
    write_raw(lake, "2026-03-03", "run-4", [cdr("P", VALID)], [value("P", 0, VALID)])
    write_raw(lake, "2026-03-03", "run-killed", [cdr("K", VALID)], [value("K", 0, VALID)], publish=False, append=True)
    write_raw(lake, "2026-03-04", "run-killed", [cdr("L", VALID)], [value("L", 0, VALID)], publish=False)
    assert [d for d, _ in pending(lake, CDR_SIGNED_READINGS)] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    derive_all(lake, "build-1")
    assert {r["cdr_record_id"] for r in derived_rows(lake, "2026-03-03")} == {"P"}


def test_a_partition_that_fails_its_audit_is_not_published_and_is_named(lake):
    def drops_a_value(inputs):
        return CDR_SIGNED_READINGS.compute(inputs).slice(0, 0)

    broken = dataclasses.replace(CDR_SIGNED_READINGS, compute=drops_a_value)
    with pytest.raises(DerivationError, match=r"cdr_signed_readings 2026-03-01 .*1 signed values without"):
        derive_partition(lake, broken, "2026-03-01", "run-1", "build-1")
    assert derived_rows(lake, "2026-03-01") == []
    assert not [p for p in read_publications(lake).to_pylist() if p["source"] == DERIVED]
    assert [d for d, _ in pending(lake, CDR_SIGNED_READINGS)] == ["2026-03-01", "2026-03-02"]


def test_the_asset_derives_what_is_pending_and_its_blocking_check_reports_a_failed_audit(lake, monkeypatch):
    from dagster import materialize

    from orchestration.defs.derived import assets
    from orchestration.defs.ingest.resources import ChargeLakeResource

    resources = {"chargelake": ChargeLakeResource(lake_url=lake.url)}
    result = materialize([assets.derived_asset(CDR_SIGNED_READINGS)], resources=resources)
    (check,) = result.get_asset_check_evaluations()
    assert check.passed and check.metadata["partitions_audited"].value == 2
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["partitions_derived"].value == 2

    write_raw(lake, "2026-03-02", "run-5", [cdr("D", VALID)], [value("D", 0, VALID)])
    broken = dataclasses.replace(CDR_SIGNED_READINGS, compute=lambda inputs: CDR_SIGNED_READINGS.schema.empty_table())
    result = materialize([assets.derived_asset(broken)], resources=resources, raise_on_error=False)
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and "2026-03-02" in check.metadata["failures"].value
    assert {r["cdr_record_id"] for r in derived_rows(lake, "2026-03-02")} == {"B", "C"}  # the last good one


def test_erasing_a_card_erases_the_verified_readings_of_its_cdrs(lake):
    from orchestration.housekeeping.privacy.erase import erase_raw

    derive_all(lake, "build-1")
    readings_of_b = [r for r in derived_rows(lake, "2026-03-02") if r["cdr_record_id"] == "B"]
    deleted = erase_raw(lake, {"hmac:card-B"})
    assert deleted["ocpi/cdrs"] == 1 and deleted[f"{DERIVED}/{CDR_SIGNED_READINGS.name}"] == len(readings_of_b) > 0
    assert {r["cdr_record_id"] for r in derived_rows(lake, "2026-03-02")} == {"C"}
    assert len(derived_rows(lake, "2026-03-01")) == 4


def test_retention_deletes_the_derived_partitions_of_the_raw_partitions_it_deletes(lake):
    from datetime import date

    from orchestration.housekeeping.retention import apply_retention

    derive_all(lake, "build-1")
    plan = apply_retention(lake, True, {"sessions": 30}, today=date(2026, 4, 1))  # keeps 2026-03-02 on
    assert plan.zones["sessions"][2][f"{DERIVED}/{CDR_SIGNED_READINGS.name}"] == ["2026-03-01"]
    assert derived_rows(lake, "2026-03-01") == [] and derived_rows(lake, "2026-03-02")
