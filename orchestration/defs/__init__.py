"""Dagster domains, one folder each with the same role-named files (assets, checks, partitions,
resources, schedules, sensors); `orchestration/definitions.py` assembles them."""
