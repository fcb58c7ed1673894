"""Texts of the result comparison (`hub.engine.documents.compare_results`, keys `engine.diff.*`): the
differences between a result and an expected one (a sample's expected file, an evidence bundle's
result). The English is what the scenario tool has always printed; `floorledger verify-bundle --lang
zh` shows the Chinese. Places (`daily[inmate=P1001, date=2026-10-05].done_units`) are quoted as the
result document names them.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "engine.diff.not_object": {
        "zh": "预期文件：必须是对象，而不是 {what}",
        "en": "expected file: must be a JSON object, not {what}",
    },
    "engine.diff.only_expected": {
        "zh": "{place}：在预期文件中，但不在结果中",
        "en": "{place}: in the expected file but not in the result",
    },
    "engine.diff.only_result": {
        "zh": "{place}：在结果中，但不在预期文件中",
        "en": "{place}: in the result but not in the expected file",
    },
    "engine.diff.not_list": {
        "zh": "{place}：预期文件中必须是列表",
        "en": "{place}: must be a list in the expected file",
    },
    "engine.diff.not_item": {
        "zh": "{place}：预期文件中必须是对象",
        "en": "{place}: must be an object in the expected file",
    },
    "engine.diff.twice": {
        "zh": "{place}：在预期文件中列出了两次",
        "en": "{place}: listed twice in the expected file",
    },
    "engine.diff.unexpected": {
        "zh": "{place}：在结果中，但未预期",
        "en": "{place}: in the result but not expected",
    },
    "engine.diff.missing": {
        "zh": "{place}：预期有，但结果中没有",
        "en": "{place}: expected but not in the result",
    },
    "engine.diff.number": {
        "zh": "{place}：预期 {want}，实得 {got}（相差 {difference}）",
        "en": "{place}: expected {want}, got {got} (difference {difference})",
    },
    "engine.diff.value": {
        "zh": "{place}：预期 {want}，实得 {got}",
        "en": "{place}: expected {want}, got {got}",
    },
}
i18n.register(TEXTS)
