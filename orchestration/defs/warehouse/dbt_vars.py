"""What dbt is told about a build, as `--vars`: the lake, the warehouse file being built and the
lake's storage options (without credentials), all from the run's Settings, so a dbt build sees
exactly the configuration its Dagster step resolved (nothing is passed through the process
environment). No secret: dbt writes its vars into its artifacts, and nothing dbt builds needs the
pseudonym key (the cost-centre map is pseudonymised by its derived asset, before dbt runs).
"""

from __future__ import annotations

import json

from chargelake.config import Settings


def dbt_vars(settings: Settings, warehouse_path: str) -> dict[str, str]:
    """The vars of one build of `warehouse_path`."""
    lake = settings.lake()
    return {
        "lake_url": settings.lake_url,
        "warehouse_path": warehouse_path,
        "lake_storage_options": json.dumps(lake.storage.delta_options(with_credentials=False)) if lake.is_s3 else "",
    }


def vars_argument(values: dict[str, str]) -> list[str]:
    return ["--vars", json.dumps(values)]
