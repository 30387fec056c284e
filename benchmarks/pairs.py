"""How the ingest benchmarks measure a pipeline against its ceiling: pairs of runs, the first one an
untimed warm-up, then each side's best of N. A single cold run of either side (first Parquet
writer, GE context, imports) swung the meter-value ratio between 0.36 and 0.60, and on this
machine single timings swing by up to 2x (docs/performance.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

# (temporary folder, attempt) -> (values, ceiling seconds, values published, extract seconds, gate seconds)
Pair = Callable[[str, int], tuple[int, float, int, float, float]]


def best_of(pair: Pair, repeats: int) -> dict:
    ceilings, runs, cold = [], [], 0.0
    for attempt in range(repeats + 1):
        with tempfile.TemporaryDirectory() as tmp:
            values, ceiling_s, published, extract_s, gate_s = pair(tmp, attempt)
        assert published == values, (published, values)
        if attempt:  # the first is the warm-up
            ceilings.append(ceiling_s)
            runs.append((extract_s + gate_s, extract_s, gate_s))
        else:
            cold = ceiling_s / (extract_s + gate_s)
    ceiling_s = min(ceilings)
    total, extract_s, gate_s = min(runs)
    return {
        "sampled_values": values,
        "repeats": repeats,
        "ceiling_values_per_s": round(values / ceiling_s),
        "pipeline_values_per_s": round(values / total),
        "extract_s": round(extract_s, 2),
        "gate_and_publish_s": round(gate_s, 2),
        "ratio_pipeline_to_ceiling": round(ceiling_s / total, 3),
        # The warm-up pair alone (both sides cold): what a single measurement gave before.
        "ratio_first_pair_cold": round(cold, 3),
    }


def in_own_process(module: str, *args: str) -> object:
    """A benchmark module run in a fresh process (its last stdout line is JSON): inside `make bench`'s
    long-lived process the earlier stages' state skewed the two sides differently."""
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])
