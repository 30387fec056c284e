"""Delta commits that survive concurrent writers.

Backfills run one day per run, and Dagster runs several at once: their publish steps commit to the
same Delta tables. delta-rs uses optimistic concurrency, so a commit can lose the race
(`CommitFailedError`, also when two runs create a table). Each of our writes touches only its own
partition (or appends), so retrying against the latest table version is correct.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from deltalake.exceptions import CommitFailedError, DeltaError

T = TypeVar("T")
ATTEMPTS = 12


def _is_race(exc: Exception) -> bool:
    if isinstance(exc, CommitFailedError):
        return True
    text = str(exc).lower()
    return isinstance(exc, DeltaError) and ("already exists" in text or "conflict" in text)


def with_commit_retry(commit: Callable[[], T], what: str) -> T:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return commit()
        except (CommitFailedError, DeltaError) as exc:
            if not _is_race(exc) or attempt == ATTEMPTS:
                raise RuntimeError(f"Delta commit to {what} failed after {attempt} attempt(s): {exc}") from exc
            time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")
