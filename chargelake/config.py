"""The one configuration surface: environment variables (and a `.env` file if present).

Secrets are read here and nowhere else; `redacted()` is what gets logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEMO_PSEUDONYM_KEY = "chargelake-demo-pseudonym-key-do-not-use-in-production"
MIN_KEY_LENGTH = 32
# Set by `chargelake demo` for its own process: the only place the public demo key is accepted.
DEMO_MODE_VARIABLE = "CHARGELAKE_DEMO"
MAKE_A_KEY = (
    'make one with `python -c "import secrets; print(secrets.token_urlsafe(32))"` and keep it in a secret store'
)


# ChargeLake runs on closed networks and must not call home: the tools it drives all collect usage
# statistics by default. An operator who wants them can set these variables explicitly.
NO_TELEMETRY = {
    "RUNTIME__DLTHUB_TELEMETRY": "false",  # dlt
    "GX_ANALYTICS_ENABLED": "false",  # Great Expectations
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",  # dbt
    "DAGSTER_DISABLE_TELEMETRY": "true",  # Dagster (and `telemetry: enabled: false` in dagster.yaml)
}


def disable_telemetry() -> None:
    for key, value in NO_TELEMETRY.items():
        os.environ.setdefault(key, value)


disable_telemetry()


class ConfigError(ValueError):
    """A setting the user has to fix; the message is one sentence saying which and how."""


def load_dotenv(path: Path = Path(".env")) -> None:
    """Read KEY=VALUE lines into the environment without overriding what is already set."""
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


def pseudonym_key(env: os._Environ | dict, needed: bool) -> str:
    """The key pseudonyms are made with. Outside the demo a run refuses to start without one of
    adequate length: with a missing, short or public key, anyone holding a list of card numbers could
    reverse the pseudonyms (docs/privacy.md)."""
    key = env.get("CHARGELAKE_PSEUDONYM_KEY") or ""
    demo = env.get(DEMO_MODE_VARIABLE) == "1"
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


def previous_pseudonym_key(env: os._Environ | dict, current: str) -> str | None:
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

    @classmethod
    def from_env(cls, needs_key: bool = True) -> Settings:
        """`needs_key=False` for commands that pseudonymise nothing (reports, audit, doctor, vacuum)."""
        load_dotenv()
        env = os.environ
        key = pseudonym_key(env, needs_key)
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
            ocpp_log_url=_absolute_lake_url(env["CHARGELAKE_OCPP_LOG_URL"])
            if env.get("CHARGELAKE_OCPP_LOG_URL")
            else None,
        )

    def redacted(self) -> dict[str, str | None]:
        return {
            "lake_url": self.lake_url,
            "warehouse_path": self.warehouse_path,
            "ocpi_url": self.ocpi_url,
            "ocpi_token": "***" if self.ocpi_token else None,
            "telemetry_url": self.telemetry_url,
            "ocpp_log_url": self.ocpp_log_url,
        }
