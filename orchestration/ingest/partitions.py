"""Daily UTC partitions: a partition is one `last_updated` (or measurement) day of every raw table."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from dagster import DailyPartitionsDefinition

PARTITIONS_START = os.environ.get("CHARGELAKE_PARTITIONS_START", "2025-01-01")

daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC", end_offset=0)


def window_for(partition_key: str) -> tuple[datetime, datetime]:
    """[start, end) of a partition day, UTC: the extraction window and the gate's window check."""
    start = datetime.fromisoformat(partition_key).replace(tzinfo=UTC)
    return start, start + timedelta(days=1)
