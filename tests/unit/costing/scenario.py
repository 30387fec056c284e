"""Build OCPI CDRs from the narrative of a spec example ("charges 20 kWh, parks 40 minutes").

A scenario is a start instant and a list of (minutes, dimensions) periods; the CDR's charging
periods get their start times from the running clock, so a test reads like the spec's sentence.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

Volume = Decimal | int | str


def cdr(start: str, *periods: tuple[float, dict[str, Volume]], tz: str = "UTC", credit: bool = False) -> dict:
    """`start` is a local time in `tz`; each period is (minutes, {dimension: volume})."""
    at = datetime.fromisoformat(start).replace(tzinfo=ZoneInfo(tz))
    first = at
    out = []
    for minutes, dims in periods:
        out.append(
            {
                "start_date_time": at.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z"),
                "dimensions": [{"type": k, "volume": Decimal(str(v))} for k, v in dims.items()],
            }
        )
        at += timedelta(minutes=minutes)
    return {
        "start_date_time": first.astimezone(ZoneInfo("UTC")).isoformat(),
        "end_date_time": at.astimezone(ZoneInfo("UTC")).isoformat(),
        "charging_periods": out,
        "credit": credit,
    }


def hours(minutes: float) -> Decimal:
    return Decimal(str(minutes)) / 60
