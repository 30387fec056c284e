"""What the demo leaves for people: the CSRD pack and cost statements (opened as a user would), the
report assets in Dagster, and the auditor's walk from a figure to its API windows."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import DAYS, UNTIL, demo_cli, read_csv


def test_the_csrd_pack_the_demo_writes_shows_the_marts_figures(demo):
    """The workbook (opened with openpyxl), its CSVs and the HTML report's embedded data carry the
    same figures as rpt_csrd_e1, and the HTML works offline (no external script or stylesheet)."""
    import csv
    import json
    import re

    from openpyxl import load_workbook

    root, proc = demo
    workbook = Path(re.search(r"CSRD E1 2026: (\S+\.xlsx)", proc.stdout).group(1))
    html = Path(re.search(r"HTML report: (\S+\.html)", proc.stdout).group(1))
    assert workbook.parent == root / "lake" / "reports" / "csrd" / "2026"
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    expected = {
        entity: (mwh, lb, mb)
        for entity, mwh, lb, mb in con.execute(
            "select legal_entity, sum(energy_consumption_mwh), sum(scope_2_location_based_tco2e),"
            " sum(scope_2_market_based_tco2e) from marts.rpt_csrd_e1 where reporting_year = 2026 group by 1"
        ).fetchall()
    }
    book = load_workbook(workbook, read_only=True)
    assert book.sheetnames[:4] == ["About", "Summary", "Sites", "Factors"]
    rows = list(book["Summary"].iter_rows(values_only=True))
    header = rows[0]
    col = {name: header.index(name) for name in header}
    seen = {}
    for row in rows[1:]:
        seen[row[col["legal_entity"]]] = (
            row[col["energy_consumption_mwh"]],
            row[col["scope_2_location_based_tco2e"]],
            row[col["scope_2_market_based_tco2e"]],
        )
    assert seen.keys() == expected.keys()
    for entity, figures in expected.items():
        assert seen[entity] == pytest.approx(figures)
    factor_ids = {r[0] for r in list(book["Factors"].iter_rows(values_only=True))[1:]}
    assert "NL-2021-S2-LB" in factor_ids
    with (workbook.parent / "csrd_e1_2026_summary.csv").open() as fh:
        assert {r["legal_entity"] for r in csv.DictReader(fh)} == expected.keys()
    page = html.read_text()
    assert "<svg" in page and page.count("<figure>") == 4
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)  # nothing fetched: works offline
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    for row in data["tables"]["Summary"]:
        assert (
            row["energy_consumption_mwh"],
            row["scope_2_location_based_tco2e"],
            row["scope_2_market_based_tco2e"],
        ) == pytest.approx(expected[row["legal_entity"]])


def test_report_costs_writes_statements_that_tie_out_to_the_mart(demo):
    from openpyxl import load_workbook

    root, _ = demo
    env = {
        **os.environ,
        "CHARGELAKE_LAKE_URL": str(root / "lake"),
        "CHARGELAKE_WAREHOUSE_PATH": str(root / "warehouse.duckdb"),
    }

    def report(*args):
        return subprocess.run(
            [sys.executable, "-m", "orchestration.cli", "report", *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )

    done = report("costs", "--period", "2026-11")
    assert done.returncode == 0, done.stderr
    book = load_workbook(root / "lake" / "reports" / "costs" / "2026-11" / "cost_statements_2026-11.xlsx")
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    per_centre = dict(
        con.execute(
            "select cost_centre_id, sum(energy_cost) + sum(demand_charge) from marts.rpt_cost_allocation"
            " where month_start_local_date = '2026-11-01' group by 1"
        ).fetchall()
    )
    assert set(book.sheetnames) == {"About", "Summary", *per_centre}
    for centre, total in per_centre.items():
        rows = list(book[centre].iter_rows(values_only=True))
        col = rows[0].index("site_cost")
        assert sum(Decimal(str(r[col])) for r in rows[1:]) == total
        assert (root / "lake" / "reports" / "costs" / "2026-11" / f"cost_statement_{centre}_2026-11.csv").exists()
    for args, message in (
        (("costs", "--period", "2026-13"), "is not a month"),
        (("csrd", "--period", "1999"), "no CSRD figures for 1999"),
    ):
        refused = report(*args)
        assert refused.returncode == 2 and message in refused.stderr
        assert "Traceback" not in refused.stderr and len(refused.stderr.strip().splitlines()) == 1


def test_the_report_assets_materialise_in_dagster(demo, monkeypatch):
    from dagster import DagsterInstance, materialize

    from orchestration.defs.ingest.resources import ChargeLakeResource
    from orchestration.defs.reports.assets import cost_statements, csrd_e1_pack, lineage_report

    root, _ = demo
    monkeypatch.setenv("CHARGELAKE_LAKE_URL", str(root / "lake"))
    monkeypatch.setenv("CHARGELAKE_WAREHOUSE_PATH", str(root / "warehouse.duckdb"))
    resources = {"chargelake": ChargeLakeResource()}
    with DagsterInstance.ephemeral() as instance:
        pack = materialize([csrd_e1_pack], resources=resources, instance=instance, partition_key="2026-11-01")
        assert pack.success
        (event,) = pack.asset_materializations_for_node("reports__csrd_e1")
        assert event.metadata["written"].value is True and event.metadata["year"].value == 2026
        month = materialize([cost_statements], resources=resources, instance=instance, partition_key="2026-11-01")
        assert month.success
        (event,) = month.asset_materializations_for_node("reports__cost_statements")
        assert event.metadata["cost_centres"].value >= 3
        lineage = materialize([lineage_report], resources=resources, instance=instance, partition_key="2026-11-01")
        (event,) = lineage.asset_materializations_for_node("reports__lineage")
        assert event.metadata["written"].value is True and Path(event.metadata["html"].value).is_file()


def test_audit_figure_walks_a_csrd_number_back_to_its_api_windows(demo):
    import json

    root, _ = demo
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    site, value, sessions = con.execute(
        "select r.location_id, r.scope_2_location_based_tco2e, r.session_count from marts.rpt_csrd_e1 r"
        " where r.reporting_year = 2026 order by r.location_id limit 1"
    ).fetchone()
    done = demo_cli(root, "audit", "figure", "--year", "2026", "--site", site, "scope_2_location_based_tco2e", "--json")
    assert done.returncode == 0, done.stderr
    trace = json.loads(done.stdout)
    assert trace["matches"] and trace["value"] == pytest.approx(value) and trace["sessions"] == sessions
    (factor,) = trace["factors"]
    assert factor["url"].startswith("https://") and factor["verification"]
    cdrs = trace["raw_partitions"]["ocpi.cdrs"]
    assert 1 <= len(cdrs) <= DAYS
    for pub in cdrs:
        day = pub["partition_date"]
        assert f"date_from={day}T00:00:00Z" in pub["api_request"] and pub["validation_success"]
        assert pub["delta_versions"]["cdrs"] >= 1 and pub["landed_files"]
    assert trace["raw_partitions"]["telemetry.meter_values"]  # measured energy: its meter-value partitions
    text = demo_cli(root, "audit", "figure", "--year", "2026", "--site", site, "scope_2_location_based_tco2e")
    assert "(equal)" in text.stdout and "API: GET cdrs module ?date_from=" in text.stdout
    missing = demo_cli(root, "audit", "figure", "--year", "2026", "--site", "NOPE", "energy_consumption_mwh")
    assert missing.returncode == 2 and "no row for 2026 and site 'NOPE'" in missing.stderr


def test_audit_partition_lists_every_publication_and_what_the_table_holds(demo):
    import json

    root, _ = demo
    day = (UNTIL - timedelta(days=1)).isoformat()
    done = demo_cli(root, "audit", "partition", "ocpi.sessions", day, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["rows_now"] == out["current_publication"]["rows"] > 0
    assert [p["action"] for p in out["history"]] == ["publish"]
    for args, message in (
        (("audit", "partition", "ocpi.cdrs", "1999-01-01"), "no publication of ocpi.cdrs for 1999-01-01"),
        (("audit", "partition", "cdrs", day), "is not SOURCE.TABLE"),
    ):
        refused = demo_cli(root, *args)
        assert refused.returncode == 2 and message in refused.stderr and "Traceback" not in refused.stderr


def test_fault_events_are_exported_once_signed_and_redelivered_after_a_refusal(demo, truth, monkeypatch):
    """The outages the simulator really started in the window reach the webhook once; a webhook that
    refuses gets them again at the next export; a second export after delivery sends nothing, and
    neither does the Dagster asset after it (the same watermark). One test, because the exports share
    the demo lake's watermark: as two, their order decided the outcome."""
    import hashlib
    import hmac
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    root, _ = demo
    answers, received = [500, 204], []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("X-ChargeLake-Signature")))
            self.send_response(answers.pop(0))
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook = {
        "CHARGELAKE_FAULTS_WEBHOOK_URL": f"http://127.0.0.1:{server.server_address[1]}/faults",
        "CHARGELAKE_FAULTS_WEBHOOK_SECRET": "faults-secret",
    }
    try:
        refused = demo_cli(root, "report", "faults", **hook)
        delivered = demo_cli(root, "report", "faults", **hook)
        again = demo_cli(root, "report", "faults", **hook)
    finally:
        server.shutdown()
    assert refused.returncode == 2 and "answered HTTP 500" in refused.stderr
    assert delivered.returncode == 0 and "webhook HTTP 204" in delivered.stdout
    assert again.returncode == 0 and ": 0" in again.stdout and len(received) == 2
    first, second = (json.loads(body) for body, _ in received)
    assert first["events"] == second["events"]  # the refused batch, sent again whole
    body, signature = received[1]
    assert signature == "sha256=" + hmac.new(b"faults-secret", body, hashlib.sha256).hexdigest()
    lo = datetime.combine(UNTIL - timedelta(days=DAYS), datetime.min.time())
    hi = datetime.combine(UNTIL, datetime.min.time())
    started = {
        (o["evse_uid"], datetime.fromisoformat(o["started_at_utc"]).astimezone(UTC).replace(tzinfo=None))
        for o in read_csv(truth / "evse_outages.csv")
        if lo <= datetime.fromisoformat(o["started_at_utc"]).astimezone(UTC).replace(tzinfo=None) < hi
    }
    exported = {(e["evse_uid"], datetime.fromisoformat(e["occurred_at_utc"])) for e in second["events"]}
    assert started and exported == started

    # Through Dagster after the CLI exports: the same watermark, so nothing is sent twice.
    from dagster import DagsterInstance, materialize

    from orchestration.defs.ingest.resources import ChargeLakeResource
    from orchestration.defs.reports.assets import fault_events

    monkeypatch.setenv("CHARGELAKE_LAKE_URL", str(root / "lake"))
    monkeypatch.setenv("CHARGELAKE_WAREHOUSE_PATH", str(root / "warehouse.duckdb"))
    monkeypatch.delenv("CHARGELAKE_FAULTS_WEBHOOK_URL", raising=False)
    with DagsterInstance.ephemeral() as instance:
        result = materialize([fault_events], resources={"chargelake": ChargeLakeResource()}, instance=instance)
    (event,) = result.asset_materializations_for_node("reports__fault_events")
    assert event.metadata["events"].value == 0 and event.metadata["csv"].value == ""


