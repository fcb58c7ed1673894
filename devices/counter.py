"""Unit counters: the ASCII serial driver and the in-process simulation (Modbus is in `devices.modbus`)."""

from __future__ import annotations

import time
from typing import Literal

from devices.config import ModbusCounterConfig, SerialCounterConfig
from devices.counter_frames import CounterFrameParser
from devices.counting import CounterTracker
from devices.driver import Clock, SerialStreamDriver, SimulatedDevice
from devices.events import EventCallback
from devices.framing import FrameProblem
from devices.interfaces import UnitCounter


class SerialCounterHardware(SerialStreamDriver, UnitCounter):
    """An ASCII counter on a serial port reporting ``C:001234`` CR LF.

    Totals become UnitsCounted deltas (see `devices.counting`); the tracker survives reconnects, so
    an unplugged cable only delays units, never loses or repeats them. Pass `resume_total` (the
    last `UnitsCounted.total` you stored) to also count units produced while the kiosk was off.
    """

    def __init__(
        self,
        config: SerialCounterConfig,
        *,
        clock: Clock = time.monotonic,
        on_event: EventCallback | None = None,
        resume_total: int | None = None,
    ) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self._counter_config = config
        self._parser = CounterFrameParser(modulus=config.modulus, frame_timeout=config.frame_timeout)
        self._tracker = CounterTracker(
            device=config.name, modulus=config.modulus, max_step=config.max_step, last_total=resume_total
        )

    @property
    def kind(self) -> Literal["counter"]:
        """Always ``"counter"``."""
        return "counter"

    @property
    def total(self) -> int | None:
        """The last accepted total."""
        return self._tracker.total

    def _new_session(self) -> None:
        config = self._counter_config
        self._parser = CounterFrameParser(modulus=config.modulus, frame_timeout=config.frame_timeout)

    def _handle(self, data: bytes, now: float) -> None:
        for item in self._parser.feed(data, now):
            if isinstance(item, FrameProblem):
                self._read_error(item.reason, item.raw)
                continue
            for event in self._tracker.observe(item.total):
                self._emit(event)


class UnitCounterSimulation(SimulatedDevice, UnitCounter):
    """An in-process counter for kiosk tests: `count(5)`, `power_cycle()`, `set_total(n)`.

    It keeps counting while unplugged or stopped, like a real counter; the units appear when it is
    plugged back in. Works for either counter config (serial or Modbus): only name, url, modulus
    and max_step matter.
    """

    def __init__(
        self,
        config: SerialCounterConfig | ModbusCounterConfig,
        *,
        clock: Clock = time.monotonic,
        on_event: EventCallback | None = None,
        resume_total: int | None = None,
        initial_total: int = 0,
    ) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self._modulus = config.modulus
        self._counter_total = initial_total % self._modulus
        self._tracker = CounterTracker(
            device=config.name, modulus=config.modulus, max_step=config.max_step, last_total=resume_total
        )

    @property
    def kind(self) -> Literal["counter"]:
        """Always ``"counter"``."""
        return "counter"

    @property
    def total(self) -> int | None:
        """The last total the driver side accepted."""
        return self._tracker.total

    @property
    def counter_total(self) -> int:
        """What the simulated counter's display shows."""
        return self._counter_total

    def count(self, units: int = 1) -> None:
        """The line produced `units` units (the total wraps at the modulus)."""
        if units < 0:
            raise ValueError("units are never negative")
        self._counter_total = (self._counter_total + units) % self._modulus
        self._poll()

    def set_total(self, total: int) -> None:
        """Preset the counter's total (as a technician might); treated by the rules in `devices.counting`."""
        self._counter_total = total % self._modulus
        self._poll()
        self._poll()

    def power_cycle(self) -> None:
        """The counter lost power and restarted at 0: emits CounterReset."""
        self._counter_total = 0
        self._poll()
        self._poll()  # the confirming reading a real driver gets one poll later

    def _on_connect(self) -> None:
        self._poll()

    def _poll(self) -> None:
        if not self.connected:
            return
        for event in self._tracker.observe(self._counter_total):
            self._emit(event)
