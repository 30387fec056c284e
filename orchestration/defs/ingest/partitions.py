"""Daily UTC partitions: a partition is one `last_updated` (or measurement) day of every raw table.

They start at CHARGELAKE_PARTITIONS_START, by default 2017-01-01: OCPI 2.1.1, the oldest version
ChargeLake speaks, dates from 2017, so no CPO has OCPI data from before it. The last partition is
yesterday (UTC): a day is ingested once it has ended.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dagster import DailyPartitionsDefinition

from chargelake.config import ConfigError, partitions_start

# Part of the definitions, so read when they load (the one setting that is).
daily_partitions = DailyPartitionsDefinition(start_date=partitions_start().isoformat(), timezone="UTC", end_offset=0)


def last_partition(today: date | None = None) -> date:
    return (today or datetime.now(UTC).date()) - timedelta(days=1)


def check_day(day: date, first: date, today: date | None = None) -> None:
    """A day outside the partitions (`first`: Settings.partitions_start) is a user's mistake: explain
    it in one sentence."""
    if day < first:
        raise ConfigError(
            f"{day} is before the first partition ({first}); set CHARGELAKE_PARTITIONS_START earlier to ingest it"
        )
    last = last_partition(today)
    if day > last:
        raise ConfigError(f"{day} has not ended yet (UTC): the last day that can be run is {last}")


def window_for(partition_key: str) -> tuple[datetime, datetime]:
    """[start, end) of a partition day, UTC: the extraction window and the gate's window check."""
    start = datetime.fromisoformat(partition_key).replace(tzinfo=UTC)
    return start, start + timedelta(days=1)
