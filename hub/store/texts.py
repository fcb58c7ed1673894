"""Texts of the store's errors (keys `store.`), Simplified Chinese first."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "store.schema.too_new": {
        "zh": "数据库结构版本 {found} 比本程序（{latest}）新：请升级 FloorLedger，不要用旧版本打开此数据库",
        "en": (
            "the database's schema version {found} is newer than this code's ({latest}): upgrade "
            "FloorLedger instead of opening this database with an older version"
        ),
    },
    "store.schema.mismatch": {
        "zh": "数据库没有结构版本，且表 {table} 与第 1 版不符（{detail}）：无法识别，未做任何修改",
        "en": (
            "the database has no schema version and its table {table} does not match version 1 "
            "({detail}): not recognised, nothing changed"
        ),
    },
    "store.schema.behind": {
        "zh": "数据库结构版本 {found} 低于本程序（{latest}）：请先运行 floorledger hub migrate",
        "en": (
            "the database's schema version {found} is older than this code's ({latest}): "
            "run `floorledger hub migrate` first"
        ),
    },
}
i18n.register(TEXTS)
