"""Meter-value ingest throughput and memory (part of `make bench`).

Throughput: the reference network (500 EVSEs) for one UTC day, served by a separate simulator
process (its own GIL), warmed first so serving is not generation. The ceiling is the same page
bodies, already in memory, parsed with orjson, flattened and written with pyarrow; the pipeline is
HTTP → flattening → dlt → landed Parquet → GE gate → Delta publish. Reported in sampled values/s of
the day published, with the lookback the extraction reads for late data (0 and the default 3).

Memory: peak resident memory of a process that ingests 1, 10 and 30 days in a row (one run per day,
as `chargelake run` does); flat memory means the ratios stay near 1.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import requests

from benchmarks.pairs import best_of, in_own_process
from chargelake.lake import Lake
from chargelake.memory import release_memory
from expectations.gate import PartitionRef, gate_partition
from extractors.common.landing import load_to_landing
from extractors.telemetry import telemetry_source
from extractors.telemetry.columns import SCHEMA, items_received_between, meter_value_table
from extractors.telemetry.helpers import iso
from orchestration.defs.ingest.sources import SOURCES
from simulator.process import start_simulator

TOKEN = "bench-token"
DAY = datetime(2026, 3, 4, tzinfo=UTC)
TELEMETRY = next(s for s in SOURCES if s.name == "telemetry")


def simulator(first: date, last: date, interval: int):
    now = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    args = ("--profile", "reference", "--meter-interval", str(interval), "--now", iso(now))
    return start_simulator(first, last + timedelta(days=1), seed=1, token=TOKEN, extra_args=args)


def bodies(base: str, start: datetime, end: datetime) -> list[bytes]:
    """Every page body of the window as bytes (this also warms the simulator's cache)."""
    out = []
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {TOKEN}"
        chunk = start
        while chunk < end:
            params = {"from": iso(chunk), "to": iso(min(end, chunk + timedelta(days=7))), "limit": 10_000}
            while True:
                resp = http.get(f"{base}/meter-values", params=params, timeout=300)
                resp.raise_for_status()
                out.append(resp.content)
                cursor = orjson.loads(resp.content).get("next_cursor")
                if not cursor:
                    break
                params = {**params, "cursor": cursor}
            chunk = min(end, chunk + timedelta(days=7))
    return out


def ceiling(pages: list[bytes], day: datetime, folder: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    values = 0
    with pq.ParquetWriter(f"{folder}/ceiling.parquet", SCHEMA) as writer:
        for body in pages:
            items = items_received_between(orjson.loads(body)["items"], day, day + timedelta(days=1))
            table = meter_value_table(items, "ceiling")
            values += table.num_rows
            writer.write_table(table)
    return values, time.perf_counter() - t0


def ingest_day(base: str, day: datetime, lake: Lake, run_id: str, lookback: int) -> tuple[int, float, float]:
    """(values published, extract seconds, gate + publish seconds) for one day."""
    end = day + timedelta(days=1)
    t0 = time.perf_counter()
    source = telemetry_source(base, TOKEN, day, end, tables=("meter_values",), lookback_days=lookback)
    landed = load_to_landing(source, lake, run_id)
    t1 = time.perf_counter()
    ref = PartitionRef(
        lake,
        "telemetry",
        "meter_values",
        run_id,
        day.date(),
        (day, end),
        landed.load_id,
        TELEMETRY.declared("meter_values"),
    )
    outcome, row = gate_partition(ref)
    if not outcome.success:
        raise RuntimeError(outcome.summary())
    return row["rows"], t1 - t0, time.perf_counter() - t1


def throughput(interval: int, lookbacks: tuple[int, ...], repeats: int = 3) -> list[dict]:
    """Each side's best of `repeats` runs, every run after a first untimed one: a single cold run of
    either (first Parquet writer, GE context, imports) swung the ratio between 0.36 and 0.60."""
    sim = simulator((DAY - timedelta(days=max(lookbacks))).date(), DAY.date(), interval)
    base = sim.versions_url.replace("/ocpi/versions", "/telemetry/v1")
    out = []
    try:
        for lookback in lookbacks:
            pages = bodies(base, DAY - timedelta(days=lookback), DAY + timedelta(days=1))

            def pair(tmp: str, attempt: int, pages=pages, lookback=lookback) -> tuple:
                values, ceiling_s = ceiling(pages, DAY, tmp)
                published, extract_s, gate_s = ingest_day(base, DAY, Lake(tmp), f"bench-{lookback}", lookback)
                return values, ceiling_s, published, extract_s, gate_s

            out.append({"meter_interval_minutes": interval, "lookback_days": lookback} | best_of(pair, repeats))
    finally:
        sim.stop()
    return out


def memory_run(days: int) -> dict:
    """In this process: ingest `days` consecutive days, one run each; peak RSS in MB."""
    first = DAY.date() - timedelta(days=days - 1)
    sim = simulator(first - timedelta(days=3), DAY.date(), 15)
    base = sim.versions_url.replace("/ocpi/versions", "/telemetry/v1")
    values = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(days):
                day = datetime.combine(first + timedelta(days=i), datetime.min.time(), UTC)
                values += ingest_day(base, day, Lake(tmp), f"mem-{i}", 3)[0]
                release_memory()  # as `chargelake run` does between days
    finally:
        sim.stop()
    return {
        "days": days,
        "sampled_values": values,
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's own peak (VmHWM). On Linux `ru_maxrss` keeps the high-water mark of the process
    that forked us across exec: under `make bench` that is the parent's, not ours."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def throughput_in_own_process() -> list[dict]:
    """The three throughput pairs in a fresh process, as the memory runs are: inside `make bench`'s
    long-lived process (after the in-process simulator's stages) the 15-minute pair measured 0.33-0.37
    in four runs, the ceiling 1.5x faster and the pipeline 1.3x slower than in a process of its own
    (0.57-0.63), so the earlier stages' state skewed the two sides differently."""
    result = in_own_process("benchmarks.telemetry")
    return [*result["15min"], *result["1min"]]


def memory() -> dict:
    runs = []
    for days in (1, 10, 30):
        runs.append(in_own_process("benchmarks.telemetry", "memory", str(days)))
    peak = {r["days"]: r["peak_rss_mb"] for r in runs}
    return {
        "runs": runs,
        "peak_rss_ratio_30_days_to_1_day": round(peak[30] / peak[1], 3),
        # After a few days' warm-up (library caches, allocator) memory is flat: this shows it.
        "peak_rss_ratio_30_days_to_10_days": round(peak[30] / peak[10], 3),
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory"]:
        print(json.dumps(memory_run(int(sys.argv[2]))))
    else:
        print(json.dumps({"15min": throughput(15, (0, 3)), "1min": throughput(1, (0,), repeats=2)}))
