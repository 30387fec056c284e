"""dbt-duckdb's Delta source plugin, made safe for lazily scanned sources under parallel threads.

Change-log sources are `materialization: view`: dbt-duckdb registers their pyarrow dataset in a
dict that every new cursor iterates, while another thread may be adding to it when it loads its
own source ("dictionary changed size during iteration", seen with `threads: 2`). Cursors here get
a copy of that dict (copying a dict is atomic under the GIL). Everything else is the stock plugin,
loaded under the same alias, `delta`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from dbt.adapters.duckdb import environments
from dbt.adapters.duckdb.plugins.delta import Plugin as DeltaPlugin
from dbt.adapters.duckdb.utils import SourceConfig

from chargelake.config import StorageSettings

_initialize_cursor = environments.Environment.initialize_cursor.__func__


def _initialize_cursor_with_a_copy(cls, creds, cursor, plugins=None, registered_df=None):
    return _initialize_cursor(cls, creds, cursor, plugins, dict(registered_df or {}))


if not getattr(environments.Environment, "_chargelake_patched", False):
    environments.Environment.initialize_cursor = classmethod(_initialize_cursor_with_a_copy)
    environments.Environment._chargelake_patched = True


class Plugin(DeltaPlugin):
    """The stock Delta plugin (importing this module installs the cursor fix above), which also opens
    `s3://` tables with the run's storage options: the non-secret ones the warehouse asset resolved
    (profile config `storage_options`, a JSON object from the `lake_storage_options` var) over the
    credentials this process inherited (AWS_*)."""

    def initialize(self, config: dict[str, Any]) -> None:
        self._storage_options = json.loads(config.get("storage_options") or "{}")

    def load(self, source_config: SourceConfig):
        if (
            str(source_config.get("delta_table_path", "")).startswith("s3://")
            and "storage_options" not in source_config
        ):
            options = {**StorageSettings.from_env().delta_options(), **self._storage_options}
            source_config = replace(source_config, meta={**source_config.meta, "storage_options": options})
        return super().load(source_config)
