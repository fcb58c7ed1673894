"""Texts of rule book v2's capture (`hub.review.capture`): its refusals (`capture.err.*`) and the
words its pages and the monthly page share (`capture.*`). Registered by the modules that use them."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "capture.err.reason_empty": {"zh": "请填写理由", "en": "A reason is required"},
    "capture.err.reason_long": {
        "zh": "理由过长（最多 {limit} 字）",
        "en": "The reason is too long ({limit} characters at most)",
    },
    "capture.err.units": {
        "zh": "件数应为 1 到 {limit} 的整数",
        "en": "Units: a whole number from 1 to {limit}",
    },
    "capture.err.points_format": {
        "zh": "分值应为大于 0 的数，最多一位小数",
        "en": "Points: a number above 0 with one decimal at most",
    },
    "capture.err.category": {
        "zh": "没有扣分类别 {category}（可选：{known}）",
        "en": "No deduction category {category} (known: {known})",
    },
    "capture.err.range": {
        "zh": "分值 {points} 超出{category}类别的范围 {low}..{high}",
        "en": "points: {points} is outside the {category} range {low}..{high}",
    },
    "capture.err.scope": {"zh": "该生产线不在您的管辖范围", "en": "This line is not in your scope"},
    "capture.err.future": {"zh": "不能登记未来的日期", "en": "A day that has not come cannot be entered"},
    "capture.err.v1": {
        "zh": "{month} 按第一版规则计算：没有岗位评级、次品和扣分类别",
        "en": "{month} is computed under rule book v1: no grades, rejects or deduction categories",
    },
    "capture.err.locked": {
        "zh": "{month} 已审批锁定，不能修改",
        "en": "{month} is approved and locked",
    },
    "capture.err.no_grades": {"zh": "没有填写任何等级", "en": "No grade was given"},
    "capture.err.not_rated": {
        "zh": "{inmate} 在 {day} 不在无定额岗位上",
        "en": "{inmate} is not on a rated post on {day}",
    },
    "capture.err.grade": {
        "zh": "没有等级 {grade}（可选：{known}）",
        "en": "No grade {grade} (known: {known})",
    },
    "capture.err.not_on_step": {
        "zh": "{inmate} 在 {day} 没有在本线的工序 {step} 上计件",
        "en": "{inmate} did not work step {step} of this line on {day}",
    },
    "capture.err.no_inmate": {"zh": "没有罪犯 {inmate}", "en": "No inmate {inmate}"},
    "capture.err.exempt": {
        "zh": "{inmate} 在 {day} 处于丧失劳动能力期间，劳动部分不考核",
        "en": "{inmate} is exempt from labor on {day}: the labor part is not assessed",
    },
    "capture.err.evidence_large": {
        "zh": "证据文件过大（最多 {limit} MB）",
        "en": "The evidence file is too large ({limit} MB at most)",
    },
    "capture.err.not_open": {
        "zh": "该扣分不是待确认状态",
        "en": "This deduction is not awaiting confirmation",
    },
    "capture.err.not_withdrawable": {
        "zh": "该条已撤回或不存在",
        "en": "This entry does not exist or was already withdrawn",
    },
    "capture.err.withdraw_confirmed": {
        "zh": "已确认的扣分只能由劳改科撤回",
        "en": "Only the labor section withdraws a confirmed deduction",
    },
    "capture.err.own": {
        "zh": "不能确认自己提出的扣分（须另一名民警确认）",
        "en": "You cannot confirm your own deduction (a second officer must)",
    },
}

# Deduction categories of the default rule set, as the officer reads them (others show their code).
CATEGORIES: dict[str, dict[str, str]] = {
    "capture.cat.quality": {"zh": "质量", "en": "quality"},
    "capture.cat.safety": {"zh": "安全生产", "en": "safety"},
    "capture.cat.discipline": {"zh": "劳动纪律", "en": "discipline"},
    "capture.cat.equipment": {"zh": "设备工具", "en": "equipment"},
}


def category_text(category: str, lang: str) -> str:
    words = CATEGORIES.get(f"capture.cat.{category}")
    return category if words is None else words.get(lang, words["zh"])


def register() -> None:
    i18n.register(TEXTS)
    i18n.register(CATEGORIES)
