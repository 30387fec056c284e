"""Ingest runs every day at 02:00 UTC for the previous day."""

from __future__ import annotations

from dagster import AssetSelection, build_schedule_from_partitioned_job, define_asset_job

from orchestration.defs.ingest.partitions import daily_partitions

ingest_daily = define_asset_job(
    "ingest_daily",
    selection=AssetSelection.key_prefixes("landing", "raw"),
    partitions_def=daily_partitions,
    description="Extract, gate and publish one UTC day of every source.",
)

ingest_daily_schedule = build_schedule_from_partitioned_job(ingest_daily, hour_of_day=2)
