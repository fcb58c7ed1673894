"""What the officer-facing commands print when they have written a file (`export`, `print`), in the
one translation table: Chinese by default, English with `--lang en` (#19)."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "cli.wrote.export": {
        "zh": "已写入 {out}（{rows} 行）{draft}及签名文件 {sig}",
        "en": "wrote {out} ({rows} rows){draft} and {sig}",
    },
    "cli.draft.export": {
        "zh": "（草稿/未审批：月份未锁定）",
        "en": " (草稿/未审批: a draft of an unlocked month)",
    },
    "cli.key.receiver": {
        "zh": "枢纽公钥（请另行交给接收方）：{key}",
        "en": "hub public key (give it to the receiver separately): {key}",
    },
    "cli.key.court": {
        "zh": "枢纽公钥（请另行交给法院）：{key}",
        "en": "hub public key (give it to the court separately): {key}",
    },
    "cli.wrote.daily": {
        "zh": "已写入 {out}：生产线 {line} {day} 日记载（{rows} 行）",
        "en": "wrote {out}: daily sheet of {line} on {day} ({rows} rows)",
    },
    "cli.wrote.weekly": {
        "zh": "已写入 {out}：监区 {area} {week} 周评议（{rows} 行）",
        "en": "wrote {out}: weekly sheet of {area} {week} ({rows} rows)",
    },
    "cli.wrote.monthly": {
        "zh": "已写入 {out}：监区 {area} {month} 月考核（{rows} 行）{draft}",
        "en": "wrote {out}: monthly sheet of {area} {month} ({rows} rows){draft}",
    },
    "cli.draft.monthly": {
        "zh": "（草稿/未审批：月份未锁定）",
        "en": " (草稿/未审批: the month is not locked)",
    },
    "cli.wrote.report": {
        "zh": "已写入 {out} 及 {companion}：{inmate} {first} 至 {last} 的考核报告，核验码 {code}",
        "en": "wrote {out} and {companion}: report of {inmate} {first} to {last}, verification code {code}",
    },
}

i18n.register(TEXTS)


def said(name: str, lang: str | None, /, **values: object) -> str:
    """Text `name` in the command's language (Chinese unless `--lang en`)."""
    return i18n.t(name, "en" if lang == "en" else "zh", **values)
