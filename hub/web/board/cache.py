"""One board snapshot shared by every screen (and every fresh load) of the same board.

Without it each open screen builds its own snapshot on every change notice and every poll, and a
page load waits for a build of its own; with several screens on one area and a busy results worker
those builds queue behind each other for the two cores and the GIL, and the first paint of a
400-row board ran past a second.

A snapshot is reused only while
- the results feed has not moved since its build started (a new daily result anywhere rebuilds it on
  the next request, so a live board never shows numbers older than the notice), and
- it is younger than `max_age_s`, so what changes without a notice (a new checkpoint, a review
  published to the board, a row written by another process) still shows within a poll or two.
One build per board at a time: screens that ask meanwhile wait for it and take its result. A build
that fails caches nothing, so a database that cannot be read is still reported to every screen.

Token checks are not cached here: the board checks its token on every load itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from hub.web.board.model import BoardSnapshot

if TYPE_CHECKING:
    from hub.web.context import BoardSource


@dataclass(frozen=True, slots=True, kw_only=True)
class _Entry:
    day: date
    today: date
    version: int  # the feed's version before the build started
    started: float  # monotonic seconds
    snapshot: BoardSnapshot


class SnapshotCache:
    """A `BoardSource` in front of another one; see the module docstring. Thread-safe: it is called
    from NiceGUI's worker threads."""

    def __init__(
        self,
        source: BoardSource,
        *,
        version: Callable[[], int],
        max_age_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.version = version
        self.max_age_s = max_age_s
        self.clock = clock
        self.builds = 0  # snapshots built since start (for tests and benchmarks)
        self._entries: dict[str, _Entry] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def snapshot(self, target: str, *, day: date, today: date) -> BoardSnapshot:
        # Only targets some token opens get here (the board checks first), so these dicts stay small.
        with self._guard:
            lock = self._locks.setdefault(target, threading.Lock())
        with lock:
            version = self.version()  # read before the build: a notice during it rebuilds next time
            started = self.clock()
            entry = self._entries.get(target)
            if (
                entry is not None
                and entry.version == version
                and (entry.day, entry.today) == (day, today)
                and started - entry.started < self.max_age_s
            ):
                return entry.snapshot
            snapshot = self.source.snapshot(target, day=day, today=today)
            with self._guard:  # builds of other boards may finish at the same moment
                self.builds += 1
            self._entries[target] = _Entry(
                day=day, today=today, version=version, started=started, snapshot=snapshot
            )
            return snapshot
