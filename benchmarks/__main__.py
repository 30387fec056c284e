"""`make bench`: the spine's throughput, measured in one run on this machine.

- simulator: OCPI records/s served over HTTP (JSON), sessions + CDRs of a larger network;
- extraction: records/s from HTTP into landed Parquet via the dlt source, against the ceiling of
  writing the same records with pyarrow directly (ratio = pipeline / ceiling);
- gate: rows/s validated (GE) and published (Delta) for the same landed day;
- meter values (`benchmarks/telemetry.py`): ingest of the reference network's day at 15- and
  1-minute intervals against the same-bodies pyarrow ceiling, and peak memory for 1 vs 30 days;
- OCPP-J logs (`benchmarks/ocpp_logs.py`): the same day ingested from gzip message logs against an
  orjson + pyarrow ceiling on the same lines;
- warehouse (`benchmarks/warehouse.py`): costing throughput in CDRs/s, and the dbt build and a
  daily run with 7 and 28 days of the reference network's history, and its month end to end (API to
  reports) with the time per stage;
- backfill (`benchmarks/backfill.py`): the demo network's 30-day backfill against its 1-day run.

Results are printed and written to `benchmarks/results/latest.json`; figures go to docs/performance.md.
"""

from __future__ import annotations

import json
import platform
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks import backfill as backfill_bench
from benchmarks import ocpp_logs as ocpp_logs_bench
from benchmarks import telemetry as telemetry_bench
from benchmarks import warehouse as warehouse_bench
from benchmarks.memory import simulator_memory
from chargelake.lake import Lake
from expectations.gate import PartitionRef, gate_partition
from extractors.common.landing import load_to_landing
from extractors.ocpi import ocpi_source, prepare_record
from extractors.ocpi.helpers import OcpiClient, ocpi_datetime
from simulator.server import SimConfig, make_server

TOKEN = "bench-token"
CONFIG = SimConfig(
    seed=1, sites=50, evses_per_site=10, start=date(2026, 3, 2), end=date(2026, 3, 9), token=TOKEN, page_limit=1000
)
DAY = datetime(2026, 3, 4, tzinfo=UTC)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _sampled_values(body: dict) -> int:
    return sum(len(i["message"]["meterValue"][0]["sampledValue"]) for i in body["items"])


def meter_values_rate(ocpi_versions_url: str) -> dict:
    """Sampled values/s served by /telemetry/v1/meter-values for one day of the reference network,
    once generating (first read) and once from the server's cache; the client decodes JSON too."""
    import requests

    url = ocpi_versions_url.replace("/ocpi/versions", "/telemetry/v1/meter-values")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    params = {
        "from": DAY.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": (DAY + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "limit": 10_000,
    }

    def crawl() -> tuple[int, int]:
        values = messages = 0
        cursor = None
        with requests.Session() as http:
            while True:
                body = http.get(
                    url, params={**params, **({"cursor": cursor} if cursor else {})}, headers=headers, timeout=120
                ).json()
                values += _sampled_values(body)
                messages += len(body["items"])
                if not (cursor := body["next_cursor"]):
                    return values, messages

    (values, messages), first_s = timed(crawl)
    _, cached_s = timed(crawl)
    return {
        "messages": messages,
        "sampled_values": values,
        "generate_and_serve_values_per_s": values / first_s,
        "serve_values_per_s": values / cached_s,
    }


def main() -> int:
    server = make_server(CONFIG)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/ocpi/versions"
    client = OcpiClient(url, TOKEN)
    endpoints = client.negotiate().endpoints
    params = {"date_from": ocpi_datetime(DAY), "date_to": ocpi_datetime(DAY + timedelta(days=1)), "limit": 1000}
    results: dict[str, dict] = {}

    # Warm the simulator's per-window cache so serving, not generation, is measured; generation is timed apart.
    generated, gen_s = timed(
        lambda: [r for m in ("sessions", "cdrs") for p in client.pages(endpoints[m], params) for r in p.records]
    )
    records, serve_s = timed(
        lambda: [r for m in ("sessions", "cdrs") for p in client.pages(endpoints[m], params) for r in p.records]
    )
    results["simulator"] = {
        "records": len(records),
        "generate_and_serve_rps": len(generated) / gen_s,
        "serve_rps": len(records) / serve_s,
    }

    with tempfile.TemporaryDirectory() as tmp:
        lake = Lake(tmp)
        source = ocpi_source(
            url, TOKEN, "bench-key", DAY, DAY + timedelta(days=1), modules=("sessions", "cdrs"), page_limit=1000
        )
        landed, extract_s = timed(lambda: load_to_landing(source, lake, "bench"))
        rows = sum(landed.row_counts.get(t, 0) for t in ("sessions", "cdrs"))

        def ceiling():
            for module in ("sessions", "cdrs"):
                prepared = [
                    prepare_record(module, dict(r), "bench-key")
                    for r in records
                    if ("CDR-" in r["id"]) == (module == "cdrs")
                ]
                pq.write_table(pa.Table.from_pylist(prepared), f"{tmp}/ceiling-{module}.parquet")

        _, ceiling_s = timed(ceiling)
        results["extraction"] = {
            "root_rows": rows,
            "all_rows": sum(landed.row_counts.values()),
            "pipeline_rps": rows / extract_s,
            "pyarrow_ceiling_rps": rows / ceiling_s,
            "ratio_pipeline_to_ceiling": ceiling_s / extract_s,
        }
        window = (DAY, DAY + timedelta(days=1))
        _, gate_s = timed(
            lambda: [
                gate_partition(PartitionRef(lake, "ocpi", t, "bench", DAY.date(), window)) for t in ("sessions", "cdrs")
            ]
        )
        results["gate"] = {"rows": rows, "validate_and_publish_rps": rows / gate_s}

    results["meter_values"] = meter_values_rate(url)
    server.shutdown()
    ingest = telemetry_bench.throughput_in_own_process()
    results["meter_values_ingest"] = {
        f"ratio_pipeline_to_ceiling_{r['meter_interval_minutes']}min_lookback{r['lookback_days']}": r[
            "ratio_pipeline_to_ceiling"
        ]
        for r in ingest
    } | {"runs": ingest}
    logs = ocpp_logs_bench.throughput_in_own_process()
    results["ocpp_logs_ingest"] = {
        f"ratio_pipeline_to_ceiling_{r['meter_interval_minutes']}min": r["ratio_pipeline_to_ceiling"] for r in logs
    } | {"runs": logs}
    results["meter_values_memory"] = telemetry_bench.memory()
    results["simulator_memory_reference_year"] = simulator_memory()
    results["costing"] = warehouse_bench.costing_throughput()
    results["warehouse_history"] = warehouse_bench.dbt_over_history()
    results["backfill_30_days_vs_1_day"] = backfill_bench.backfill_vs_day()
    results["machine"] = {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()}
    out = Path(__file__).with_name("results")
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    for name, figures in results.items():
        print(name)
        for key, value in figures.items():
            if isinstance(value, list):
                for row in value:
                    print(f"  {row}")
                continue
            print(f"  {key:<28} {value:,.2f}" if isinstance(value, float) else f"  {key:<28} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
