"""Texts of the review's refusals: `assess.err.<code>` (`AssessmentError`) and `review.err.`
(`CorrectionError`).

Registered by the modules that raise them (`hub.review.rules` calls `register()` at import); the
dashboard shows `err.text(lang)`.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "assess.err.bad_week": {"zh": "周的格式应为 2026-W40", "en": "A week is written like 2026-W40"},
    "assess.err.bad_month": {"zh": "月份格式应为 2026-10", "en": "A month is written like 2026-10"},
    "assess.err.bad_points": {
        "zh": "分值应为非零数，最多一位小数，±100 以内",
        "en": "Points: non-zero, one decimal at most, within ±100",
    },
    "assess.err.no_reason": {"zh": "必须填写理由", "en": "A reason is required"},
    "assess.err.long_reason": {"zh": "理由过长（最多 200 字）", "en": "The reason is too long (200 at most)"},
    "assess.err.not_locked": {
        "zh": "本月尚未审批锁定:只能导出草稿(勾选「草稿」或加 --draft)",
        "en": "The month is not approved and locked: it can only be exported as a draft (--draft)",
    },
    "assess.err.locked": {"zh": "本月已审批锁定，不能修改", "en": "The month is approved and locked"},
    "assess.err.role": {"zh": "您的角色不能执行此操作", "en": "Your role cannot do this"},
    "assess.err.scope": {"zh": "该监区不在您的管辖范围", "en": "This area is not in your scope"},
    "assess.err.inmate_scope": {
        "zh": "该罪犯本月不在您管辖的生产线上",
        "en": "This inmate is not posted on your lines this month",
    },
    "assess.err.order": {"zh": "须先由前一环节审批", "en": "The earlier stage must approve first"},
    "assess.err.done": {"zh": "本环节已审批", "en": "This stage has already approved"},
    "assess.err.nothing": {
        "zh": "该环节及之后没有可作废的审批",
        "en": "No approval to void at or after that stage",
    },
    "assess.err.bad_stage": {"zh": "没有这个环节", "en": "No such stage"},
    "assess.err.bad_days": {"zh": "公示天数应为 1 到 31", "en": "Publish for 1 to 31 days"},
    "assess.err.signed": {"zh": "您已签认本周", "en": "You have already signed off this week"},
    "assess.err.unsigned": {"zh": "请先签认再公示", "en": "Sign off before publishing"},
    "assess.err.empty": {"zh": "本周没有可签认的数据", "en": "Nothing to sign off this week"},
    "assess.err.no_area": {"zh": "没有这个监区", "en": "No such area"},
    "assess.err.no_inmate": {"zh": "没有这个罪犯编号", "en": "No such inmate"},
    "assess.err.no_adjustment": {"zh": "该加扣分不存在或已作废", "en": "No such adjustment in force"},
    "assess.err.bad_token_name": {
        "zh": "令牌名称应为 1 到 64 个字符",
        "en": "Token name: 1 to 64 characters",
    },
    "assess.err.token_exists": {"zh": "已有同名令牌", "en": "A token with this name exists"},
    "assess.err.no_token": {"zh": "没有这个有效令牌", "en": "No such token in force"},
    "assess.err.stale": {
        "zh": "页面显示后数据已变化，请刷新后核对再审批",
        "en": "The numbers changed after the page was shown: reload, check them and act again",
    },
}

# the refusals of officers' corrections, dispute answers and discrepancy notes (`CorrectionError`)
CORRECTION_TEXTS: dict[str, dict[str, str]] = {
    "review.err.pending": {
        "zh": "这条记录已有待批准的更正(第 {proposal} 号,{proposer} 提出):请先批准或处理它",
        "en": "This record already has a correction waiting for approval (no. {proposal} by {proposer})",
    },
    "review.err.day": {"zh": "日期格式应为 YYYY-MM-DD", "en": "The day must be YYYY-MM-DD"},
    "review.err.line": {"zh": "没有该生产线或无权查看", "en": "No such line, or not yours to see"},
    "review.err.reason_empty": {"zh": "请填写理由", "en": "A reason is required"},
    "review.err.reason_long": {
        "zh": "理由最多 {limit} 字",
        "en": "The reason may have at most {limit} characters",
    },
    "review.err.value": {
        "zh": "数值应为 0 到 {limit} 的整数",
        "en": "The value must be a whole number 0 to {limit}",
    },
    "review.err.same": {"zh": "新数值与现值相同", "en": "The new value is the value it already has"},
    "review.err.scope": {"zh": "无权处理该生产线", "en": "This line is not yours"},
    "review.err.window": {
        "zh": "已超过 {days} 天更正期限，只能由劳改科处理",
        "en": "Older than {days} days: only the labor section may correct it",
    },
    "review.err.locked": {
        "zh": "该月考核已审批锁定，需劳动改造科重新开启后才能更正",
        "en": "This month's assessment is approved and locked; the labor section must reopen it first",
    },
    "review.err.own": {"zh": "不能批准本人提出的更正", "en": "You cannot approve your own correction"},
    "review.err.not_open": {"zh": "该事项已处理或不存在", "en": "Already dealt with, or not found"},
    "review.err.not_correctable": {"zh": "该记录不能在此更正", "en": "This record cannot be corrected here"},
    "review.err.not_dispute": {"zh": "不是申辩记录", "en": "Not a dispute record"},
    "review.err.answered": {"zh": "该申辩已答复", "en": "This dispute is already answered"},
    "review.err.pick_record": {
        "zh": "请选择要更正的记录并填写新数值",
        "en": "Pick the record to correct and its new value",
    },
    "review.err.late_role": {"zh": "您的角色不能补录", "en": "Your role does not enter late entries"},
    "review.err.late_type": {"zh": "没有这种补录", "en": "No such kind of late entry"},
    "review.err.late_range": {
        "zh": "起止日期须在同一个月内，且止日不早于起日",
        "en": "The first and last day must lie in one month, the last not before the first",
    },
    "review.err.late_future": {"zh": "不能补录今天以后的日期", "en": "No late entry for a day after today"},
    "review.err.late_time": {"zh": "时间格式应为 HH:MM", "en": "The time must be HH:MM"},
    "review.err.late_person": {"zh": "没有这个罪犯编号", "en": "No such inmate"},
    "review.err.late_unposted": {
        "zh": "该罪犯在这些日期没有岗位",
        "en": "This inmate has no post on those days",
    },
    "review.err.late_line": {"zh": "请选择生产线和产品", "en": "Pick a line and a product"},
    "review.err.late_own": {"zh": "不能批准本人提交的补录", "en": "You cannot approve your own late entry"},
    "review.err.late_zero": {"zh": "数值须大于 0", "en": "The value must be above 0"},
}

# Guarded approvals (`hub.review.monthly.Assessment.approve`).
GUARD_TEXTS: dict[str, dict[str, str]] = {
    "assess.err.running": {
        "zh": "本月尚未结束，不能审批（如确需审批，请填写越级审批理由）",
        "en": "The month has not ended yet (to approve anyway, give an override reason)",
    },
    "assess.err.open_items": {
        "zh": "尚有 {count} 项待处理事项：{items}（如确需审批，请填写越级审批理由）",
        "en": "{count} open item(s): {items} (to approve anyway, give an override reason)",
    },
    "assess.open.dispute": {"zh": "未答复申辩", "en": "unanswered disputes"},
    "assess.open.discrepancy": {"zh": "未处理差异", "en": "unresolved discrepancies"},
    "assess.open.correction": {"zh": "待批准更正", "en": "correction proposals"},
    "assess.open.late": {"zh": "待批准补录", "en": "late-entry proposals"},
    "assess.open.warehoused": {"zh": "缺入库数的生产日", "en": "worked line-days without 入库数"},
    "assess.open.grade": {"zh": "未评定的岗位日", "en": "rated post-days without a grade"},
    # not an approval guard: a locked month whose push to the scoring database keeps failing
    "assess.open.delivery": {"zh": "推送失败", "en": "failing pushes"},
    "assess.open.month_review": {"zh": "未答复复核申请", "en": "unanswered review requests"},
}

# The inmates' month: publication (公示), confirmation and review (复核) (`hub.review.month_publication`).
PUBLICATION_TEXTS: dict[str, dict[str, str]] = {
    "assess.err.publishing": {
        "zh": "月度考核公示期至 {until} 结束，期满后劳改科方可审批（如确需审批，请填写越级审批理由）",
        "en": "The month is published until {until}: the labor section approves after that "
        "(to approve anyway, give an override reason)",
    },
    "assess.err.unpublished": {
        "zh": "月度考核尚未公示（监区长审批后自动公示；如确需审批，请填写越级审批理由）",
        "en": "The month has not been published (the area head's approval publishes it; "
        "to approve anyway, give an override reason)",
    },
    "assess.err.not_review": {"zh": "没有这条复核申请", "en": "No such review request"},
    "assess.err.answered": {"zh": "该复核申请已答复", "en": "This review request is already answered"},
    "assess.err.bad_outcome": {"zh": "请选择维持或更改", "en": "Choose kept or changed"},
    "month.reason.points_wrong": {"zh": "分数不对", "en": "Points wrong"},
    "month.reason.days_wrong": {"zh": "出勤天数不对", "en": "Workdays wrong"},
    "month.reason.output_wrong": {"zh": "完成数不对", "en": "Output wrong"},
    "month.reason.grade_wrong": {"zh": "岗位等级不对", "en": "Grade wrong"},
    "month.reason.deduction_wrong": {"zh": "扣分不对", "en": "Deduction wrong"},
    "month.reason.other": {"zh": "其他", "en": "Other"},
    "month.outcome.kept": {"zh": "维持", "en": "Kept"},
    "month.outcome.changed": {"zh": "已更改", "en": "Changed"},
}


def register() -> None:
    i18n.register(TEXTS)
    i18n.register(CORRECTION_TEXTS)
    i18n.register(GUARD_TEXTS)
    i18n.register(PUBLICATION_TEXTS)
