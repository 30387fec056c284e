"""dbt models as Dagster assets, built after ingest, and their export to `marts/<model>/`."""