def test_report_lineage_links_every_figure_to_publications_and_data_docs(demo):
    """The lineage HTML: every rpt_csrd_e1 figure of the year and every rpt_lineage row group, each
    partition linked to a publication listed on the page, whose validation result and Data Docs files
    exist where the (relative) links point."""
    import json
    import re

    root, _ = demo
    proc = demo_cli(root, "report", "lineage", "--period", "2026")
    assert proc.returncode == 0, proc.stderr
    html = Path(re.search(r"lineage 2026: (\S+\.html)", proc.stdout).group(1))
    assert html.parent == root / "lake" / "reports" / "lineage" / "2026"
    page = html.read_text()
    assert not re.search(r"<(script|link)[^>]+(src|href)=", page)
    data = json.loads(re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)[1])
    con = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    csrd = con.execute(
        "select location_id, energy_consumption_mwh, scope_2_market_based_tco2e from marts.rpt_csrd_e1"
        " where reporting_year = 2026"
    ).fetchall()
    lineage = con.execute(
        "select mart, row_group, publication_id from marts.rpt_lineage where year(period_start_date) = 2026"
    ).fetchall()
    figures = {f["location_id"]: f for f in data["figures"].values()}
    for site, mwh, mb in csrd:
        assert figures[site]["energy_consumption_mwh"] == pytest.approx(float(mwh))
        assert figures[site]["scope_2_market_based_tco2e"] == pytest.approx(float(mb or 0))
    linked = {
        (m, g, p["publication_id"])
        for m, gs in data["groups"].items()
        for g, ts in gs.items()
        for ps in ts.values()
        for p in ps
    }
    assert linked == set(lineage) and {m for m, _, _ in linked} >= {"rpt_csrd_e1", "rpt_cost_allocation"}
    listed = {p["publication_id"]: p for p in data["publications"]}
    assert {p for _, _, p in lineage} == set(listed)
    for pub in listed.values():
        assert f'id="pub-{pub["publication_id"]}"' in page
        assert pub["validation_success"] and pub["api_request"].startswith("GET ")
        for link in (pub["validation_link"], pub["data_docs_link"]):
            assert (html.parent / link).resolve().is_file(), link
    assert "0 partition(s) have no publication" not in page and "have no publication row" not in page

    bad = demo_cli(root, "report", "lineage", "--period", "26")
    assert bad.returncode == 2 and "is not a year (YYYY) for a lineage report" in bad.stderr
