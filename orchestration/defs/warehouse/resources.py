"""The dbt project and CLI resource. The manifest is produced by `dbt parse` when missing or older
than the project files, so a fresh clone loads its definitions without a manual step."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def _newest_source_mtime() -> float:
    files = [p for d in ("models", "macros", "seeds", "tests") for p in (DBT_PROJECT_DIR / d).rglob("*") if p.is_file()]
    files += [DBT_PROJECT_DIR / "dbt_project.yml", DBT_PROJECT_DIR / "profiles.yml"]
    return max(p.stat().st_mtime for p in files)


def dbt_executable() -> str:
    """The dbt next to this interpreter (the project's venv), so PATH need not be activated."""
    local = Path(sys.executable).with_name("dbt")
    return str(local) if local.exists() else "dbt"


def ensure_manifest() -> Path:
    manifest = Path(dbt_project.manifest_path)
    if manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime():
        return manifest
    cmd = [dbt_executable(), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)]
    subprocess.run(cmd, cwd=DBT_PROJECT_DIR, check=True, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    return manifest


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=dbt_executable())
