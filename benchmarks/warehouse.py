"""Warehouse benchmarks (part of `make bench`): costing throughput and the dbt build over history.

Costing: CDRs/s through `chargelake.costing.batch` (the Python model's path: Arrow batches of CDR
documents in, priced rows out) for CDRs of the reference network (500 EVSEs), with their tariffs.

dbt build: the reference network ingested day by day (in-process runs, as `chargelake run` does),
then the full warehouse build (dbt build + Parquet export) timed with SHORT and LONG days of
history, and a daily run (one more day ingested, then the build) at each. The ratio LONG/SHORT of
the daily run is the cost growth with history; the issue's target for a year against a month is
< 1.3x.
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
    from orchestration.pipeline import run_pipeline
    from orchestration.runtime import instance

    result = run_pipeline(partitions, instance(), build_marts=build, progress=lambda _m: None)
    failed = [d for d in result.days if not d.success]
    if failed or (build and not result.marts_success):
        raise RuntimeError(f"benchmark pipeline failed: {failed[:1]} {result.marts_error}")
    return result


def dbt_over_history() -> dict:
    """Build times with SHORT and LONG days of the reference network's history."""
    from orchestration.demo import use_simulator

    days = [(FIRST + timedelta(days=i)).isoformat() for i in range(LONG + 1)]
    sim = start_simulator(FIRST, FIRST + timedelta(days=LONG + 1), seed=1, extra_args=("--profile", "reference"))
    saved = dict(os.environ)
    out: dict = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            os.environ.update(
                CHARGELAKE_LAKE_URL=str(Path(tmp) / "lake"),
                CHARGELAKE_WAREHOUSE_PATH=str(Path(tmp) / "warehouse.duckdb"),
                DAGSTER_HOME=str(Path(tmp) / "dagster"),
                CHARGELAKE_PSEUDONYM_KEY="bench-key",
            )
            use_simulator(sim)
            t0 = time.perf_counter()
            _pipeline(days[: SHORT - 1], build=False)
            out["ingest_s_per_day"] = round((time.perf_counter() - t0) / (SHORT - 1), 2)
            for history, label in ((SHORT, "short"), (LONG, "long")):
                t0 = time.perf_counter()
                result = _pipeline([days[history - 1]], build=True)
                out[f"daily_run_s_{history}_days"] = round(time.perf_counter() - t0, 1)
                out[f"build_s_{history}_days"] = round(result.marts_seconds, 1)
                if label == "short":
                    _pipeline(days[SHORT : LONG - 1], build=False)
            out["ratio_daily_run_long_to_short"] = round(
                out[f"daily_run_s_{LONG}_days"] / out[f"daily_run_s_{SHORT}_days"], 3
            )
            out["ratio_build_long_to_short"] = round(out[f"build_s_{LONG}_days"] / out[f"build_s_{SHORT}_days"], 3)
            # Linear extrapolation of the build to a year of history (the build is not incremental yet).
            per_day = (out[f"build_s_{LONG}_days"] - out[f"build_s_{SHORT}_days"]) / (LONG - SHORT)
            out["build_s_365_days_extrapolated"] = round(out[f"build_s_{SHORT}_days"] + per_day * (365 - SHORT), 0)
    finally:
        sim.stop()
        os.environ.clear()
        os.environ.update(saved)
    return out


if __name__ == "__main__":
    import json

    print(json.dumps({"costing": costing_throughput(), "warehouse_history": dbt_over_history()}, indent=1))
