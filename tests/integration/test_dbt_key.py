"""A `dbt build` run by hand, without the pseudonym key, is refused: the cost-centre map's model would
otherwise pseudonymise card numbers with a key anyone can read (docs/privacy.md)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dbt_without_the_key_refuses_to_build_the_cost_centre_map(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("CHARGELAKE_PSEUDONYM_KEY", "CHARGELAKE_DEMO")}
    env |= {"CHARGELAKE_WAREHOUSE_PATH": str(tmp_path / "w.duckdb"), "CHARGELAKE_LAKE_URL": str(tmp_path / "lake")}
    dbt = Path(sys.executable).with_name("dbt")
    cmd = [str(dbt), "run", "-s", "int_finance__cost_centre_map", "--profiles-dir", ".", "--target-path", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT / "dbt_project", env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "CHARGELAKE_PSEUDONYM_KEY is not set" in proc.stdout + proc.stderr
