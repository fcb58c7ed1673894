"""Pseudo-terminals that stand in for serial devices, with unplugging and a stable by-id style path.

`PtyPort` is the device's end of a pty: a driver opens `url` (the pty's /dev/pts/N, or a symlink
to it when `link` is given, like /dev/serial/by-id/...); the simulator writes the device's bytes
to the master side. `unplug()` closes the pty, so the driver's next read fails exactly as when a
USB adapter is pulled, and removes the link; `replug()` makes a new pty and points the link at it.

`PtyNullModem` joins two ptys back to back (like ``socat pty pty``) so a program that opens a
serial *path* itself, such as pymodbus's serial server, can talk to a driver.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import struct
import termios
import threading
import time
import tty
from pathlib import Path
from types import TracebackType
from typing import Self


def _write_all(fd: int, data: bytes, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except BlockingIOError:
            written = 0
        view = view[written:]
        if view:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"pty did not accept {len(view)} more bytes (nobody reading?)")
            select.select([], [fd], [], min(remaining, 0.05))


class PtyPort:
    """One simulated serial port (the device side of a pty), optionally behind a stable symlink."""

    def __init__(self, *, link: str | os.PathLike[str] | None = None) -> None:
        self._link = Path(link) if link is not None else None
        self._master = -1
        self._slave = -1
        self._device_path = ""
        self._lock = threading.Lock()
        self._plug()

    @property
    def url(self) -> str:
        """What a driver should open: the symlink when there is one, otherwise the pty's path."""
        return str(self._link) if self._link is not None else self._device_path

    @property
    def device_path(self) -> str:
        """The current /dev/pts/N (changes on every replug)."""
        return self._device_path

    @property
    def plugged(self) -> bool:
        """True while the pty exists."""
        return self._master >= 0

    @property
    def master_fd(self) -> int:
        """The simulator's end (-1 while unplugged)."""
        return self._master

    def write(self, data: bytes, *, timeout: float = 5.0) -> None:
        """Send bytes to whoever has the port open; silently dropped while unplugged."""
        with self._lock:
            if self._master < 0:
                return
            _write_all(self._master, data, timeout)

    def read_available(self) -> bytes:
        """Bytes the driver wrote to the device, without waiting (b"" when none or unplugged)."""
        with self._lock:
            if self._master < 0:
                return b""
            try:
                return os.read(self._master, 4096)
            except (BlockingIOError, OSError):
                return b""

    def drain(self, timeout: float = 1.0) -> bool:
        """Wait until the driver has read everything sent (True), or `timeout` passes (False).

        Bytes written to a pty reach the reading side asynchronously, so the input queue must stay
        empty for a few checks in a row before it counts as drained.
        """
        deadline = time.monotonic() + timeout
        empty_checks = 0
        while empty_checks < 3:
            time.sleep(0.02)
            with self._lock:
                if self._slave < 0:
                    return True
                waiting = struct.unpack("i", fcntl.ioctl(self._slave, termios.FIONREAD, b"\0\0\0\0"))[0]
            empty_checks = empty_checks + 1 if waiting == 0 else 0
            if time.monotonic() >= deadline:
                return False
        return True

    def unplug(self) -> None:
        """Close the pty (the driver sees an I/O error) and remove the link, like pulling a USB cable."""
        with self._lock:
            for fd in (self._master, self._slave):
                if fd >= 0:
                    os.close(fd)
            self._master = self._slave = -1
            if self._link is not None:
                self._link.unlink(missing_ok=True)

    def replug(self) -> None:
        """Create a fresh pty and point the link at it, like plugging the device back in."""
        if not self.plugged:
            self._plug()

    def close(self) -> None:
        """Unplug for good."""
        self.unplug()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _plug(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no CR/LF translation before a driver configures the port
        os.set_blocking(master, False)
        with self._lock:
            self._master, self._slave = master, slave
            self._device_path = os.ttyname(slave)
            if self._link is not None:
                temporary = self._link.with_name(self._link.name + ".new")
                temporary.unlink(missing_ok=True)
                temporary.symlink_to(self._device_path)
                temporary.replace(self._link)


class PtyNullModem:
    """Two ptys joined by a relay thread: open `a.url` on one side and `b.url` on the other.

    `b` can be unplugged and replugged (the A side keeps running), which is how the Modbus simulator
    lets a driver lose and regain its port while pymodbus's server stays up.
    """

    def __init__(self, *, link_b: str | os.PathLike[str] | None = None) -> None:
        self.a = PtyPort()
        self.b = PtyPort(link=link_b)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._relay, name="pty-null-modem", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop relaying and close both ptys."""
        self._stopping.set()
        self._thread.join(5)
        self.a.close()
        self.b.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _relay(self) -> None:
        while not self._stopping.is_set():
            ends = [(port, port.master_fd) for port in (self.a, self.b) if port.plugged]
            try:
                ready, _, _ = select.select([fd for _, fd in ends], [], [], 0.02)
            except (OSError, ValueError):  # a side was unplugged while we waited
                continue
            for port, fd in ends:
                if fd not in ready:
                    continue
                data = port.read_available()
                other = self.b if port is self.a else self.a
                if data:
                    with contextlib.suppress(OSError, TimeoutError):
                        other.write(data, timeout=1.0)
            if not ends:
                self._stopping.wait(0.02)
