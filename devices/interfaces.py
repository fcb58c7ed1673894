"""The interface of each device kind, as the kiosk sees it.

Every implementation (`...Hardware` over a serial port, `...Simulation` in-process) has the same
life cycle: build it, set `on_event`, `start()`, and `stop()` when done. Events come through
`on_event` only; nothing is returned or raised at run time. Hardware drivers call `on_event` from
their own reader thread, one per device, so one slow or noisy device never delays another; the
callback must be quick (put the event on a queue or `loop.call_soon_threadsafe`).
"""

from __future__ import annotations

from typing import Literal, Protocol

from devices.events import EventCallback


class Device(Protocol):
    """What every device has."""

    on_event: EventCallback
    """Receives every event; replace it before `start()`."""

    @property
    def name(self) -> str:
        """The configured name, also found in each event's `device` field."""
        ...

    @property
    def connected(self) -> bool:
        """True while the port is open (Modbus: while the counter answers)."""
        ...

    def start(self) -> None:
        """Begin reading (and reconnecting as needed) in the background. Calling it twice is harmless."""
        ...

    def stop(self) -> None:
        """Stop reading and release the port; no events are emitted after it returns."""
        ...


class BadgeReader(Device, Protocol):
    """Emits BadgeRead, ReadError and the connection events."""

    @property
    def kind(self) -> Literal["badge"]:
        """Always ``"badge"``."""
        ...


class CodeScanner(Device, Protocol):
    """Emits BundleTicketScanned, PersonScanned, CodeScanned, TicketError, ReadError and connection events."""

    @property
    def kind(self) -> Literal["qr"]:
        """Always ``"qr"``."""
        ...


class UnitCounter(Device, Protocol):
    """Emits UnitsCounted, CounterReset, ReadError and connection events."""

    @property
    def kind(self) -> Literal["counter"]:
        """Always ``"counter"`` (serial ASCII and Modbus counters alike)."""
        ...

    @property
    def total(self) -> int | None:
        """The last accepted total (persist it to resume counting across restarts), None before any."""
        ...
