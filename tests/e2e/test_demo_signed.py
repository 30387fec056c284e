"""Signed meter data end to end: the simulator's meters at Dutch and German sites sign their readings
(OCMF, in the CDRs' signed_data) and alter some after signing; the pipeline keeps the records
verbatim, verifies them, and the reconciliation says which billed energy is proven."""

import duckdb

from tests.e2e.conftest import read_csv


def rows(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_tampered_records_are_caught_and_only_valid_signatures_back_billed_energy(demo, truth):
    root, proc = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "% of billed energy" in proc.stdout and "backed by valid signatures" in proc.stdout
    expected = {"signed": "valid", "tampered": "invalid", "unsigned": "unsigned"}
    real = {s["session_id"]: expected[s["signed_status"]] for s in read_csv(truth / "sessions.csv")}
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        sessions = rows(
            con,
            "select session_id, signed_status, signed_reason, is_backed_by_signed_readings, cdr_energy_kwh,"
            " signed_energy_kwh from marts.fct_session_reconciliation where signed_status != 'not_billed'",
        )
        readings = rows(
            con,
            "select r.cdr_key, r.nature, r.verification_status, r.verification_reason, r.reading_reason,"
            " r.value_kwh, r.is_usable, r.meter_serial from marts.fct_signed_meter_readings r",
        )
        report = con.execute(
            "select sum(billed_energy_kwh), sum(signed_valid_energy_kwh), sum(signed_invalid_session_count),"
            " sum(unsigned_session_count), sum(signed_valid_session_count) from marts.rpt_reconciliation"
        ).fetchone()
    finally:
        con.close()
    seen = {s["session_id"]: s for s in sessions if s["session_id"] in real}
    assert len(seen) >= 30
    statuses = {s["signed_status"] for s in seen.values()}
    assert statuses == {"valid", "invalid", "unsigned"}, statuses  # the demo shows all three
    for session_id, s in seen.items():
        assert s["signed_status"] == real[session_id], (session_id, s)
        assert s["is_backed_by_signed_readings"] == (s["signed_status"] == "valid")
        if s["signed_status"] == "valid":  # the meter signed exactly what the CDR bills
            assert abs(float(s["cdr_energy_kwh"]) - float(s["signed_energy_kwh"])) <= 0.001
        if s["signed_status"] == "invalid":
            assert s["signed_reason"] == "the signature does not match the payload"
    # per reading: a tampered CDR's Start record still verifies, its End record does not
    by_cdr: dict[str, list[dict]] = {}
    for r in readings:
        by_cdr.setdefault(r["cdr_key"], []).append(r)
    tampered = [rs for rs in by_cdr.values() if any(r["verification_status"] == "invalid" for r in rs)]
    assert tampered
    for rs in tampered:
        assert {(r["nature"], r["verification_status"]) for r in rs} == {("Start", "valid"), ("End", "invalid")}
    assert all(r["is_usable"] and r["meter_serial"] for r in readings)
    billed, backed, invalid, unsigned, valid = report
    assert invalid == sum(s["signed_status"] == "invalid" for s in sessions)
    assert unsigned == sum(s["signed_status"] == "unsigned" for s in sessions)
    assert valid == sum(s["is_backed_by_signed_readings"] for s in sessions)
    assert 0 < backed < billed
    share = f"{100 * float(backed) / float(billed):.1f} % of billed energy"
    assert share in proc.stdout
