"""OCPI DateTime rendering and parsing (UTC, second precision, 'Z' suffix)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(value: str) -> datetime:
    ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)
