"""Texts of the wall boards' refusals (keys `board.`), Simplified Chinese first.

Registered by the modules that raise them (`register()` at their import); the Kiosks page shows them
in the officer's language.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "board.token.bad_target": {"zh": "看板对象须为 1-64 个字符", "en": "target must be 1-64 characters"},
    "board.token.long_label": {"zh": "标签过长", "en": "label too long"},
    "board.token.unknown": {"zh": "没有编号为 {token_id} 的看板令牌", "en": "no board token {token_id}"},
    "board.unknown_target": {"zh": "没有代码为 {target} 的产线或监区", "en": "{target}"},
}


def register() -> None:
    i18n.register(TEXTS)
