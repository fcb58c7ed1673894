"""The kiosk's exceptions: one small hierarchy, converted to a short message at the screen or CLI."""

from __future__ import annotations

from floorledger.base.errors import CliError


class KioskError(Exception):
    """Anything the kiosk itself refuses or cannot do."""


class StorageFull(KioskError):
    """The disk (or the database's size limit) is full: the event was not stored, nothing half-written.

    The screen says 存储空间不足 and refuses new events; the next append succeeds once space returns.
    """


class StoreError(KioskError):
    """The local database cannot be opened or used (not a space problem)."""


class ConfigError(KioskError, CliError):
    """A config file that does not hold; `field` names the offending key (one-line CLI message)."""

    def __init__(self, field: str, problem: str) -> None:
        CliError.__init__(self, f"config field {field!r}: {problem}" if field else problem)
        self.field = field
