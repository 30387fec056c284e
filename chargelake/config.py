"""The one configuration surface: every CHARGELAKE_* variable (and the AWS ones the lake uses) is read
here, into a `Settings` resolved once per command or step and passed down; nothing else reads them.

Secrets are read here and nowhere else; `redacted()` is what gets logged. The only writes to the
process environment are the library defaults below (applied on import, never overriding the user)
and the CLI entry's `.env` loading (orchestration/cli/command.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

DEMO_PSEUDONYM_KEY = "chargelake-demo-pseudonym-key-do-not-use-in-production"
MIN_KEY_LENGTH = 32
# Set for `chargelake demo`'s runs (the resource's `demo` field; this variable for a hand-run dbt of
# the demo lake): the only place the public demo key is accepted.
DEMO_MODE_VARIABLE = "CHARGELAKE_DEMO"
MAKE_A_KEY = (
    'make one with `python -c "import secrets; print(secrets.token_urlsafe(32))"` and keep it in a secret store'
)
DEFAULT_PARTITIONS_START = "2017-01-01"
FIRST_PARTITION = date.fromisoformat(DEFAULT_PARTITIONS_START)


# Process-wide library defaults, applied once when chargelake is imported, never overriding what the
# operator set. ChargeLake runs on closed networks and must not call home: the tools it drives all
# collect usage statistics by default. An operator who wants them can set these variables explicitly.
NO_TELEMETRY = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",  # dlt
    "GX_ANALYTICS_ENABLED": "false",  # Great Expectations
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",  # dbt
    "DAGSTER_DISABLE_TELEMETRY": "true",  # Dagster (and `telemetry: enabled: false` in dagster.yaml)
}
LIBRARY_DEFAULTS = {
    **NO_TELEMETRY,
    # Arrow's system allocator: with the default mimalloc pool, resident memory of a process that ingests
    # day after day crept up ~100 MB more (chargelake/memory.py).
    "ARROW_DEFAULT_MEMORY_POOL": "system",
    # Sources hand dlt Arrow tables (contract-shaped); dlt then adds only the load id, which the gate
    # and raw rows need (extractors/common/landing.py).
    "NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID": "true",
}


def apply_library_defaults() -> None:
    for key, value in LIBRARY_DEFAULTS.items():
        os.environ.setdefault(key, value)


apply_library_defaults()


class ConfigError(ValueError):
    """A setting the user has to fix; the message is one sentence saying which and how."""


def load_dotenv(path: Path = Path(".env")) -> None:
    """Read KEY=VALUE lines into the environment without overriding what is already set. Called by the
    CLI entry only (`dagster dev` reads `.env` itself), so the tools it starts (dbt) see them too."""
    if not path.is_file():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


def _absolute_lake_url(url: str) -> str:
    """dbt and Delta run from other working directories, so local paths (the lake, the OCPP logs)
    are made absolute."""
    if "://" in url and not url.startswith("file://"):
        return url.rstrip("/")
    path = url.removeprefix("file://")
    return str(Path(path).expanduser().resolve())


def pseudonym_key(env: Mapping[str, str], needed: bool, demo: bool = False) -> str:
    """The key pseudonyms are made with. Outside the demo a run refuses to start without one of
    adequate length: with a missing, short or public key, anyone holding a list of card numbers could
    reverse the pseudonyms (docs/privacy.md)."""
    key = env.get("CHARGELAKE_PSEUDONYM_KEY") or ""
    demo = demo or env.get(DEMO_MODE_VARIABLE) == "1"
    if demo or not needed:
        return key or DEMO_PSEUDONYM_KEY
    if not key:
        raise ConfigError(f"CHARGELAKE_PSEUDONYM_KEY is not set: {MAKE_A_KEY} (docs/privacy.md)")
    if key == DEMO_PSEUDONYM_KEY:
        raise ConfigError(f"CHARGELAKE_PSEUDONYM_KEY is the public demo key: {MAKE_A_KEY} (docs/privacy.md)")
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(
            f"CHARGELAKE_PSEUDONYM_KEY has {len(key)} characters, fewer than {MIN_KEY_LENGTH}: {MAKE_A_KEY}"
        )
    return key


def previous_pseudonym_key(env: Mapping[str, str], current: str) -> str | None:
    """The key being rotated away from (`chargelake privacy rotate-key`, docs/privacy.md): read so that
    pseudonyms it made can still be re-keyed, or matched by `privacy erase`, until the rotation ends."""
    key = env.get("CHARGELAKE_PSEUDONYM_KEY_PREVIOUS") or None
    if key is not None and key == current:
        raise ConfigError(
            "CHARGELAKE_PSEUDONYM_KEY_PREVIOUS is the same as CHARGELAKE_PSEUDONYM_KEY: "
            "set the new key as CHARGELAKE_PSEUDONYM_KEY and the old one as _PREVIOUS"
        )
    return key


def _tristate(value: str | None) -> bool | None:
    if value is None or value.strip() == "":
        return None
    if value.strip().lower() in ("1", "true", "yes"):
        return True
    if value.strip().lower() in ("0", "false", "no"):
        return False
    raise ConfigError(f"CHARGELAKE_OCPI_TOKEN_PLAIN must be true or false, not {value!r}")


def _days(value: str | None, default: int) -> int:
    if value is None or value.strip() == "":
        return default
    if not value.strip().isdigit() or int(value) > 60:
        raise ConfigError(f"CHARGELAKE_TELEMETRY_LOOKBACK_DAYS must be a number of days from 0 to 60, not {value!r}")
    return int(value)


def _party(value: str | None) -> tuple[str, str] | None:
    if not value:
        return None
    country, sep, party = value.partition("*")
    if not sep or len(country) != 2 or not 1 <= len(party) <= 3:
        raise ConfigError(f"CHARGELAKE_OCPI_PARTY must look like NL*ABC (country code*party id), not {value!r}")
    return country.upper(), party.upper()


def _whole_days(env: Mapping[str, str], variable: str) -> int | None:
    value = (env.get(variable) or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ConfigError(f"{variable} must be a number of days, not {value!r}")
    return int(value)


def partitions_start(env: Mapping[str, str] | None = None) -> date:
    """CHARGELAKE_PARTITIONS_START: the first day Dagster offers as a partition (read when the
    definitions load, since a partitions definition is part of them)."""
    env = os.environ if env is None else env
    value = env.get("CHARGELAKE_PARTITIONS_START") or DEFAULT_PARTITIONS_START
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"CHARGELAKE_PARTITIONS_START must be a date (YYYY-MM-DD), not {value!r}") from None


@dataclass(frozen=True)
class StorageSettings:
    """How to reach an `s3://` lake or log folder: AWS's standard variables, and
    CHARGELAKE_S3_UNSAFE_RENAME for an S3-compatible store without conditional writes."""

    region: str | None = None
    endpoint_url: str | None = None
    access_key_id: str | None = field(default=None, repr=False)
    secret_access_key: str | None = field(default=None, repr=False)
    unsafe_rename: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StorageSettings:
        env = os.environ if env is None else env
        return cls(
            region=env.get("AWS_REGION") or None,
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
            secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            unsafe_rename=env.get("CHARGELAKE_S3_UNSAFE_RENAME", "").lower() == "true",
        )

    def delta_options(self, with_credentials: bool = True) -> dict[str, str]:
        """deltalake (object_store) options. `with_credentials=False`: what may be written down (dbt's
        vars); the credentials then come from the environment the process inherited."""
        opts = {"AWS_REGION": self.region or "us-east-1"}
        # deltalake 1.x commits to S3 with conditional writes (If-None-Match: put-if-absent), so
        # concurrent publishers are safe without a lock. An S3-compatible store without conditional
        # writes needs the unsafe rename, and then one publisher at a time (docs/operations.md).
        if self.unsafe_rename:
            opts["AWS_S3_ALLOW_UNSAFE_RENAME"] = "true"
        if self.endpoint_url:
            opts["AWS_ENDPOINT_URL"] = self.endpoint_url
            if self.endpoint_url.startswith("http://"):
                opts["AWS_ALLOW_HTTP"] = "true"
        if with_credentials and self.access_key_id:
            opts["AWS_ACCESS_KEY_ID"] = self.access_key_id
        if with_credentials and self.secret_access_key:
            opts["AWS_SECRET_ACCESS_KEY"] = self.secret_access_key
        return opts

    def s3fs_options(self) -> dict[str, Any]:
        opts: dict[str, Any] = {}
        if self.endpoint_url:
            opts["endpoint_url"] = self.endpoint_url
        if self.access_key_id:
            opts["key"] = self.access_key_id
            opts["secret"] = self.secret_access_key
        if self.region:
            opts["client_kwargs"] = {"region_name": self.region}
        return opts


@dataclass(frozen=True)
class Settings:
    lake_url: str
    warehouse_path: str
    ocpi_url: str | None
    ocpi_token: str | None = field(repr=False)
    ocpi_token_plain: bool | None  # None: as the negotiated version expects (base64 for 2.2, plain for 2.1.1)
    ocpi_party: tuple[str, str] | None  # fallback country_code/party_id for objects that carry none
    telemetry_url: str | None
    telemetry_token: str | None = field(repr=False)
    pseudonym_key: str = field(repr=False)
    previous_pseudonym_key: str | None = field(default=None, repr=False)  # during a key rotation
    telemetry_lookback_days: int = 3  # how late (days) a charger's upload may arrive and still be read
    carbon_zones: tuple[str, ...] = ()  # grid zones to read intensity for (GB, GB-<region>, EM zones)
    carbon_gb_url: str | None = None  # GB Carbon Intensity API base (public, no token)
    carbon_em_url: str | None = None  # Electricity Maps API base
    carbon_em_token: str | None = field(default=None, repr=False)
    # OCPP-J message logs (a folder or s3://bucket/prefix): when set, the telemetry source reads meter
    # values and alarms from them instead of the telemetry API (docs/ocpp-logs.md).
    ocpp_log_url: str | None = None
    storage: StorageSettings = field(default_factory=StorageSettings)
    demo: bool = False  # `chargelake demo`: the public demo key is accepted
    partitions_start: date = FIRST_PARTITION
    shared_warehouse_path: str | None = None  # the shared audience's file (default beside the warehouse)
    cost_centre_map: str | None = None  # the user's cost-centre CSV (chargelake/cost_centres.py)
    retention_sessions_days: int | None = None  # raw sessions and CDRs kept this many days (None: all)
    retention_telemetry_days: int | None = None  # raw meter values and alarms
    alert_webhook_url: str | None = None  # failed runs are POSTed here (orchestration/defs/alerts/sensors.py)
    alert_webhook_secret: str | None = field(default=None, repr=False)
    faults_webhook_url: str | None = None  # fault-event exports are POSTed here
    faults_webhook_secret: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(
        cls,
        needs_key: bool = True,
        env: Mapping[str, str] | None = None,
        overrides: Mapping[str, str] | None = None,
        demo: bool = False,
    ) -> Settings:
        """`needs_key=False` for commands that pseudonymise nothing (reports, audit, doctor, vacuum).
        `overrides`: variables that win over the environment (the demo's simulator URLs, passed as the
        Dagster resource's config); `demo`: the run is `chargelake demo`'s."""
        env = {**(os.environ if env is None else env), **(overrides or {})}
        key = pseudonym_key(env, needs_key, demo)
        return cls(
            lake_url=_absolute_lake_url(env.get("CHARGELAKE_LAKE_URL", "./data/lake")),
            warehouse_path=str(Path(env.get("CHARGELAKE_WAREHOUSE_PATH", "./data/warehouse.duckdb")).resolve()),
            ocpi_url=env.get("CHARGELAKE_OCPI_URL"),
            ocpi_token=env.get("CHARGELAKE_OCPI_TOKEN"),
            ocpi_token_plain=_tristate(env.get("CHARGELAKE_OCPI_TOKEN_PLAIN")),
            ocpi_party=_party(env.get("CHARGELAKE_OCPI_PARTY")),
            telemetry_url=env.get("CHARGELAKE_TELEMETRY_URL"),
            telemetry_token=env.get("CHARGELAKE_TELEMETRY_TOKEN"),
            pseudonym_key=key,
            previous_pseudonym_key=previous_pseudonym_key(env, key),
            telemetry_lookback_days=_days(env.get("CHARGELAKE_TELEMETRY_LOOKBACK_DAYS"), 3),
            carbon_zones=tuple(z.strip() for z in env.get("CHARGELAKE_CARBON_ZONES", "").split(",") if z.strip()),
            carbon_gb_url=env.get("CHARGELAKE_CARBON_GB_URL"),
            carbon_em_url=env.get("CHARGELAKE_CARBON_EM_URL"),
            carbon_em_token=env.get("CHARGELAKE_CARBON_EM_TOKEN"),
            ocpp_log_url=_absolute_lake_url(env.get("CHARGELAKE_OCPP_LOG_URL", ""))
            if env.get("CHARGELAKE_OCPP_LOG_URL")
            else None,
            storage=StorageSettings.from_env(env),
            demo=demo or env.get(DEMO_MODE_VARIABLE) == "1",
            partitions_start=partitions_start(env),
            shared_warehouse_path=env.get("CHARGELAKE_SHARED_WAREHOUSE_PATH") or None,
            cost_centre_map=env.get("CHARGELAKE_COST_CENTRE_MAP") or None,
            retention_sessions_days=_whole_days(env, "CHARGELAKE_RETENTION_SESSIONS_DAYS"),
            retention_telemetry_days=_whole_days(env, "CHARGELAKE_RETENTION_TELEMETRY_DAYS"),
            alert_webhook_url=env.get("CHARGELAKE_ALERT_WEBHOOK_URL") or None,
            alert_webhook_secret=env.get("CHARGELAKE_ALERT_WEBHOOK_SECRET") or None,
            faults_webhook_url=env.get("CHARGELAKE_FAULTS_WEBHOOK_URL") or None,
            faults_webhook_secret=env.get("CHARGELAKE_FAULTS_WEBHOOK_SECRET") or None,
        )

    def lake(self):
        """The lake, reached with these settings' storage options."""
        from chargelake.lake import Lake

        return Lake(self.lake_url, self.storage)

    def redacted(self) -> dict[str, str | None]:
        return {
            "lake_url": self.lake_url,
            "warehouse_path": self.warehouse_path,
            "ocpi_url": self.ocpi_url,
            "ocpi_token": "***" if self.ocpi_token else None,
            "telemetry_url": self.telemetry_url,
            "ocpp_log_url": self.ocpp_log_url,
        }
