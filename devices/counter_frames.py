"""ASCII serial counter frames: ``C:`` then the running total in decimal, then CR LF (pure).

Example: ``C:001234\\r\\n``. The counter sends its total whenever it changes and/or periodically;
only the total matters, so a lost or repeated frame never loses or double-counts a unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devices.events import clip_raw
from devices.framing import EDGE_NOISE, FrameProblem, LineFramer

_FRAME = re.compile(rb"C:([0-9]{1,10})")


@dataclass(frozen=True, slots=True)
class TotalReading:
    """One total reported by the counter."""

    total: int
    raw: bytes


def encode_counter_total(total: int) -> bytes:
    """The frame an ASCII counter sends for its running total."""
    if total < 0:
        raise ValueError("a counter total is never negative")
    return f"C:{total:06d}\r\n".encode("ascii")


class CounterFrameParser:
    """Turns the byte stream of one ASCII counter into totals and frame problems."""

    def __init__(self, *, modulus: int = 2**32, frame_timeout: float | None = 0.5) -> None:
        self._modulus = modulus
        self._lines = LineFramer(terminators=b"\r\n", max_length=32, frame_timeout=frame_timeout)

    def feed(self, data: bytes, now: float) -> list[TotalReading | FrameProblem]:
        """Add received bytes (possibly none) and return the totals they completed, in order."""
        out: list[TotalReading | FrameProblem] = []
        for line in self._lines.feed(data, now):
            if isinstance(line, FrameProblem):
                out.append(line)
                continue
            text = line.strip(EDGE_NOISE)
            if not text:
                continue
            match = _FRAME.fullmatch(text)
            if match is None:
                out.append(FrameProblem("not a counter frame (expected C:<digits>)", clip_raw(line)))
                continue
            total = int(match.group(1))
            if total >= self._modulus:
                out.append(
                    FrameProblem(
                        f"total {total} is beyond the counter's range ({self._modulus})", clip_raw(line)
                    )
                )
                continue
            out.append(TotalReading(total, line))
        return out
