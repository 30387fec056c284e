"""The warehouse job (a sensor, sensors.py, starts it whenever an ingest run succeeds)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

build_warehouse = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.groups("derived", "warehouse"),
    description="The derived tables (Python over raw partitions), then dbt build of staging, intermediate "
    "and mart models, then Parquet export of the marts.",
)
