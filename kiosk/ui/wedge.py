"""Keyboard-wedge scanners type a code and press Enter: collect the keys into codes (pure)."""

from __future__ import annotations

MAX_GAP_S = 1.0  # a scanner types a code in milliseconds; keys further apart start a new code
MAX_CODE = 512


class WedgeBuffer:
    """Feed it key names as the browser reports them (`"a"`, `"1"`, `"Enter"`, `"Shift"`)."""

    def __init__(self) -> None:
        self._chars: list[str] = []
        self._last = 0.0

    def feed(self, key: str, now: float) -> str | None:
        """The finished code when `key` is Enter, else None."""
        if self._chars and now - self._last > MAX_GAP_S:
            self._chars.clear()
        self._last = now
        if key == "Enter":
            code = "".join(self._chars).strip()
            self._chars.clear()
            return code or None
        if len(key) == 1 and len(self._chars) < MAX_CODE:
            self._chars.append(key)
        return None
