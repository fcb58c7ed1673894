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
        return i18n.render(self.key, lang, self.values)

    def __str__(self) -> str:
        return self.text("en")

    def said(self) -> i18n.Text:
        """The message as a keyed text, to be shown later in the reader's language (a report line)."""
        return i18n.Text(self.key, **self.values)


class DatabaseUrlError(HubError):
    """A database URL the hub cannot use (unknown scheme, missing database name)."""


# The URL is read by `hub.store.db.connect`, the one place that raises these; they are registered here,
# beside their class, because the store has no other refusal an officer could meet.
TEXTS: dict[str, dict[str, str]] = {
    "store.url.no_database": {
        "zh": "数据库地址 {url!r} 没有指明数据库",
        "en": "database URL {url!r} names no database",
    },
    "store.url.bad_schema": {
        "zh": "模式名 {schema!r} 只能包含字母、数字和 _",
        "en": "schema {schema!r}: letters, digits and _ only",
    },
    "store.url.bad_scheme": {
        "zh": "数据库地址 {url!r} 无法识别：应为文件路径、sqlite:/// 或 postgresql://",
        "en": "database URL {url!r}: expected a file path, sqlite:/// or postgresql://",
    },
    "store.url.no_file": {
        "zh": "SQLite 数据库地址没有指明文件",
        "en": "the SQLite database URL names no file",
    },
}
i18n.register(TEXTS)


class HeadMoved(HubError):
    """Another ingest worker moved a kiosk's head while this one was storing: re-ack, let the kiosk resend."""
