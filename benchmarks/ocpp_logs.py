"""OCPP-J log ingest throughput (part of `make bench`, in a process of its own like the telemetry one).

The reference network (500 EVSEs) writes its OCPP-J logs for a day and the days either side (gzip
JSON Lines, one file per charge point and received day). The ceiling is the same files, already in
memory: gunzip, `orjson.loads` per line, the day's meter-value frames read into Arrow by the shared
reader and written with pyarrow. The pipeline is the ocpp_logs transport from the files on disk
(listing through dlt's filesystem source, gunzip, parse, reject/dedupe bookkeeping) → dlt → landed
Parquet → GE gate → Delta publish. Ratio = ceiling time / pipeline time, each side's best of 3 (2 at
1-minute sampling) after an untimed warm-up pair. The network is simulated from the day before to
the day after, so the neighbouring files hold a day's traffic each.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pyarrow.parquet as pq

from benchmarks.pairs import best_of, in_own_process
from chargelake.lake import Lake
from expectations.gate import PartitionRef, gate_partition
from extractors.common.landing import load_to_landing
from extractors.ocpp_logs import ocpp_logs_source
from extractors.ocpp_logs.helpers import files_for_day, list_log_files
from extractors.telemetry.columns import SCHEMA, items_received_between, meter_value_table
from orchestration.defs.ingest.sources import SOURCES
from simulator.ocpp_logs import write_ocpp_logs
from simulator.server import SimConfig

DAY = datetime(2026, 3, 4, tzinfo=UTC)
TELEMETRY = next(s for s in SOURCES if s.name == "telemetry")
METER_ACTIONS = {"MeterValues", "TransactionEvent", "StopTransaction"}


def write_logs(folder: Path, interval: int = 15) -> dict:
    first, last = DAY.date() - timedelta(days=1), DAY.date() + timedelta(days=2)
    network = SimConfig(seed=1, sites=50, evses_per_site=10, start=first, end=last).build()
    now = datetime.combine(last, datetime.min.time(), UTC)
    return write_ocpp_logs(network, timedelta(minutes=interval), first, last, now, folder)


def ceiling(blobs: list[bytes], folder: str) -> tuple[int, float]:
    t0 = time.perf_counter()
    items = []
    for blob in blobs:
        for line in gzip.decompress(blob).splitlines():
            obj = orjson.loads(line)
            frame = obj["message"]
            if frame[0] == 2 and frame[2] in METER_ACTIONS:
                items.append(
                    {
                        "id": frame[1],
                        "charge_point_id": obj["charge_point_id"],
                        "ocpp_version": obj["ocpp_version"],
                        "received_at": obj["received_at"],
                        "message": frame[3],
                    }
                )
    table = meter_value_table(items_received_between(items, DAY, DAY + timedelta(days=1)), "ceiling")
    pq.write_table(table.cast(SCHEMA), f"{folder}/ceiling.parquet")
    return table.num_rows, time.perf_counter() - t0


def pipeline(logs: Path, lake: Lake, run_id: str) -> tuple[int, float, float]:
    """(values published, extract seconds, gate + publish seconds)."""
    end = DAY + timedelta(days=1)
    t0 = time.perf_counter()
    landed = load_to_landing(ocpp_logs_source(str(logs), DAY, end, tables=("meter_values",)), lake, run_id)
    t1 = time.perf_counter()
    declared = TELEMETRY.declared("meter_values")
    ref = PartitionRef(lake, "telemetry", "meter_values", run_id, DAY.date(), (DAY, end), landed.load_id, declared)
    outcome, row = gate_partition(ref)
    if not outcome.success:
        raise RuntimeError(outcome.summary())
    return row["rows"], t1 - t0, time.perf_counter() - t1


def throughput(interval: int, repeats: int = 3) -> dict:
    with tempfile.TemporaryDirectory() as logs_dir:
        logs = Path(logs_dir)
        written = write_logs(logs, interval)
        files = files_for_day(list_log_files(str(logs)), DAY.date())
        blobs = [Path(f.url.removeprefix("file://")).read_bytes() for f in files]

        def pair(tmp: str, attempt: int) -> tuple:
            values, ceiling_s = ceiling(blobs, tmp)
            published, extract_s, gate_s = pipeline(logs, Lake(tmp), f"bench-logs-{attempt}")
            return values, ceiling_s, published, extract_s, gate_s

        measured = best_of(pair, repeats)
    return {
        "meter_interval_minutes": interval,
        "files_read": len(files),
        "bytes_read_gzip": sum(len(b) for b in blobs),
        "lines_written": written["lines"],
    } | measured


def throughput_in_own_process() -> list[dict]:
    return in_own_process("benchmarks.ocpp_logs")


if __name__ == "__main__":
    print(json.dumps([throughput(15), throughput(1, repeats=2)]))
