"""Per-client rate limit: a token bucket per client address, refilled continuously."""

from __future__ import annotations

import math
import threading
import time


class RateLimiter:
    """Allows ``per_minute`` requests a minute per client, in bursts of up to ``per_minute``."""

    def __init__(self, per_minute: int, clock=time.monotonic, max_clients: int = 100_000):
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str, cost: int = 1) -> int | None:
        """Take ``cost`` tokens (one per page) for ``client``; None if allowed, else the whole seconds until they
        are free. A cost above the bucket's size is charged as the whole bucket."""
        if self.capacity <= 0:
            return None
        cost = min(float(cost), self.capacity)
        now = self.clock()
        with self._lock:
            tokens, stamp = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - stamp) * self.rate)
            if tokens >= cost:
                self._remember(client, tokens - cost, now)
                return None
            self._remember(client, tokens, now)
            return max(1, math.ceil((cost - tokens) / self.rate))

    def _remember(self, client: str, tokens: float, now: float) -> None:
        if client not in self._buckets and len(self._buckets) >= self.max_clients:
            full = [k for k, (t, s) in self._buckets.items() if t + (now - s) * self.rate >= self.capacity]
            for key in full or list(self._buckets)[: self.max_clients // 10]:
                del self._buckets[key]
        self._buckets[client] = (tokens, now)
