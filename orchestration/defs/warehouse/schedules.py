"""The warehouse job (a sensor, sensors.py, starts it whenever an ingest run succeeds)."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

build_warehouse = define_asset_job(
    "build_warehouse",
    selection=AssetSelection.groups("warehouse"),
    description="dbt build of staging, intermediate and mart models, then Parquet export of the marts.",
)
