"""Several record frames in one MQTT message, so a backlog drains without one round trip per record.

A batch is a sequence of (4-byte big-endian length, frame). One record alone is a batch of one.
"""

from __future__ import annotations

from collections.abc import Iterable

from protocol.errors import Malformed, TooLarge
from protocol.records import MAX_RECORD_BYTES

MAX_BATCH_BYTES = 1024 * 1024
MAX_BATCH_RECORDS = 500
_LEN = 4


def pack(frames: Iterable[bytes]) -> bytes:
    out = bytearray()
    count = 0
    for frame in frames:
        out += len(frame).to_bytes(_LEN, "big") + frame
        count += 1
    if count > MAX_BATCH_RECORDS or len(out) > MAX_BATCH_BYTES:
        raise TooLarge(f"batch of {count} records and {len(out)} bytes is over the limit")
    return bytes(out)


def unpack(payload: bytes) -> list[bytes]:
    """The frames of a batch. A frame that is itself too large is returned as is, for the receiver
    to reject with its own reason; a batch whose framing does not add up is malformed as a whole."""
    if len(payload) > MAX_BATCH_BYTES:
        raise TooLarge(f"batch of {len(payload)} bytes is over {MAX_BATCH_BYTES}")
    frames: list[bytes] = []
    pos = 0
    while pos < len(payload):
        if pos + _LEN > len(payload):
            raise Malformed(f"batch: truncated length at byte {pos}")
        size = int.from_bytes(payload[pos : pos + _LEN], "big")
        pos += _LEN
        if size == 0 or pos + size > len(payload):
            raise Malformed(f"batch: frame of {size} bytes at byte {pos} does not fit")
        frames.append(payload[pos : pos + size])
        pos += size
        if len(frames) > MAX_BATCH_RECORDS:
            raise TooLarge(f"batch holds more than {MAX_BATCH_RECORDS} records")
    if not frames:
        raise Malformed("batch: empty")
    return frames


def fits(frame_sizes: Iterable[int]) -> bool:
    sizes = list(frame_sizes)
    return len(sizes) <= MAX_BATCH_RECORDS and sum(s + _LEN for s in sizes) <= MAX_BATCH_BYTES


__all__ = ["MAX_BATCH_BYTES", "MAX_BATCH_RECORDS", "MAX_RECORD_BYTES", "fits", "pack", "unpack"]
