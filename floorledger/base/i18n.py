"""The one translation table for every screen: Simplified Chinese by default, English available.

Each app keeps its texts beside its code as a dict of key -> {"zh": ..., "en": ...} and registers
it here once at import; screens call `t(key, lang, **values)`. A missing English text falls back to
Chinese, a missing key shows the key itself (and is caught by the tests that check every key).
"""

from __future__ import annotations

from collections.abc import Mapping

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
