"""What the simulated network really did, written as CSV files, for tests that compare marts with
reality instead of with themselves.

Files: `sessions.csv` (true energy and cost of every session, and whether its meter signed),
`site_daily_energy.csv` (kWh per site and local day, split at local midnight), `evse_outages.csv`
(Faulted/Unavailable/Offline periods with minutes) and `evse_outage_minutes.csv` (totals per EVSE and
kind), `zone_hourly_energy.csv` (kWh per grid zone and UTC hour, for emissions), `summary.json`.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from simulator.availability import outages_for_evse_day
from simulator.network import Network
from simulator.sessions import SimSession, session_cost, sessions_between
from simulator.signing import signer_for
from simulator.timefmt import iso


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _split(s: SimSession, step: timedelta, align) -> dict[datetime, float]:
    """Energy of a session per bucket (`align` gives a bucket's start for an instant)."""
    out: dict[datetime, float] = defaultdict(float)
    t = s.start
    while t < s.end:
        bucket = align(t)
        nxt = min(s.end, bucket + step)
        out[bucket] += s.curve.kwh_between(t, nxt)
        t = nxt
    return out


def write_truth(network: Network, first_day, last_day, out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    sessions = sessions_between(network, first_day, last_day)
    signer = signer_for(network)
    rows, daily, hourly = [], defaultdict(float), defaultdict(float)
    for s in sessions:
        cost = session_cost(s)["total_cost"]
        rows.append(
            [
                s.id,
                s.site.id,
                s.evse.uid,
                s.connector_id,
                s.token.group_id,
                s.token.vehicle.id,
                iso(s.start),
                iso(s.charge_end),
                iso(s.end),
                f"{s.kwh:.3f}",
                s.site.template.currency,
                cost["excl_vat"],
                cost["incl_vat"],
                s.corrected,
                signer.signed_status(s),
            ]
        )
        tz = ZoneInfo(s.site.template.time_zone)
        for day_start, kwh in _split(
            s, timedelta(days=1), lambda t, tz=tz: datetime.combine(t.astimezone(tz).date(), time(0), tz)
        ).items():
            daily[(s.site.id, day_start.date().isoformat())] += kwh
        for hour, kwh in _split(s, timedelta(hours=1), lambda t: t.replace(minute=0, second=0)).items():
            hourly[(s.site.template.grid_zone, iso(hour))] += kwh
    _write(
        out / "sessions.csv",
        [
            "session_id",
            "location_id",
            "evse_uid",
            "connector_id",
            "token_group",
            "vehicle_id",
            "started_at_utc",
            "charging_ended_at_utc",
            "ended_at_utc",
            "energy_kwh",
            "currency",
            "cost_excl_vat",
            "cost_incl_vat",
            "cdr_corrected",
            "signed_status",  # unsigned, signed, or tampered (End reading altered after signing)
        ],
        rows,
    )
    _write(
        out / "site_daily_energy.csv",
        ["location_id", "local_date", "energy_kwh"],
        [[k[0], k[1], f"{v:.3f}"] for k, v in sorted(daily.items())],
    )
    _write(
        out / "zone_hourly_energy.csv",
        ["grid_zone", "hour_start_utc", "energy_kwh"],
        [[k[0], k[1], f"{v:.3f}"] for k, v in sorted(hourly.items())],
    )
    outages = []
    for site, evse in network.evses():
        d = first_day
        while d <= last_day:
            for o in outages_for_evse_day(network, site, evse, d):
                minutes = (o.end - o.start).total_seconds() / 60
                outages.append(
                    [evse.uid, site.id, o.kind, o.error_code or "", iso(o.start), iso(o.end), f"{minutes:.1f}"]
                )
            d += timedelta(days=1)
    _write(
        out / "evse_outages.csv",
        ["evse_uid", "location_id", "kind", "error_code", "started_at_utc", "ended_at_utc", "minutes"],
        sorted(outages),
    )
    per_evse: dict[tuple[str, str], float] = defaultdict(float)
    for o in outages:
        per_evse[(o[0], o[2])] += float(o[-1])
    _write(
        out / "evse_outage_minutes.csv",
        ["evse_uid", "kind", "minutes"],
        [[evse, kind, f"{m:.1f}"] for (evse, kind), m in sorted(per_evse.items())],
    )
    summary = {
        "sessions": len(rows),
        "energy_kwh": round(sum(s.curve.kwh_between(s.start, s.end) for s in sessions), 3),  # metered
        "billed_energy_kwh": round(sum(s.kwh for s in sessions), 3),  # sum of CDR periods, rounded to Wh
        "outage_minutes": round(sum(float(o[-1]) for o in outages), 1),
        "corrected_cdrs": sum(1 for s in sessions if s.corrected),
        "first_day": first_day.isoformat(),
        "last_day": last_day.isoformat(),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    return summary
