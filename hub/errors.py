"""The hub's exceptions: one small hierarchy; the CLI and dashboard turn them into one-line messages."""

from __future__ import annotations


class HubError(Exception):
    """Anything the hub refuses or cannot do."""


class DatabaseUrlError(HubError):
    """A database URL the hub cannot use (unknown scheme, missing database name)."""


class HeadMoved(HubError):
    """Another ingest worker moved a kiosk's head while this one was storing: re-ack, let the kiosk resend."""
