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
i18n.register(
    {
        "store.inuse.running": {
            "zh": "数据库 {database} 正被运行中的中心服务使用：请先停止它（systemctl stop floorledger-hub）",
            "en": (
                "database {database} is in use by a running hub or ingest worker: stop it first "
                "(systemctl stop floorledger-hub)"
            ),
        },
        "store.inuse.restoring": {
            "zh": "数据库 {database} 正在恢复或升级中：完成后再启动",
            "en": "database {database} is being restored or upgraded: start again when that has finished",
        },
    }
)
i18n.register(
    {
        "store.backup.no_database": {
            "zh": "没有数据库 {database}",
            "en": "there is no database {database}",
        },
        "store.backup.failed": {
            "zh": "数据库 {database} 备份或恢复失败：{detail}",
            "en": "backing up or restoring {database} failed: {detail}",
        },
        "store.backup.no_tool": {
            "zh": "找不到 {tool}：请安装 postgresql-client",
            "en": "{tool} is not installed: install postgresql-client",
        },
        "store.backup.not_hub": {
            "zh": "{path} 不是中心数据库的备份（{detail}）",
            "en": "{path} is not a hub database backup ({detail})",
        },
        "store.backup.damaged": {
            "zh": "{path} 未通过 SQLite 完整性检查（{detail}）",
            "en": "{path} fails SQLite's integrity check ({detail})",
        },
        "store.backup.unreadable": {
            "zh": "无法读取 {path}：{detail}",
            "en": "cannot read {path}: {detail}",
        },
        "store.restore.kind": {
            "zh": "{path} 是 {kind} 备份，不能恢复到 {database}",
            "en": "{path} is a {kind} backup; it cannot be restored into {database}",
        },
        "store.restore.too_new": {
            "zh": "备份 {path} 的结构版本 {found} 比本程序（{latest}）新：请用更新的 FloorLedger 恢复",
            "en": (
                "backup {path} has schema version {found}, newer than this code's ({latest}): "
                "restore it with a newer FloorLedger"
            ),
        },
        "store.restore.exists": {
            "zh": "数据库 {database} 已存在：确认要替换时加 --replace（原文件会保留为 .replaced-<时间>）",
            "en": (
                "database {database} exists: add --replace to replace it (a SQLite file is kept "
                "as <file>.replaced-<time>)"
            ),
        },
    }
)
