"""Machinery shared by the drivers: safe event emission, the reader thread with reconnect backoff,
and the in-process simulation base.

A `SerialStreamDriver` owns one thread that opens the port by URL (`serial.serial_for_url`), reads
whatever arrives, hands it to the subclass's pure parser and emits the results. When the port
fails or disappears it emits `DeviceDisconnected` once, then retries with exponential backoff
(`reconnect_min` doubling up to `reconnect_max`) until the port comes back or `stop()` is called.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import threading
from collections.abc import Callable
from typing import Any

import serial

from devices.config import PortConfig
from devices.events import (
    DeviceConnected,
    DeviceDisconnected,
    DeviceEvent,
    DeviceFault,
    EventCallback,
    ReadError,
    clip_raw,
    ignore_event,
)

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""A monotonic clock in seconds (`time.monotonic` unless a test injects its own)."""

READ_TIMEOUT = 0.05
"""Seconds one read waits for data; bounds how long `stop()` and stale-frame expiry take."""
READ_CHUNK = 4096


class EventSource:
    """Holds `on_event` and emits events so that a failing callback never kills the caller."""

    def __init__(self, name: str, on_event: EventCallback | None = None) -> None:
        self._name = name
        self.on_event: EventCallback = on_event or ignore_event

    @property
    def name(self) -> str:
        """The configured device name."""
        return self._name

    def _emit(self, event: DeviceEvent) -> None:
        try:
            self.on_event(event)
        except Exception:  # a kiosk bug must not stop the reader thread; it is logged with its traceback
            logger.exception("%s: on_event failed for %s", self._name, type(event).__name__)


def open_serial(config: PortConfig, *, timeout: float | None) -> Any:
    """Open the configured port by URL, exclusively where the platform supports it."""
    return serial.serial_for_url(
        config.url,
        baudrate=config.baudrate,
        bytesize=config.bytesize,
        parity=config.parity,
        stopbits=config.stopbits,
        timeout=timeout,
        exclusive=True,
    )


def fault_reason(err: Exception) -> str | None:
    """Why an open failure needs a person rather than a retry (None when retrying may fix it)."""
    if isinstance(err, ValueError):
        return f"invalid port settings: {err}"
    code = getattr(err, "errno", None)
    if code in (errno.EACCES, errno.EPERM):
        return f"no permission to open the port (is the user in the dialout group?): {err}"
    if code in (errno.EAGAIN, errno.EWOULDBLOCK):
        return f"port is in use by another program: {err}"
    return None


class Backoff:
    """Exponential reconnect delays: `first`, doubling, capped at `limit`; `reset()` after success."""

    def __init__(self, first: float, limit: float) -> None:
        self._first = first
        self._limit = limit
        self._next = first

    def next_delay(self) -> float:
        """The delay to wait now; the following one will be twice as long (up to the limit)."""
        delay = self._next
        self._next = min(self._next * 2, self._limit)
        return delay

    def reset(self) -> None:
        """Start again from the first delay."""
        self._next = self._first


