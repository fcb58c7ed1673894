"""The kiosk's sense of time: its own wall and monotonic clocks, its boot id, and the hub's offset.

A Raspberry Pi has no battery clock, so records carry the kiosk's own wall time *and* monotonic time
with the boot id; the hub's time (from line plans and acks) only corrects which *day* an event
belongs to and drives the clock warning. Tests inject `wall`/`mono` functions instead of patching.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

DEFAULT_ZONE = "Asia/Shanghai"
CLOCK_WARNING_MS = 60_000


def new_boot_id() -> str:
    """A fresh id per process start (a protocol id: letters and digits)."""
    return f"b{secrets.token_hex(8)}"


class KioskClock:
    """`wall_ms()`/`mono_ms()` are the kiosk's own clocks; `hub_ms()` adds the offset learnt from the hub."""

    def __init__(
        self,
        zone: str = DEFAULT_ZONE,
        offset_ms: int = 0,
        *,
        wall: Callable[[], int] = time.time_ns,
        mono: Callable[[], int] = time.monotonic_ns,
        boot_id: str | None = None,
    ) -> None:
        self.zone = ZoneInfo(zone)
        self._wall_ns = wall
        self._mono_ns = mono
        self.boot_id = boot_id or new_boot_id()
        self._offset_ms = offset_ms
        self._lock = threading.Lock()

    def wall_ms(self) -> int:
        return self._wall_ns() // 1_000_000

    def mono_ms(self) -> int:
        return self._mono_ns() // 1_000_000

    @property
    def offset_ms(self) -> int:
        """Hub time minus kiosk wall time, in ms (0 until the hub has been heard)."""
        with self._lock:
            return self._offset_ms

    def set_hub_time(self, hub_ms: int) -> None:
        """Remember how far the hub's clock (just received) is from ours."""
        with self._lock:
            self._offset_ms = hub_ms - self.wall_ms()

    def hub_ms(self) -> int:
        """Our best estimate of the hub's clock now."""
        return self.wall_ms() + self.offset_ms

    def clock_warning(self) -> bool:
        """True when our wall clock differs from the hub's by more than a minute."""
        return abs(self.offset_ms) > CLOCK_WARNING_MS

    def now(self) -> datetime:
        """The hub-corrected local time in the site's time zone."""
        return datetime.fromtimestamp(self.hub_ms() / 1000, tz=self.zone)

    def today(self) -> str:
        """The workday (YYYY-MM-DD) as the hub-corrected clock sees it in the site's time zone."""
        return self.now().date().isoformat()
