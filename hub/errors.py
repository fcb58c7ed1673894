"""The hub's one error tree: every exception the hub raises on purpose derives from `HubError`.

An error carries a translation key and its values, never a finished sentence: the dashboard shows
`err.text(lang)` in the officer's language, the command line and the logs print `str(err)` (English).
Each subsystem registers the texts of its keys in the one translation table
(`floorledger.base.i18n`) beside its code, and a test checks that every key raised is registered in
Chinese and English.
"""

from __future__ import annotations

from floorledger.base import i18n


class HubError(Exception):
    """Anything the hub refuses or cannot do: `key` names the text, `values` fill it in."""

    def __init__(self, key: str, /, **values: object) -> None:
        super().__init__(key, values)
        self.key = key
        self.values = values

    def text(self, lang: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The message in `lang`; the key itself where no text is registered (a test forbids that)."""
        return i18n.t(self.key, lang, **self.values)

    def __str__(self) -> str:
        return self.text("en")


class DatabaseUrlError(HubError):
    """A database URL the hub cannot use (unknown scheme, missing database name)."""


class HeadMoved(HubError):
    """Another ingest worker moved a kiosk's head while this one was storing: re-ack, let the kiosk resend."""
