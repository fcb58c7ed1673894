"""Field checks shared by every message type: identifiers, days, bounded integers and text.

Each check takes the raw decoded value and the path used in error messages, and returns the typed
value or raises Malformed naming the field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from protocol.errors import Malformed

ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HEX64_RE = re.compile(r"[0-9a-f]{64}")
DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_TEXT = 500
MAX_U64 = 2**63 - 1  # signed 64-bit range so every common JSON library can carry it
MAX_TIME_MS = 2**53 - 1  # wall_ms, mono_ms, hub_ms: exact as a double in every JSON reader
# C0 controls except tab and newline, DEL, and the C1 controls (U+0085 NEL, U+009B CSI, ...): they
# rewrite or hide what a terminal, a log or a page shows around them
REFUSED_CHARS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def ident(value: Any, path: str) -> str:
    if not isinstance(value, str) or not ID_RE.fullmatch(value):
        raise Malformed(f"{path}: expected an identifier (letters, digits, . _ -; at most 64)")
    return value


def opt_ident(value: Any, path: str) -> str | None:
    return None if value is None else ident(value, path)


def hex64(value: Any, path: str) -> str:
    if not isinstance(value, str) or not HEX64_RE.fullmatch(value):
        raise Malformed(f"{path}: expected 64 lowercase hex digits")
    return value


def day(value: Any, path: str) -> str:
    if not isinstance(value, str) or not DAY_RE.fullmatch(value):
        raise Malformed(f"{path}: expected a date YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError as err:
        raise Malformed(f"{path}: {value!r} is not a calendar date") from err
    return value


def integer(value: Any, path: str, *, lo: int = 0, hi: int = MAX_U64) -> int:
    # bool is an int subclass in Python; true/false are never numbers on the wire
    if not isinstance(value, int) or isinstance(value, bool):
        raise Malformed(f"{path}: expected an integer")
    if not lo <= value <= hi:
        raise Malformed(f"{path}: {value} is outside {lo}..{hi}")
    return value


def text(value: Any, path: str, *, max_len: int = MAX_TEXT, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise Malformed(f"{path}: expected text")
    if len(value) > max_len:
        raise Malformed(f"{path}: longer than {max_len} characters")
    if not allow_empty and not value.strip():
        raise Malformed(f"{path}: must not be empty")
    bad = REFUSED_CHARS_RE.search(value)
    if bad is not None:
        raise Malformed(f"{path}: control character U+{ord(bad.group()):04X} is not allowed")
    return value


def clean_text(value: str, *, max_len: int = MAX_TEXT) -> str:
    """`value` made acceptable to `text`: each refused control character becomes U+FFFD and the
    result is cut to `max_len`. For text a kiosk builds from what it does not control (a device's
    or the operating system's error message), so that the record can always be signed."""
    return REFUSED_CHARS_RE.sub("\ufffd", value)[:max_len]


def choice(value: Any, path: str, options: tuple[str, ...]) -> str:
    if value not in options:
        raise Malformed(f"{path}: expected one of {', '.join(options)}")
    return str(value)


_KEY_SETS: dict[tuple[str, ...], frozenset[str]] = {}


def obj(value: Any, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """An object with exactly `keys`: a missing or an extra field is malformed."""
    if not isinstance(value, dict):
        raise Malformed(f"{path}: expected an object")
    expected = _KEY_SETS.get(keys)
    if expected is None:
        expected = _KEY_SETS.setdefault(keys, frozenset(keys))
    if value.keys() == expected:  # the common case, checked once per received record: no list building
        return value
    missing = [k for k in keys if k not in value]
    if missing:
        raise Malformed(f"{path}: missing field {missing[0]!r}")
    extra = sorted(set(value) - set(keys))
    if extra:
        raise Malformed(f"{path}: unexpected field {extra[0]!r}")
    return value
