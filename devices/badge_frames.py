"""Badge reader frames: parsing (pure, fed bytes and the time) and encoding (for simulators).

Two framings are supported, chosen by configuration (never guessed, so line noise cannot turn into a
phantom badge):

- ``em4100``: STX (0x02), 10 hex digits (5 data bytes: 1 version/customer byte + 32-bit card
  number), 2 hex digits of checksum (XOR of the 5 data bytes), CR LF (optional), ETX (0x03).
  Bytes outside STX..ETX are line noise and are skipped.
- ``ascii``: the card number as text followed by CR and/or LF; control characters and 8-bit noise
  at either end of a line are stripped, and a line must have exactly `ascii_length` characters.

The number is then written as configured so it matches what is printed on the card:

- ``decimal``: the low 32 bits as 10 decimal digits (``0010600899``), the usual EM4100 print;
- ``hex``: upper-case hex, at least 10 digits (``0F00A1B2C3``);
- ``wiegand26``: facility (bits 16-23) and card number (bits 0-15) as ``161,45763``;
- ``raw``: the digits exactly as the reader sent them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devices.config import AsciiInput, BadgeProtocol, NumberFormat
from devices.events import clip_raw
from devices.framing import EDGE_NOISE, FrameProblem, LineFramer, has_visible

STX = 0x02
ETX = 0x03
_EM4100_BODY = re.compile(rb"([0-9A-Fa-f]{10})([0-9A-Fa-f]{2})(?:\r\n|\r|\n)?")
_EM4100_MAX = 16  # 12 digits + CR LF, with slack; anything longer is not a frame
_FRAME_MARK = re.compile(rb"[\x02\x03]")
_ASCII_CHARS = {"decimal": re.compile(rb"[0-9]+"), "hex": re.compile(rb"[0-9A-Fa-f]+")}
_ASCII_MAX_LINE = 64


@dataclass(frozen=True, slots=True)
class CardRead:
    """A card number that passed every check, formatted as configured."""

    badge_id: str
    raw: bytes


def em4100_checksum(data: bytes) -> int:
    """XOR of the data bytes, as EM4100-style readers send it."""
    checksum = 0
    for byte in data:
        checksum ^= byte
    return checksum


def encode_em4100(card: int, *, terminator: bytes = b"\r\n") -> bytes:
    """The frame an EM4100-style reader sends for a 40-bit card value (version byte + 32-bit number)."""
    if not 0 <= card < 1 << 40:
        raise ValueError("an EM4100 card value has 40 bits")
    data = card.to_bytes(5, "big")
    return (
        b"\x02" + data.hex().upper().encode() + f"{em4100_checksum(data):02X}".encode() + terminator + b"\x03"
    )


def encode_ascii_card(text: str, *, terminator: bytes = b"\r\n") -> bytes:
    """The frame a plain ASCII reader sends: the card number then CR LF."""
    return text.encode("ascii") + terminator


def format_card_number(value: int, number_format: NumberFormat, *, text: str) -> str:
    """Write a card value as configured; `text` is the number as the reader sent it (for ``raw``).

    Raises ValueError when the value cannot be written that way without losing digits.
    """
    if number_format == "raw":
        return text
    if number_format == "hex":
        return f"{value:010X}"
    if value >= 1 << 40:
        raise ValueError(f"card number too long for {number_format} format (use hex or raw)")
    if number_format == "decimal":
        return f"{value & 0xFFFFFFFF:010d}"
    return f"{(value >> 16) & 0xFF:03d},{value & 0xFFFF:05d}"


def decode_em4100(payload: bytes) -> int | str:
    """The 40-bit card value of the bytes between STX and ETX, or the reason they are not a frame."""
    match = _EM4100_BODY.fullmatch(payload)
    if match is None:
        return "malformed EM4100 frame (expected 10 data and 2 checksum hex digits)"
    data = bytes.fromhex(match.group(1).decode())
    expected = em4100_checksum(data)
    received = int(match.group(2), 16)
    if expected != received:
        return f"bad checksum (computed {expected:02X}, frame says {received:02X})"
    return int.from_bytes(data, "big")


class BadgeFrameParser:
    """Turns the byte stream of one badge reader into card reads and frame problems.

    Feed it whatever the port returned, in any chunking, with the current (monotonic) time. It keeps
    at most one partial frame; repeats are not filtered here (see `RepeatFilter`).
    """

    def __init__(
        self,
        *,
        protocol: BadgeProtocol = "em4100",
        number_format: NumberFormat = "decimal",
        ascii_input: AsciiInput = "decimal",
        ascii_length: int | None = 10,
        frame_timeout: float | None = 0.5,
    ) -> None:
        self._protocol = protocol
        self._format = number_format
        self._ascii_input = ascii_input
        self._ascii_length = ascii_length
        self._timeout = frame_timeout
        self._lines = LineFramer(terminators=b"\r\n", max_length=_ASCII_MAX_LINE, frame_timeout=frame_timeout)
        self._frame: bytearray | None = None  # inside STX..ETX when not None
        self._frame_started_at = 0.0

    def feed(self, data: bytes, now: float) -> list[CardRead | FrameProblem]:
        """Add received bytes (possibly none) and return what they completed, in order."""
        if self._protocol == "ascii":
            out: list[CardRead | FrameProblem] = []
            for line in self._lines.feed(data, now):
                if isinstance(line, FrameProblem):
                    out.append(line)
                elif (result := self._ascii_line(line)) is not None:
                    out.append(result)
            return out
        return self._feed_em4100(data, now)

    def _feed_em4100(self, data: bytes, now: float) -> list[CardRead | FrameProblem]:
        out: list[CardRead | FrameProblem] = []
        if (
            self._frame is not None
            and self._timeout is not None
            and now - self._frame_started_at > self._timeout
        ):
            self._abandon("incomplete EM4100 frame (no ETX in time)", out)
        pos = 0
        while pos < len(data):
            match = _FRAME_MARK.search(data, pos)
            end = match.start() if match else len(data)
            if self._frame is not None:
                self._frame += data[pos:end]
                if len(self._frame) > _EM4100_MAX:
                    self._abandon("EM4100 frame too long", out)
            if match is None:
                break
            if data[end] == STX:
                self._abandon("EM4100 frame cut short by the next frame", out)
                self._frame = bytearray()
                self._frame_started_at = now
            elif self._frame is not None:  # ETX closes the frame; an ETX outside a frame is noise
                payload = bytes(self._frame)
                self._frame = None
                out.append(self._em4100_frame(payload))
            pos = end + 1
        return out

    def _abandon(self, reason: str, out: list[CardRead | FrameProblem]) -> None:
        if self._frame is not None and has_visible(self._frame):
            out.append(FrameProblem(reason, clip_raw(b"\x02" + bytes(self._frame))))
        self._frame = None

    def _em4100_frame(self, payload: bytes) -> CardRead | FrameProblem:
        raw = b"\x02" + payload + b"\x03"
        value = decode_em4100(payload)
        if isinstance(value, str):
            return FrameProblem(value, clip_raw(raw))
        try:
            badge_id = format_card_number(value, self._format, text=payload[:10].decode().upper())
        except ValueError as err:
            return FrameProblem(str(err), clip_raw(raw))
        return CardRead(badge_id, raw)

    def _ascii_line(self, line: bytes) -> CardRead | FrameProblem | None:
        text = line.strip(EDGE_NOISE)
        if not text:
            return None
        if not _ASCII_CHARS[self._ascii_input].fullmatch(text):
            return FrameProblem(f"not a {self._ascii_input} card number", clip_raw(line))
        length = self._ascii_length
        if length is not None and len(text) != length:
            return FrameProblem(f"expected {length} characters, got {len(text)}", clip_raw(line))
        if length is None and len(text) > 20:
            return FrameProblem(f"card number too long ({len(text)} characters)", clip_raw(line))
        value = int(text, 10 if self._ascii_input == "decimal" else 16)
        if self._ascii_input == "decimal" and value > 0xFFFFFFFF and self._format != "raw":
            return FrameProblem("decimal card number larger than 32 bits", clip_raw(line))
        try:
            badge_id = format_card_number(value, self._format, text=text.decode())
        except ValueError as err:
            return FrameProblem(str(err), clip_raw(line))
        return CardRead(badge_id, line)
