"""One runtime setup for every entry point (`chargelake demo`, `chargelake run`, `chargelake dev`):
the `.env` file, a Dagster home with its instance config, and the log folder. A user who sets only the
OCPI settings gets a working run; nothing depends on having exported DAGSTER_HOME first."""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

from chargelake.config import Settings

DEFAULT_HOME = Path("data/dagster")
INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def dagster_home() -> Path:
    """DAGSTER_HOME if set (made absolute), else ./data/dagster; created with an instance config.
    Read, not set: the instance is opened from this folder, and `chargelake dev` hands it to Dagster."""
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_HOME).expanduser().resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG)
    return home


def instance():
    from dagster import DagsterInstance

    return DagsterInstance.from_config(str(dagster_home()))


def log_dir(settings: Settings | None = None) -> Path:
    settings = settings or Settings.from_env(needs_key=False)  # only the warehouse path is read
    path = Path(settings.warehouse_path).parent / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_log(name: str, text: str) -> Path:
    """Keep details (tracebacks, dbt output) where the one-line message can point to them."""
    path = log_dir() / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}.log"
    path.write_text(text)
    return path


def log_exception(exc: BaseException) -> Path:
    return write_log("chargelake-error", "".join(traceback.format_exception(exc)))
