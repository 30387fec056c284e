"""What dbt is told about a build, as `--vars`: the lake, the warehouse file being built, the lake's
storage options and the cost-centre map, all from the run's Settings, so a dbt build sees exactly the
configuration its Dagster step resolved (nothing is passed through the process environment).

The pseudonym keys are the exception to "everything in vars": dbt writes its vars into its artifacts,
so the keys go into a file only this user can read, and the vars name the file (deleted after the build).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from chargelake.config import Settings, write_key_file


@contextmanager
def dbt_vars(settings: Settings, warehouse_path: str) -> Iterator[dict[str, str]]:
    """The vars of one build of `warehouse_path`; the key file lives as long as the context."""
    key_file = write_key_file(Path(warehouse_path).parent, settings.pseudonym_key, settings.previous_pseudonym_key)
    lake = settings.lake()
    try:
        yield {
            "lake_url": settings.lake_url,
            "warehouse_path": warehouse_path,
            "lake_storage_options": json.dumps(lake.storage.delta_options(with_credentials=False))
            if lake.is_s3
            else "",
            "cost_centre_map": settings.cost_centre_map or "",
            "pseudonym_key_file": str(key_file),
        }
    finally:
        key_file.unlink(missing_ok=True)


def vars_argument(values: dict[str, str]) -> list[str]:
    return ["--vars", json.dumps(values)]
