"""Pure building blocks shared by the frame parsers: a bounded line splitter and a repeat filter.

Nothing here touches a port or a clock: bytes and the current time come in as arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devices.events import clip_raw

_VISIBLE = re.compile(rb"[\x21-\x7e]")
EDGE_NOISE = bytes(range(0x21)) + bytes(range(0x7F, 0x100))
"""Bytes stripped from both ends of an ASCII frame: controls, space, DEL and 8-bit line noise."""


@dataclass(frozen=True, slots=True)
class FrameProblem:
    """Bytes that were received as a frame but could not be accepted, and why."""

    reason: str
    raw: bytes


def has_visible(data: bytes | bytearray) -> bool:
    """True when the bytes contain printable ASCII, i.e. look like a (damaged) frame, not bare noise."""
    return _VISIBLE.search(data) is not None


class LineFramer:
    """Splits a byte stream into lines at any of the terminator bytes, with bounded memory.

    - empty lines (CR LF, runs of terminators) are skipped;
    - a line longer than `max_length` is reported once and discarded up to the next terminator;
    - an unfinished line that saw no new byte for `frame_timeout` seconds is dropped before new data
      is added to it, so a frame cut off by unplugging or noise never merges with the next one.
      It is reported when it looks like a frame (printable bytes), silently dropped when bare noise.
    """

    def __init__(self, *, terminators: bytes, max_length: int, frame_timeout: float | None) -> None:
        if not terminators:
            raise ValueError("at least one terminator byte is needed")
        self._split = re.compile(b"[" + re.escape(terminators) + b"]")
        self._max_length = max_length
        self._timeout = frame_timeout
        self._buffer = bytearray()
        self._discarding = False
        self._last_byte_at: float | None = None

    @property
    def pending(self) -> bytes:
        """The unfinished line collected so far."""
        return bytes(self._buffer)

    def feed(self, data: bytes, now: float) -> list[bytes | FrameProblem]:
        """Add received bytes (may be empty, to let a stale line expire) and return complete lines."""
        out: list[bytes | FrameProblem] = []
        self._expire(now, out)
        if data:
            self._last_byte_at = now
        pos = 0
        while pos < len(data):
            match = self._split.search(data, pos)
            end = match.start() if match else len(data)
            if not self._discarding:
                if len(self._buffer) + (end - pos) > self._max_length:
                    out.append(
                        FrameProblem(
                            f"line longer than {self._max_length} bytes",
                            clip_raw(bytes(self._buffer) + data[pos:end]),
                        )
                    )
                    self._buffer.clear()
                    self._discarding = True
                else:
                    self._buffer += data[pos:end]
            if match is None:
                break
            if not self._discarding and self._buffer:
                out.append(bytes(self._buffer))
            self._buffer.clear()
            self._discarding = False
            pos = match.end()
        return out

    def _expire(self, now: float, out: list[bytes | FrameProblem]) -> None:
        if self._timeout is None or self._last_byte_at is None:
            return
        if now - self._last_byte_at <= self._timeout:
            return
        if self._buffer and has_visible(self._buffer):
            out.append(
                FrameProblem(
                    f"incomplete frame (no terminator within {self._timeout:g} s)",
                    clip_raw(bytes(self._buffer)),
                )
            )
        self._buffer.clear()
        self._discarding = False
        self._last_byte_at = None


class RepeatFilter:
    """Collapses repeated reads of the same id into one presentation.

    A key seen again less than `window` seconds after it was *last seen* is a repeat (a sliding
    window: a badge held on the reader, re-read every 250 ms, is one presentation however long it
    stays). Different keys never suppress each other. `window = 0` passes everything.
    """

    def __init__(self, window: float) -> None:
        self._window = window
        self._last_seen: dict[str, float] = {}

    def accept(self, key: str, now: float) -> bool:
        """Record a sighting of `key` at `now`; True when it starts a new presentation."""
        last = self._last_seen.get(key)
        self._last_seen[key] = now
        if len(self._last_seen) > 32:
            self._last_seen = {k: t for k, t in self._last_seen.items() if now - t < self._window or k == key}
        return last is None or now - last >= self._window
