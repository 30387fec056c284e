"""Start and stop the bundled simulator as its own process on a free loopback port (for `chargelake
demo`, the tests and the benchmarks): a separate process, so it never shares the GIL with a pipeline."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DEMO_TOKEN = "chargelake-demo-token"


@dataclass
class Simulator:
    process: subprocess.Popen
    versions_url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_simulator(
    start: date, end: date, seed: int = 42, token: str = DEMO_TOKEN, extra_args: tuple[str, ...] = ()
) -> Simulator:
    cmd = [
        sys.executable,
        "-m",
        "simulator.cli",
        "--port",
        "0",
        "--seed",
        str(seed),
        "--start",
        start.isoformat(),
        "--end",
        end.isoformat(),
        "--token",
        token,
        *extra_args,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    line = proc.stdout.readline() if proc.stdout else ""
    if "listening on" not in line:
        proc.kill()
        raise RuntimeError(f"simulator did not start: {line!r}")
    return Simulator(proc, line.rsplit(" ", 1)[-1].strip())
