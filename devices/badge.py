"""Badge readers: the serial driver and the in-process simulation."""

from __future__ import annotations

import time
from typing import Literal

from devices.badge_frames import BadgeFrameParser
from devices.config import BadgeReaderConfig
from devices.driver import Clock, SerialStreamDriver, SimulatedDevice
from devices.events import BadgeRead, EventCallback
from devices.framing import FrameProblem, RepeatFilter
from devices.interfaces import BadgeReader


def _parser(config: BadgeReaderConfig) -> BadgeFrameParser:
    return BadgeFrameParser(
        protocol=config.protocol,
        number_format=config.number_format,
        ascii_input=config.ascii_input,
        ascii_length=config.ascii_length,
        frame_timeout=config.frame_timeout,
    )


class BadgeReaderHardware(SerialStreamDriver, BadgeReader):
    """A badge reader on a serial port (EM4100-style or plain ASCII frames).

    Emits BadgeRead once per presentation (repeats within `dedup_window` are dropped), ReadError for
    each rejected frame (also counted in `read_errors`), and the connection events.
    """

    def __init__(
        self,
        config: BadgeReaderConfig,
        *,
        clock: Clock = time.monotonic,
        on_event: EventCallback | None = None,
    ) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self._badge_config = config
        self._parser = _parser(config)
        self._repeats = RepeatFilter(config.dedup_window)

    @property
    def kind(self) -> Literal["badge"]:
        """Always ``"badge"``."""
        return "badge"

    def _new_session(self) -> None:
        self._parser = _parser(self._badge_config)

    def _handle(self, data: bytes, now: float) -> None:
        for item in self._parser.feed(data, now):
            if isinstance(item, FrameProblem):
                self._read_error(item.reason, item.raw)
            elif self._repeats.accept(item.badge_id, now):
                self._emit(
                    BadgeRead(device=self._name, badge_id=item.badge_id, raw=item.raw, at_monotonic=now)
                )


class BadgeReaderSimulation(SimulatedDevice, BadgeReader):
    """An in-process badge reader for kiosk tests: `present("0012345678")` emits a BadgeRead.

    The repeat window applies exactly as in the hardware driver, using the injected clock.
    """

    def __init__(
        self,
        config: BadgeReaderConfig,
        *,
        clock: Clock = time.monotonic,
        on_event: EventCallback | None = None,
    ) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self._repeats = RepeatFilter(config.dedup_window)

    @property
    def kind(self) -> Literal["badge"]:
        """Always ``"badge"``."""
        return "badge"

    def present(self, badge_id: str) -> None:
        """Hold a badge (already formatted as the kiosk will see it) to the reader."""
        if not self.connected:
            return
        now = self._clock()
        if self._repeats.accept(badge_id, now):
            raw = badge_id.encode("utf-8")
            self._emit(BadgeRead(device=self._name, badge_id=badge_id, raw=raw, at_monotonic=now))
