"""Canonical JSON: the one byte form of a value, so every encoder agrees and hashes are stable.

The form is RFC 8785 (JCS) restricted to what records need: objects with ASCII keys sorted, no
white space, UTF-8, strings, integers, booleans and null. No floats at all: a binary float has no
single decimal spelling, so quantities travel as integers or as decimal strings.
"""

from __future__ import annotations

import json
from typing import Any

MAX_INT = 2**63 - 1
MIN_INT = -(2**63)
MAX_DEPTH = 8

JsonValue = None | bool | int | str | list[Any] | dict[str, Any]


class CanonicalError(ValueError):
    """The bytes or value are not canonical JSON of the restricted kind."""


def encode(value: JsonValue) -> bytes:
    """The canonical bytes of `value`; raises CanonicalError for floats, huge ints or bad strings."""
    _check_value(value, 0, "$")
    return _dump(value)


def _dump(value: Any) -> bytes:
    try:
        return _ENCODER.encode(value).encode("utf-8")
    except UnicodeEncodeError as err:  # a lone surrogate has no UTF-8 form
        raise CanonicalError(f"string is not valid Unicode: {err.reason}") from err


def decode(data: bytes) -> Any:
    """Parse `data` and insist it is already in canonical form (one spelling per value).

    Re-encoding the parsed value and comparing bytes catches every second spelling at once: other
    key order, white space, escapes, duplicate keys (the re-encoding has one fewer). Integer ranges
    and key sets are the job of the message schemas that read the value next. This runs once per
    received record, so it avoids Python-level hooks on the hot path.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CanonicalError(f"not UTF-8 at byte {err.start}") from err
    try:
        value = _DECODER.decode(text)
    except CanonicalError:
        raise
    except (ValueError, RecursionError) as err:
        raise CanonicalError(f"not JSON: {err}") from err
    if _dump(value) != data:
        raise CanonicalError("not in canonical form (key order, spacing, escapes or duplicate keys)")
    return value


def _reject_float(text: str) -> Any:
    raise CanonicalError(f"floats are not allowed: {text[:20]}")


def _reject_constant(text: str) -> Any:
    raise CanonicalError(f"{text} is not allowed")


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_DECODER = json.JSONDecoder(parse_float=_reject_float, parse_constant=_reject_constant)


def _check_value(value: Any, depth: int, path: str) -> None:
    if depth > MAX_DEPTH:
        raise CanonicalError(f"{path}: nested too deeply")
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if not MIN_INT <= value <= MAX_INT:
            raise CanonicalError(f"{path}: integer out of 64-bit range")
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_value(item, depth + 1, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str) or not key.isascii():
                raise CanonicalError(f"{path}: keys must be ASCII strings")
            _check_value(item, depth + 1, f"{path}.{key}")
        return
    raise CanonicalError(f"{path}: {type(value).__name__} is not allowed")
