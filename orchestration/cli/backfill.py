"""`chargelake backfill`: a range of days, resumable. Days whose every configured source already has a
published partition are skipped (unless forced), so a backfill stopped by a crash, a CPMS outage or
Ctrl-C continues where it stopped; progress shows the time per day and an estimate of what is left."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence

from chargelake.config import Settings
from chargelake.lake import Lake
from orchestration.defs.ingest.sources import SOURCES


def published_days(lake: Lake, settings: Settings, days: Sequence[str], only: Sequence[str] | None = None) -> set[str]:
    """Days on which each configured source (of `only`, if given) published its windowed tables, with
    none quarantined."""
    from expectations.audit import read_publications

    if not lake.filesystem().exists(lake.publications()):
        return set()
    wanted = set(days)
    latest: dict[tuple[str, str, str], tuple] = {}
    for p in read_publications(lake).to_pylist():
        if p["partition_date"] in wanted:
            key = (p["source"], p["table_name"], p["partition_date"])
            stamp = (p["finished_at"], p["action"])
            if key not in latest or stamp[0] > latest[key][0]:
                latest[key] = stamp
    done = set()
    sources = [s for s in SOURCES if not s.unconfigured(settings) and (not only or s.name in only)]
    for day in wanted:
        ok = True
        for spec in sources:
            windowed = [t for t in spec.tables if t not in spec.snapshot_tables]
            actions = [latest[(spec.name, t, day)][1] for t in windowed if (spec.name, t, day) in latest]
            if not actions or "quarantine" in actions:
                ok = False
        if ok:
            done.add(day)
    return done


def eta_progress(total: int, emit: Callable[[str], None] = print) -> Callable[[str], None]:
    """Wraps the pipeline's progress lines (`[days done/total] ...`) with an estimate of the time left."""
    started = time.monotonic()

    def progress(message: str) -> None:
        done = re.match(r"\s*\[(\d+)/\d+\]", message)
        if done and int(done.group(1)):
            elapsed = time.monotonic() - started
            left = elapsed / int(done.group(1)) * (total - int(done.group(1)))
            message += f"   ETA {int(left // 3600):d}:{int(left % 3600 // 60):02d}:{int(left % 60):02d}"
        emit(message)

    return progress
