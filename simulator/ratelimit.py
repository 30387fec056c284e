"""Per-token rate limiting (token bucket), so clients meet 429 + Retry-After as from a real CPMS."""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    def __init__(self, per_second: float, burst: int | None = None) -> None:
        self.rate = per_second
        self.capacity = float(burst or max(1, math.ceil(per_second)))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> int | None:
        """None if the request may pass; else whole seconds until it may."""
        if self.rate <= 0:
            return None
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))
