"""The rate limits of refusals: what the ingest refuses is written down, but a flood of junk from one
kiosk (or from random kiosk ids) must neither fill the disk nor slow the records of the others.

Two limits with the same rule: the quarantine table (`QuarantineLimiter`, keyed by kiosk) and the
hub's log (`RejectLogLimiter`, keyed by kiosk and reason), each of which counts what it suppressed and
says so in the next line it lets through.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(slots=True)
class _Window:
    start_ms: int
    count: int = 0
    suppressed: int = 0


class QuarantineLimiter:
    """At most `per_kiosk` rows per kiosk and `overall` rows in total per minute; the rest are counted
    and the count is written into the next row that is allowed, so nothing is silently forgotten."""

    def __init__(self, per_kiosk: int = 60, overall: int = 600, window_ms: int = 60_000) -> None:
        self.per_kiosk = per_kiosk
        self.overall = overall
        self.window_ms = window_ms
        self._kiosks: dict[Hashable, _Window] = {}
        self._all = _Window(0)
        self._lock = threading.Lock()

    def allow(self, kiosk: Hashable, now_ms: int) -> tuple[bool, int]:
        """(store this one?, how many from this kiosk were suppressed before it)."""
        with self._lock:
            if now_ms - self._all.start_ms >= self.window_ms:
                self._all = _Window(now_ms)
                if len(self._kiosks) > 10_000:  # random kiosk ids must not grow memory either
                    self._kiosks.clear()
            win = self._kiosks.get(kiosk)
            if win is None or now_ms - win.start_ms >= self.window_ms:
                win = _Window(now_ms, suppressed=win.suppressed if win else 0)
                self._kiosks[kiosk] = win
            if win.count >= self.per_kiosk or self._all.count >= self.overall:
                win.suppressed += 1
                return False, 0
            win.count += 1
            self._all.count += 1
            suppressed, win.suppressed = win.suppressed, 0
            return True, suppressed


class RejectLogLimiter(QuarantineLimiter):
    """The log's share: at most one line per (kiosk, reason) and `overall` lines in all per minute.
    Every refusal is still in the quarantine table (or counted in its next row); the log only has to
    say that refusals happen, so 10,000 garbage frames cost a few lines, not one line each."""

    def __init__(self, per_key: int = 1, overall: int = 30, window_ms: int = 60_000) -> None:
        super().__init__(per_kiosk=per_key, overall=overall, window_ms=window_ms)
