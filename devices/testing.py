"""Helpers for tests that use devices (ours and the kiosk's): an event recorder and a manual clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from devices.events import DeviceEvent

E = TypeVar("E")


class EventRecorder:
    """An `on_event` callback that keeps every event and lets a test wait for the ones it expects.

    Thread-safe: drivers call it from their reader threads.
    """

    def __init__(self) -> None:
        self._events: list[DeviceEvent] = []
        self._changed = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self._changed:
            self._events.append(event)
            self._changed.notify_all()

    @property
    def events(self) -> list[DeviceEvent]:
        """A copy of everything recorded so far, in arrival order."""
        with self._changed:
            return list(self._events)

    def of_type(self, kind: type[E]) -> list[E]:
        """The recorded events of one type, in order."""
        return [event for event in self.events if isinstance(event, kind)]

    def clear(self) -> None:
        """Forget what was recorded."""
        with self._changed:
            self._events.clear()

    def wait_for(self, kind: type[E], count: int = 1, *, timeout: float = 5.0) -> list[E]:
        """Wait until at least `count` events of `kind` arrived; returns them. Raises TimeoutError."""
        self.wait_until(
            lambda: len(self.of_type(kind)) >= count, timeout=timeout, what=f"{count} {kind.__name__}"
        )
        return self.of_type(kind)

    def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = 5.0, what: str = "condition"
    ) -> None:
        """Wait until `condition()` holds (re-checked on every event). Raises TimeoutError."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out waiting for {what}; events so far: {self._events!r}")
                self._changed.wait(min(remaining, 0.05))


class ManualClock:
    """A monotonic clock that only moves when a test says so (`advance`)."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        with self._lock:
            self._now += seconds
