"""The pipeline's view of the environment: settings are read when a step runs, not at import, so
the same definitions serve the demo, tests and production with different environment variables."""

from __future__ import annotations

from dagster import ConfigurableResource

from chargelake.config import Settings
from chargelake.lake import Lake


class ChargeLakeResource(ConfigurableResource):
    """Configuration comes from CHARGELAKE_* environment variables (README, "Configuration").

    `refresh_snapshots`: take today's reference-data snapshot again even if one was published."""

    refresh_snapshots: bool = False

    def settings(self, needs_key: bool = True) -> Settings:
        """`needs_key=False` for steps that pseudonymise nothing (reports)."""
        return Settings.from_env(needs_key=needs_key)

    def lake(self) -> Lake:
        return Lake(self.settings(needs_key=False).lake_url)
