"""The one translation table for every screen: Simplified Chinese by default, English available.

Each app keeps its texts beside its code as a dict of key -> {"zh": ..., "en": ...} and registers
it here once at import; screens call `t(key, lang, **values)`. A missing English text falls back to
Chinese, a missing key shows the key itself (and is caught by the tests that check every key).

Pure modules that report (e.g. `floorledger verify`) return `Text`s: a key and its values, rendered
later in the reader's language, with `Label`s for codes shown inside a sentence (an act, a column)
and `Joined` for a list of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"

_TABLE: dict[str, dict[str, str]] = {}


def register(texts: Mapping[str, Mapping[str, str]]) -> None:
    """Add an app's texts; a key registered twice with different words is a programming error."""
    for key, words in texts.items():
        if "zh" not in words:
            raise ValueError(f"text {key!r} has no Chinese")
        known = _TABLE.get(key)
        if known is not None and known != dict(words):
            raise ValueError(f"text {key!r} is registered twice with different words")
        _TABLE[key] = dict(words)


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    words = _TABLE.get(key)
    if words is None:
        return key
    text = words.get(lang) or words["zh"]
    return text.format(**values) if values else text


def keys() -> frozenset[str]:
    return frozenset(_TABLE)


def missing_english() -> list[str]:
    return sorted(k for k, w in _TABLE.items() if not w.get("en"))


class Text(str):
    """A message kept as data: its key and values. As a `str` it is the English text (what the command
    line has always printed and tests compare); `text(lang)` renders it in another language. A value
    that is itself a `Text` (a label, a nested reason) is rendered in the same language, so a pure
    module can build a whole sentence without choosing a language."""

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, /, **values: Any) -> Self:
        made = super().__new__(cls, render(key, "en", values))
        made.key, made.values = key, values
        return made

    def text(self, lang: str) -> str:
        return render(self.key, lang, self.values)

    def __reduce__(self) -> tuple[Any, ...]:  # crosses to worker processes (the record check's pool)
        return (_rebuild, (self.key, self.values))


def _rebuild(key: str, values: dict[str, Any]) -> Text:
    return Text(key, **values)


def render(key: str, lang: str, values: Mapping[str, Any]) -> str:
    """`t(key, lang, **values)`, with every value that is a `Text` in `lang` too."""
    return t(key, lang, **{name: in_language(value, lang) for name, value in values.items()})


def in_language(item: object, lang: str) -> object:
    """`item` in `lang` when it is a `Text`, else as it is (a code, a number, a stored value)."""
    return item.text(lang) if isinstance(item, Text) else item


class Joined(Text):
    """Several values (texts or codes) shown as one, each in the reader's language."""

    items: tuple[object, ...]
    separator: str

    def __new__(cls, items: Sequence[object], separator: str = ", ") -> Joined:
        made = str.__new__(cls, separator.join(str(item) for item in items))
        made.key, made.values = "", {}
        made.items, made.separator = tuple(items), separator
        return made

    def text(self, lang: str) -> str:
        return self.separator.join(str(in_language(item, lang)) for item in self.items)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Joined, (self.items, self.separator))


class Label(Text):
    """A code's name in the reader's language (text `<kind>.<code>`: a record type, an act, a table or a
    column); in English, and where no label is registered, the code itself. Looked up when shown, so
    the module that names a code need not import the module that registers its labels."""

    code: str

    def __new__(cls, kind: str, code: str) -> Label:
        made = str.__new__(cls, code)
        made.key, made.values, made.code = f"{kind}.{code}", {}, code
        return made

    def text(self, lang: str) -> str:
        return t(self.key, lang) if self.key in _TABLE else self.code

    def __reduce__(self) -> tuple[Any, ...]:
        return (Label, (self.key[: -len(self.code) - 1], self.code))
