"""The pipeline's configuration as a Dagster resource: Settings (chargelake/config.py) resolved when a
step runs, not at import, from CHARGELAKE_* variables and this resource's typed fields, which win over
them. Production sets the variables; `chargelake demo` sets the fields (its simulator's URLs, demo
mode) through the run config, so two configurations can run in one process."""

from __future__ import annotations

from dagster import ConfigurableResource

from chargelake.config import Settings
from chargelake.lake import Lake

# Fields that stand for a CHARGELAKE_<NAME> variable when set (None: the variable, or its default).
OVERRIDABLE = (
    "lake_url",
    "warehouse_path",
    "ocpi_url",
    "ocpi_token",
    "telemetry_url",
    "telemetry_token",
    "carbon_zones",
    "carbon_gb_url",
    "carbon_em_url",
    "carbon_em_token",
    "ocpp_log_url",
)


class ChargeLakeResource(ConfigurableResource):
    """Configuration comes from CHARGELAKE_* environment variables (README, "Configuration"), unless a
    field below is set.

    `refresh_snapshots`: take today's reference-data snapshot again even if one was published.
    `demo`: `chargelake demo`'s runs, where the public demo key is accepted."""

    refresh_snapshots: bool = False
    demo: bool = False
    lake_url: str | None = None
    warehouse_path: str | None = None
    ocpi_url: str | None = None
    ocpi_token: str | None = None
    telemetry_url: str | None = None
    telemetry_token: str | None = None
    carbon_zones: str | None = None  # comma-separated, as CHARGELAKE_CARBON_ZONES
    carbon_gb_url: str | None = None
    carbon_em_url: str | None = None
    carbon_em_token: str | None = None
    ocpp_log_url: str | None = None

    def overrides(self) -> dict[str, str]:
        return {f"CHARGELAKE_{name.upper()}": v for name in OVERRIDABLE if (v := getattr(self, name)) is not None}

    def settings(self, needs_key: bool = True) -> Settings:
        """`needs_key=False` for steps that pseudonymise nothing (reports)."""
        return Settings.from_env(needs_key=needs_key, overrides=self.overrides(), demo=self.demo)

    def lake(self) -> Lake:
        return self.settings(needs_key=False).lake()
