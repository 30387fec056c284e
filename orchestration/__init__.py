"""Dagster definitions, assets, partitions, resources, schedules and the `chargelake` CLI.

Importing this package is cheap; `orchestration.definitions` is what loads Dagster, dbt and GE.
"""

import chargelake.config  # noqa: F401  (switches third-party telemetry off before anything loads)
