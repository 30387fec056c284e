"""The Spark build the equality tests check (tests/e2e/test_demo_spark.py), started in the background
as soon as the shared demo lake exists: dbt on local Spark spends most of its time waiting on
per-statement latency, so the rest of the suite runs beside it instead of after it (the Spark tests
are moved to the end of the session, tests/conftest.py)."""

import importlib.util
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestration.defs.warehouse.resources import DBT_PROJECT_DIR, dbt_executable

# The last dbt Python model: it and what is built from it wait for the costing asset (issue #21).
PYTHON_STEPS = ["int_finance__cdr_costs"]
NOT_YET_ON_SPARK = [f"{name}+" for name in PYTHON_STEPS]
TIMEOUT_SECONDS = 1800


def spark_command(out: Path, lake: Path, *args: str) -> list[str]:
    """dbt on the spark target with what a build is told (vars), its metastore and tables under `out`."""
    dbt_vars = {"lake_url": str(lake), "spark_dir": str(out), "lake_storage_options": ""}
    return [
        dbt_executable(), *args, "--target", "spark", "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(out / "target"), "--log-path", str(out / "logs"), "--vars", json.dumps(dbt_vars),
    ]  # fmt: skip


def spark_dbt(out: Path, lake: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        spark_command(out, lake, *args), cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
    )


@dataclass
class BackgroundBuild:
    out: Path
    process: subprocess.Popen

    def result(self) -> subprocess.CompletedProcess:
        """Wait for the build and return it as `subprocess.run` would."""
        self.process.wait(timeout=TIMEOUT_SECONDS)
        stdout = (self.out / "build.stdout").read_text()
        stderr = (self.out / "build.stderr").read_text()
        return subprocess.CompletedProcess(self.process.args, self.process.returncode, stdout, stderr)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# The build of each demo lake (by its root), started by the demo fixture once the demo succeeded.
SPARK_BUILDS: dict[Path, BackgroundBuild | None] = {}


def start_full_build(out: Path, lake: Path) -> BackgroundBuild | None:
    """The full Spark build of the demo lake, in the background; None without the spark extra."""
    if importlib.util.find_spec("pyspark") is None:
        return None
    out.mkdir(parents=True, exist_ok=True)
    with (out / "build.stdout").open("w") as stdout, (out / "build.stderr").open("w") as stderr:
        process = subprocess.Popen(
            spark_command(out, lake, "build", "--exclude", *NOT_YET_ON_SPARK),
            cwd=DBT_PROJECT_DIR,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
    return BackgroundBuild(out, process)
