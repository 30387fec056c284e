"""Simulator memory over a full year of the reference profile: days spread across the year are read
through the telemetry API from a separate simulator process, whose resident and peak memory is
sampled after each. Generation is lazy per EVSE-day and caches are bounded, so memory stays flat."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import requests

from simulator.process import start_simulator

TOKEN = "bench-token"


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def simulator_memory(days: int = 8) -> dict:
    sim = start_simulator(
        date(2026, 1, 1), date(2027, 1, 1), seed=1, token=TOKEN, extra_args=("--profile", "reference")
    )
    proc = sim.process
    try:
        url = sim.versions_url.replace("/ocpi/versions", "/telemetry/v1/meter-values")
        samples = []
        for i in range(days):
            day = date(2026, 1, 5) + timedelta(days=i * 350 // max(1, days - 1))
            t0 = time.perf_counter()
            values, cursor = 0, None
            while True:
                params = {"from": f"{day}T00:00:00Z", "to": f"{day + timedelta(days=1)}T00:00:00Z", "limit": 10_000}
                if cursor:
                    params["cursor"] = cursor
                body = requests.get(
                    url, params=params, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=600
                ).json()
                values += sum(len(m["message"]["meterValue"][0]["sampledValue"]) for m in body["items"])
                if not (cursor := body["next_cursor"]):
                    break
            samples.append(
                {
                    "day": day.isoformat(),
                    "sampled_values": values,
                    "seconds": round(time.perf_counter() - t0, 2),
                    "rss_mb": round(_status_kb(proc.pid, "VmRSS") / 1024, 1),
                }
            )
        return {"days": samples, "peak_rss_mb": round(_status_kb(proc.pid, "VmHWM") / 1024, 1)}
    finally:
        sim.stop()
