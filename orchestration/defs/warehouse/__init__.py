"""The warehouse domain: dbt models as Dagster assets (group `warehouse`, job `build_warehouse`), built
after ingest, and their export to `marts/<audience>/<model>/` and the shared warehouse."""