class ThreadedDevice(EventSource):
    """A driver that does its work in one background thread of its own (`_run`), started and stopped here."""

    def __init__(self, config: PortConfig, *, clock: Clock, on_event: EventCallback | None = None) -> None:
        super().__init__(config.name, on_event)
        self._config = config
        self._clock = clock
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lifecycle = threading.Lock()
        self._connected = False

    @property
    def config(self) -> PortConfig:
        """The settings this driver was built with."""
        return self._config

    @property
    def connected(self) -> bool:
        """True while the port is open (Modbus: while the counter answers)."""
        return self._connected

    def start(self) -> None:
        """Start the thread (no-op when already running)."""
        with self._lifecycle:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name=f"device:{self._name}", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the port; returns once the thread has ended."""
        with self._lifecycle:
            self._stopping.set()
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():  # stop() from on_event
            thread.join(timeout)
            if thread.is_alive():
                logger.warning("%s: driver thread did not stop within %.1f s", self._name, timeout)

    def _run(self) -> None:
        raise NotImplementedError

    def _disconnected(self, reason: str) -> None:
        logger.info("%s: disconnected: %s", self._name, reason)
        self._emit(DeviceDisconnected(device=self._name, url=self._config.url, reason=reason))


class SerialStreamDriver(ThreadedDevice):
    """Base of the byte-stream drivers (badge, scanner, ASCII counter): one reader thread each."""

    def __init__(self, config: PortConfig, *, clock: Clock, on_event: EventCallback | None = None) -> None:
        super().__init__(config, clock=clock, on_event=on_event)
        self.read_errors = 0
        """Frames dropped since the driver was built (bad checksum, malformed, too long...)."""

    # -- for subclasses -------------------------------------------------------------------------

    def _new_session(self) -> None:
        """Called on every (re)connect: forget partial frames from the previous connection."""
        raise NotImplementedError

    def _handle(self, data: bytes, now: float) -> None:
        """Parse received bytes (possibly none, so stale partial frames can expire) and emit events."""
        raise NotImplementedError

    def _read_error(self, reason: str, raw: bytes) -> None:
        self.read_errors += 1
        logger.debug("%s: read error: %s %r", self._name, reason, raw)
        self._emit(ReadError(device=self._name, reason=reason, raw=clip_raw(raw)))

    # -- the reader thread ---------------------------------------------------------------------

    def _run(self) -> None:
        backoff = Backoff(self._config.reconnect_min, self._config.reconnect_max)
        down_reported = False
        fault_reported = False
        while not self._stopping.is_set():
            try:
                port = open_serial(self._config, timeout=READ_TIMEOUT)
            except (OSError, ValueError) as err:  # serial.SerialException is an OSError
                if not down_reported:
                    self._disconnected(f"cannot open port: {err}")
                    down_reported = True
                if (reason := fault_reason(err)) and not fault_reported:
                    self._emit(DeviceFault(device=self._name, reason=reason))
                    fault_reported = True
                self._stopping.wait(backoff.next_delay())
                continue
            backoff.reset()
            fault_reported = False
            down_reported = self._serve(port)
            if down_reported:
                self._stopping.wait(backoff.next_delay())

    def _serve(self, port: Any) -> bool:
        """Read from an open port until it fails (True) or the driver stops (False)."""
        self._connected = True
        reason: str | None = None
        try:
            self._new_session()
            self._emit(DeviceConnected(device=self._name, url=self._config.url))
            reason = self._pump(port)
        except Exception as err:  # a parser bug must not end the thread: report it and reconnect
            logger.exception("%s: driver error", self._name)
            self._emit(DeviceFault(device=self._name, reason=f"driver error: {err!r}"))
            reason = f"driver error: {err!r}"
        finally:
            self._connected = False
            with contextlib.suppress(OSError):  # closing a port that vanished may fail too
                port.close()
        if reason is None:
            return False
        self._disconnected(reason)
        return True

    def _pump(self, port: Any) -> str | None:
        while not self._stopping.is_set():
            try:
                waiting = port.in_waiting
                data = port.read(min(max(waiting, 1), READ_CHUNK))
            except OSError as err:
                return f"port failed: {err}"
            self._handle(bytes(data), self._clock())
        return None


class SimulatedDevice(EventSource):
    """Base of the in-process simulations: the kiosk UI tests drive them by calling methods.

    Events are emitted synchronously on the caller's thread, and only while the device is started
    and plugged in, like the real drivers.
    """

    def __init__(self, config: PortConfig, *, clock: Clock, on_event: EventCallback | None = None) -> None:
        super().__init__(config.name, on_event)
        self._config = config
        self._clock = clock
        self._started = False
        self._plugged = True

    @property
    def config(self) -> PortConfig:
        """The settings this simulation was built with."""
        return self._config

    @property
    def connected(self) -> bool:
        """True while started and plugged in."""
        return self._started and self._plugged

    def start(self) -> None:
        """Start; emits DeviceConnected when plugged in."""
        if self._started:
            return
        self._started = True
        if self._plugged:
            self._emit(DeviceConnected(device=self._name, url=self._config.url))
            self._on_connect()

    def stop(self) -> None:
        """Stop; no further events."""
        self._started = False

    def unplug(self, reason: str = "unplugged") -> None:
        """Simulate pulling the cable: DeviceDisconnected, then nothing until `replug()`."""
        if self._plugged and self._started:
            self._emit(DeviceDisconnected(device=self._name, url=self._config.url, reason=reason))
        self._plugged = False

    def replug(self) -> None:
        """Simulate the device coming back: DeviceConnected."""
        if not self._plugged and self._started:
            self._plugged = True
            self._emit(DeviceConnected(device=self._name, url=self._config.url))
            self._on_connect()
        self._plugged = True

    def fault(self, reason: str) -> None:
        """Emit a DeviceFault, as a driver does for wrong settings or a refusing device."""
        if self._started:
            self._emit(DeviceFault(device=self._name, reason=reason))

    def read_error(self, reason: str = "bad checksum", raw: bytes = b"") -> None:
        """Emit a ReadError, as a driver does for a damaged frame."""
        if self.connected:
            self._emit(ReadError(device=self._name, reason=reason, raw=clip_raw(raw)))

    def _on_connect(self) -> None:
        """Hook for subclasses, called after DeviceConnected (e.g. to report what happened meanwhile)."""
