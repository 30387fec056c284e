"""OCPI DateTime rendering and parsing (UTC, second precision, 'Z' suffix)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(ts: datetime) -> str:
    # isoformat is several times faster than strftime, and this runs for every served timestamp
    if ts.tzinfo is not UTC:
        ts = ts.astimezone(UTC)
    return ts.isoformat(timespec="seconds")[:19] + "Z"


def parse_iso(value: str) -> datetime:
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
