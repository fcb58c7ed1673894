"""Words of the inmate page (`inmate.`) and the dispute reasons a kiosk records (`dispute.reason.`),
Simplified Chinese first; registered at import."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "inmate.title": {"zh": "罪犯劳动档案", "en": "Inmate's record"},
    "inmate.header": {
        "zh": "{number} {name} · 监区 {area} · 个人定额 {quota}%",
        "en": "{number} {name} · area {area} · personal quota {quota}%",
    },
    "inmate.daily_pct": {"zh": "日完成率", "en": "Daily completion"},
    "inmate.months": {"zh": "逐月考核", "en": "Month by month"},
    "inmate.col.month": {"zh": "月份", "en": "Month"},
    "inmate.col.days": {"zh": "考核日数", "en": "Days"},
    "inmate.col.met": {"zh": "达标日数", "en": "Days met"},
    "inmate.col.pct": {"zh": "完成率", "en": "Completion"},
    "inmate.col.labor": {"zh": "劳动分", "en": "Labor points"},
    "inmate.posts": {"zh": "岗位经历", "en": "Posts held"},
    "inmate.col.post": {"zh": "产品与工序 / 岗位", "en": "Product and step / post"},
    "inmate.col.from": {"zh": "起", "en": "From"},
    "inmate.col.to": {"zh": "止", "en": "To"},
    "inmate.col.training": {"zh": "培训期", "en": "Training"},
    "inmate.open": {"zh": "至今", "en": "open"},
    "inmate.yes": {"zh": "是", "en": "yes"},
    "inmate.not_assessed": {"zh": "免考核", "en": "not assessed"},
    "inmate.disputes": {"zh": "申辩与答复", "en": "Disputes and answers"},
    "inmate.unanswered": {"zh": "尚未答复", "en": "not answered yet"},
    "inmate.outcome.upheld": {"zh": "申辩成立:", "en": "upheld:"},
    "inmate.outcome.rejected": {"zh": "申辩不成立:", "en": "rejected:"},
    "inmate.adjustments": {"zh": "加扣分", "en": "Adjustments"},
    "inmate.none": {"zh": "无", "en": "None"},
    "inmate.print_report": {"zh": "打印考核报告", "en": "Print assessment report"},
    "inmate.print_report.from": {"zh": "起始月份", "en": "From month"},
    "inmate.print_report.to": {"zh": "结束月份", "en": "To month"},
    "inmate.print_report.no_key": {
        "zh": "本系统没有签名密钥，不能出具可核验的报告",
        "en": "This hub has no signing key: it cannot issue a verifiable report",
    },
    "dispute.reason.count_wrong": {"zh": "件数有误", "en": "count wrong"},
    "dispute.reason.quota_wrong": {"zh": "定额有误", "en": "quota wrong"},
    "dispute.reason.attendance_wrong": {"zh": "考勤有误", "en": "attendance wrong"},
    "dispute.reason.other": {"zh": "其他", "en": "other"},
}

i18n.register(TEXTS)


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)


def reason_label(code: str, lang: str) -> str:
    """A dispute reason code as the officer reads it; the code itself when unknown."""
    return i18n.Label("dispute.reason", code).text(lang)
