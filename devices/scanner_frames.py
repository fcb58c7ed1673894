"""QR / barcode scanner frames in serial mode: pure parsing and encoding.

A scanner sends the decoded text followed by a terminator (CR by default on most models). The
parser splits at any configured terminator character, drops codes longer than `max_length`, strips
control characters and bytes that are not UTF-8 from both ends (line noise between scans), refuses a
code with invalid UTF-8 inside it (never turned into replacement characters), removes control
characters anywhere in the code, strips surrounding spaces and the configured prefix/suffix.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from devices.events import clip_raw
from devices.framing import FrameProblem, LineFramer

_EDGE_NOISE = "".join(chr(c) for c in range(0x20)) + "\x7f" + "".join(chr(0xDC80 + b) for b in range(128))
"""Stripped from both ends before decoding is judged: controls and bytes that are not UTF-8 (line noise)."""


@dataclass(frozen=True, slots=True)
class CodeRead:
    """The text of one scanned code, cleaned as configured."""

    code: str
    raw: bytes


def encode_code(code: str, *, terminator: str = "\r") -> bytes:
    """The bytes a serial scanner sends for `code`."""
    return code.encode("utf-8") + terminator.encode("ascii")


def clean_code(text: str, *, strip_prefix: str = "", strip_suffix: str = "") -> str:
    """Remove control characters, surrounding spaces and the configured prefix/suffix."""
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()
    if strip_prefix and text.startswith(strip_prefix):
        text = text[len(strip_prefix) :]
    if strip_suffix and text.endswith(strip_suffix):
        text = text[: -len(strip_suffix)]
    return text.strip()


class CodeFrameParser:
    """Turns the byte stream of one serial scanner into codes and frame problems."""

    def __init__(
        self,
        *,
        terminator: str = "\r\n",
        strip_prefix: str = "",
        strip_suffix: str = "",
        max_length: int = 512,
        frame_timeout: float | None = 1.0,
    ) -> None:
        self._lines = LineFramer(
            terminators=terminator.encode("ascii"), max_length=max_length, frame_timeout=frame_timeout
        )
        self._prefix = strip_prefix
        self._suffix = strip_suffix

    def feed(self, data: bytes, now: float) -> list[CodeRead | FrameProblem]:
        """Add received bytes (possibly none) and return the codes they completed, in order."""
        out: list[CodeRead | FrameProblem] = []
        for line in self._lines.feed(data, now):
            if isinstance(line, FrameProblem):
                out.append(line)
                continue
            text = line.decode("utf-8", "surrogateescape").strip(_EDGE_NOISE)
            if any("\udc80" <= ch <= "\udcff" for ch in text):
                out.append(
                    FrameProblem(
                        "code is not valid UTF-8 (line noise or wrong scanner setting)", clip_raw(line)
                    )
                )
                continue
            code = clean_code(text, strip_prefix=self._prefix, strip_suffix=self._suffix)
            if code:
                out.append(CodeRead(code, line))
        return out
