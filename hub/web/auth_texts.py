"""Texts of the account errors (`hub.web.auth.AuthError`); keys start with `auth.err.`.

The English is what `floorledger users` prints; the dashboard shows the officer's language.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "auth.err.role": {
        "zh": "未知角色 {role},应为以下之一:{roles}",
        "en": "unknown role {role!r}; one of: {roles}",
    },
    "auth.err.username": {
        "zh": "用户名须为 1-{max} 个可打印字符,不含空格",
        "en": "username must be 1-{max} printable characters without spaces",
    },
    "auth.err.display_name": {
        "zh": "显示名称须为 1-{max} 个字符",
        "en": "display name must be 1-{max} characters",
    },
    "auth.err.lines_needed": {
        "zh": "分监区民警至少需要一条生产线(--lines)",
        "en": "a line officer needs at least one line (--lines)",
    },
    "auth.err.area_needed": {"zh": "监区长需要一个监区(--area)", "en": "an area head needs an area (--area)"},
    "auth.err.lines_form": {
        "zh": "生产线编号不能为空,也不能含逗号",
        "en": "line ids must be non-empty and contain no commas",
    },
    "auth.err.password_short": {
        "zh": "密码至少需要 {min} 个字符",
        "en": "password must have at least {min} characters",
    },
    "auth.err.password_long": {
        "zh": "密码最多 {max} 个字符",
        "en": "password must have at most {max} characters",
    },
    "auth.err.exists": {"zh": "用户 {username} 已存在", "en": "user {username!r} already exists"},
    "auth.err.last_admin": {
        "zh": "不能停用或降级最后一个管理员",
        "en": "the last active administrator cannot be disabled or given another role",
    },
    "auth.err.no_user": {"zh": "没有用户 {username}", "en": "no user {username!r}"},
    "auth.err.wrong": {"zh": "用户名或密码错误", "en": "wrong username or password"},
    "auth.err.locked": {"zh": "账户已锁定", "en": "account locked"},
}

i18n.register(TEXTS)
