"""Shared, expensive fixtures: one simulator process per test session, on loopback.

The simulated window is fixed (it spans the EU DST change of 2026-03-29), so expectations computed
from the simulator library in-process match what the server serves.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from simulator.process import Simulator, start_simulator

# Corpora copied verbatim, with their licences, from the project's shared folder: a user's clone
# has no such folder beside it.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SPEC_221 = FIXTURES / "ocpi-2.2.1"
EXAMPLES_221 = SPEC_221 / "examples"
SPEC_211 = FIXTURES / "ocpi-2.1.1"
TARIFF_CASES = FIXTURES / "ocpi-tariff-cases"

SIM_START = date(2026, 3, 27)
SIM_END = date(2026, 3, 31)  # exclusive
SIM_SEED = 7
SIM_TOKEN = "test-token-Zx81"
SIM_PAGE_LIMIT = 5  # small, so every module pages


@pytest.fixture(scope="session")
def simulator() -> Iterator[Simulator]:
    sim = start_simulator(
        SIM_START, SIM_END, seed=SIM_SEED, token=SIM_TOKEN, extra_args=("--page-limit", str(SIM_PAGE_LIMIT))
    )
    yield sim
    sim.stop()


def control(sim: Simulator, method: str, rules: list[dict] | None = None) -> None:
    """Add (POST) or clear (DELETE) fault rules on the running simulator."""
    url = sim.versions_url.replace("/ocpi/versions", "/_sim/faults")
    body = json.dumps({"rules": rules or []}).encode() if method == "POST" else None
    req = urllib.request.Request(url, data=body, method=method)
    req.add_header("Authorization", "Token " + base64.b64encode(SIM_TOKEN.encode()).decode())
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200


@pytest.fixture
def faults(simulator: Simulator):
    """Inject faults for one test; they are cleared afterwards whatever happened."""
    yield lambda rules: control(simulator, "POST", rules)
    control(simulator, "DELETE")


def served(module: str, start, end) -> list[dict]:
    """What the test simulator serves for a window, computed in-process from the same config."""
    from simulator.server import SimConfig, SimState

    cfg = SimConfig(seed=SIM_SEED, start=SIM_START, end=SIM_END, token=SIM_TOKEN)
    return SimState(cfg, cfg.build()).listing(module, start, end)


@pytest.fixture
def clock(simulator: Simulator):
    """Set the simulator's 'now' for one test; restored to the end of the window afterwards."""

    def set_now(now: str) -> None:
        url = simulator.versions_url.replace("/ocpi/versions", "/_sim/clock")
        req = urllib.request.Request(url, data=json.dumps({"now": now}).encode(), method="POST")
        req.add_header("Authorization", "Token " + base64.b64encode(SIM_TOKEN.encode()).decode())
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200

    yield set_now
    set_now(f"{SIM_END.isoformat()}T00:00:00Z")


def sim_settings(sim: Simulator, lake_url: str, key: str = "test-key"):
    """Settings for a pipeline run against the test simulator (what the environment would give)."""
    from chargelake.config import Settings

    return Settings(
        lake_url=lake_url,
        warehouse_path=str(Path(lake_url) / "warehouse.duckdb"),
        ocpi_url=sim.versions_url,
        ocpi_token=SIM_TOKEN,
        ocpi_token_plain=None,
        ocpi_party=None,
        telemetry_url=sim.versions_url.replace("/ocpi/versions", "/telemetry/v1"),
        telemetry_token=SIM_TOKEN,
        pseudonym_key=key,
    )


def pytest_collection_modifyitems(config, items):
    """The Spark tests last: their build runs in the background from the moment the demo lake exists
    (tests/e2e/spark.py), so everything else runs while it does."""
    spark = [i for i in items if i.nodeid.startswith("tests/e2e/test_demo_spark.py")]
    items[:] = [i for i in items if i not in spark] + spark
