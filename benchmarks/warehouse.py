"""Warehouse benchmarks (part of `make bench`): costing throughput and the dbt build over history.

Costing: CDRs/s through `chargelake.costing.batch` (the Python model's path: Arrow batches of CDR
documents in, priced rows out) for CDRs of the reference network (500 EVSEs), with their tariffs.

dbt build: the reference network ingested day by day (in-process runs, as `chargelake run` does),
the first (full) warehouse build (dbt build + Parquet export) with SHORT days, then a daily run
(one more day ingested, then the incremental build) with SHORT and LONG days of history. The ratio
LONG/SHORT of the daily build is its cost growth with history; the target for a year against a
month is < 1.3x, extrapolated linearly from the two points.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from chargelake.costing.batch import cost_batches
from simulator.ocpi import cdrs as cdr_objects
from simulator.process import start_simulator
from simulator.server import SimConfig
from simulator.sessions import sessions_between

FIRST = date(2026, 2, 1)
SHORT, LONG = 7, 28


def costing_inputs(days: int = 3) -> list[dict]:
    """The costing model's input rows for the reference network's CDRs of `days` local days."""
    network = SimConfig(seed=1, sites=50, evses_per_site=10, start=FIRST, end=FIRST + timedelta(days=days + 2)).build()
    now = datetime.combine(FIRST + timedelta(days=days + 2), datetime.min.time(), UTC)
    rows = []
    for session in sessions_between(network, FIRST, FIRST + timedelta(days=days - 1)):
        for cdr in cdr_objects(session, now):
            rows.append(
                {
                    "cdr_key": f"{cdr['country_code']}*{cdr['party_id']}*{cdr['id']}",
                    "cdr_record_id": cdr["id"],
                    "start_date_time": cdr["start_date_time"],
                    "credit": cdr["credit"],
                    "charging_periods": cdr["charging_periods"],
                    "tariffs": cdr["tariffs"],
                    "time_zone": session.site.template.time_zone,
                    "cpo_total_excl_vat": cdr["total_cost"]["excl_vat"],
                }
            )
    return rows


def costing_throughput() -> dict:
    rows = costing_inputs()
    table = pa.Table.from_pylist(rows)
    t0 = time.perf_counter()
    priced = cost_batches(table).read_all()
    seconds = time.perf_counter() - t0
    statuses = priced.column("costing_status").to_pylist()
    ours = priced.column("total_cost_excl_vat").to_pylist()
    # The simulator bills to the cent from its own (float) engine: ours must agree within a cent.
    agree = sum(
        abs(o - Decimal(str(r["cpo_total_excl_vat"]))) <= Decimal("0.01") for o, r in zip(ours, rows, strict=True)
    )
    return {
        "cdrs": len(rows),
        "costed": statuses.count("costed"),
        "agree_with_cpo_within_a_cent": agree,
        "cdrs_per_s": round(len(rows) / seconds),
    }


def _pipeline(partitions: list[str], build: bool):
    from orchestration.cli.pipeline import run_pipeline
    from orchestration.cli.runtime import instance

    result = run_pipeline(partitions, instance(), build_marts=build, progress=lambda _m: None)
    failed = [d for d in result.days if not d.success]
    if failed or (build and not result.marts_success):
        log = result.marts_log.read_text()[-4000:] if result.marts_log else ""
        raise RuntimeError(f"benchmark pipeline failed: {failed[:1]} {result.marts_error}\n{log}")
    return result


def reference_month(folder: Path, days: int, ingest_s: float) -> dict:
    """The reference network's month end to end, API to reports, time per stage: the ingest of every
    day (extract, gate, publish; summed over the runs above), a full warehouse build from scratch
    (dbt build + marts export) over the month, then the month's reports (CSRD pack, lineage report,
    cost statements)."""
    from chargelake.lake import Lake
    from orchestration.defs.reports.costs import write_cost_statements
    from orchestration.defs.reports.lineage import write_lineage_report
    from orchestration.defs.reports.publish import write_csrd_pack

    warehouse = folder / "warehouse.duckdb"
    warehouse.unlink()
    t0 = time.perf_counter()
    build = _pipeline([], build=True)
    build_s = time.perf_counter() - t0
    lake = Lake(str(folder / "lake"))
    t0 = time.perf_counter()
    write_csrd_pack(str(warehouse), lake, FIRST.year)
    write_lineage_report(str(warehouse), lake, FIRST.year)
    write_cost_statements(str(warehouse), lake, FIRST)
    reports_s = time.perf_counter() - t0
    total = ingest_s + build_s + reports_s
    return {
        "days": days,
        "evses": 500,
        "ingest_s": round(ingest_s, 1),
        "full_build_s": round(build.marts_seconds, 1),
        "reports_s": round(reports_s, 1),
        "total_s": round(total, 1),
        "share_ingest": round(ingest_s / total, 3),
        "share_build": round(build_s / total, 3),
        "share_reports": round(reports_s / total, 3),
    }


def dbt_over_history() -> dict:
    """The first (full) build with SHORT days of history, then a daily run (one more day ingested,
    then the incremental build) with SHORT and with LONG days of history."""
    from orchestration.cli.demo import simulator_environment

    days = [(FIRST + timedelta(days=i)).isoformat() for i in range(LONG + 1)]
    sim = start_simulator(FIRST, FIRST + timedelta(days=LONG + 1), seed=1, extra_args=("--profile", "reference"))
    saved = dict(os.environ)
    out: dict = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = os.environ.get("BENCH_KEEP") or tmp  # a folder to keep, for looking into a failure
            os.environ.update(
                CHARGELAKE_LAKE_URL=str(Path(tmp) / "lake"),
                CHARGELAKE_WAREHOUSE_PATH=str(Path(tmp) / "warehouse.duckdb"),
                DAGSTER_HOME=str(Path(tmp) / "dagster"),
                CHARGELAKE_PSEUDONYM_KEY="bench-key-0123456789abcdef0123456789abcdef",
            )
            Path(tmp, "dagster").mkdir(parents=True, exist_ok=True)
            os.environ.update(simulator_environment(sim))  # restored below
            t0 = time.perf_counter()
            first = _pipeline(days[:SHORT], build=True)
            out["ingest_s_per_day"] = round((time.perf_counter() - t0 - first.marts_seconds) / SHORT, 2)
            out[f"full_build_s_{SHORT}_days"] = round(first.marts_seconds, 1)
            ingest_s = time.perf_counter() - t0 - first.marts_seconds
            for history in (SHORT, LONG):
                if history == LONG:
                    t1 = time.perf_counter()
                    _pipeline(days[SHORT + 1 : LONG], build=False)
                    ingest_s += time.perf_counter() - t1
                t0 = time.perf_counter()
                daily = _pipeline([days[history]], build=True)
                out[f"daily_run_s_{history}_days"] = round(time.perf_counter() - t0, 1)
                out[f"daily_build_s_{history}_days"] = round(daily.marts_seconds, 1)
                ingest_s += out[f"daily_run_s_{history}_days"] - daily.marts_seconds
            out["ratio_daily_build_long_to_short"] = round(
                out[f"daily_build_s_{LONG}_days"] / out[f"daily_build_s_{SHORT}_days"], 3
            )
            out["ratio_daily_run_long_to_short"] = round(
                out[f"daily_run_s_{LONG}_days"] / out[f"daily_run_s_{SHORT}_days"], 3
            )
            # Linear extrapolation of the daily build to a year of history.
            per_day = (out[f"daily_build_s_{LONG}_days"] - out[f"daily_build_s_{SHORT}_days"]) / (LONG - SHORT)
            out["daily_build_s_365_days_extrapolated"] = round(
                out[f"daily_build_s_{SHORT}_days"] + per_day * (365 - SHORT), 1
            )
            out["reference_month"] = reference_month(Path(tmp), len(days), ingest_s)
            out["ratio_daily_build_365_to_30_days_extrapolated"] = round(
                out["daily_build_s_365_days_extrapolated"]
                / (out[f"daily_build_s_{SHORT}_days"] + per_day * (30 - SHORT)),
                3,
            )
    finally:
        sim.stop()
        os.environ.clear()
        os.environ.update(saved)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps({"costing": costing_throughput(), "warehouse_history": dbt_over_history()}, indent=1))
