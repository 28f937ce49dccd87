"""The circuit breaker: trips after N consecutive broker failures, or when latency stays high.

It only decides; the gateway halts trading (the kill switch, seen by every process sharing the
state folder) and calls the alert hook. Denials by limits or by the kill switch are not broker
outcomes and are not fed to it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class BreakerSettings:
    max_consecutive_failures: Optional[int] = 5
    # Latency above this many seconds, for this many submits in a row, trips it (None: not checked).
    max_latency_seconds: Optional[float] = None
    slow_submits: int = 3


class CircuitBreaker:
    def __init__(self, settings: BreakerSettings = BreakerSettings()) -> None:
        self.settings = settings
        self._failures = 0
        self._slow = 0
        self._lock = threading.Lock()

    def observe(self, success: bool, latency_seconds: float) -> Optional[str]:
        """Record one broker outcome; returns why to halt when this outcome trips the breaker."""
        settings = self.settings
        with self._lock:
            self._failures = 0 if success else self._failures + 1
            limit = settings.max_latency_seconds
            self._slow = self._slow + 1 if limit is not None and latency_seconds > limit else 0
            if settings.max_consecutive_failures and self._failures >= settings.max_consecutive_failures:
                self._failures = 0
                return f"circuit breaker: {settings.max_consecutive_failures} consecutive broker failures"
            if limit is not None and self._slow >= settings.slow_submits:
                self._slow = 0
                return f"circuit breaker: latency above {limit:g}s for {settings.slow_submits} submits in a row"
        return None
