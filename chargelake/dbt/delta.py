"""dbt-duckdb's Delta source plugin, made safe for lazily scanned sources under parallel threads.

Change-log sources are `materialization: view`: dbt-duckdb registers their pyarrow dataset in a
dict that every new cursor iterates, while another thread may be adding to it when it loads its
own source ("dictionary changed size during iteration", seen with `threads: 2`). Cursors here get
a copy of that dict (copying a dict is atomic under the GIL). Everything else is the stock plugin,
loaded under the same alias, `delta`.
"""

from __future__ import annotations

from dbt.adapters.duckdb import environments
from dbt.adapters.duckdb.plugins.delta import Plugin as DeltaPlugin

_initialize_cursor = environments.Environment.initialize_cursor.__func__


def _initialize_cursor_with_a_copy(cls, creds, cursor, plugins=None, registered_df=None):
    return _initialize_cursor(cls, creds, cursor, plugins, dict(registered_df or {}))


if not getattr(environments.Environment, "_chargelake_patched", False):
    environments.Environment.initialize_cursor = classmethod(_initialize_cursor_with_a_copy)
    environments.Environment._chargelake_patched = True


class Plugin(DeltaPlugin):
    """The stock Delta plugin; importing this module installs the cursor fix above."""
