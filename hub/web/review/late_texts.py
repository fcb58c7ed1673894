"""Words of the daily review's late-entry section (补录), Simplified Chinese first; registered at import."""

from __future__ import annotations

from floorledger.base import i18n
from hub.review import texts as review_texts

TEXTS: dict[str, dict[str, str]] = {
    "late.title": {"zh": "补录", "en": "Late entries"},
    "late.none": {"zh": "当天没有补录", "en": "No late entries on this day"},
    "late.kind": {"zh": "补录类型", "en": "Kind"},
    "late.kind.warehoused_count": {"zh": "入库数", "en": "Warehoused units"},
    "late.kind.excused_absence": {"zh": "请假（公假）", "en": "Excused absence"},
    "late.kind.check_in": {"zh": "漏签到", "en": "Missed check-in"},
    "late.kind.check_out": {"zh": "漏签退", "en": "Missed check-out"},
    "late.kind.unit_count": {"zh": "漏计数", "en": "Missed count"},
    "late.minutes": {"zh": "每天 {minutes} 分钟", "en": "{minutes} minutes a day"},
    "late.units": {"zh": "{units} 件", "en": "{units} pieces"},
    "late.row": {
        "zh": "{what}；补录人 {proposer}，{state}",
        "en": "{what}; entered by {proposer}, {state}",
    },
    "late.reason_row": {"zh": "理由：{reason}", "en": "Reason: {reason}"},
    "late.proposed": {"zh": "待审批", "en": "awaiting approval"},
    "late.approved": {"zh": "已由 {approver} 批准", "en": "approved by {approver}"},
    "late.approve": {"zh": "批准补录", "en": "Approve"},
    "late.enter": {"zh": "新增补录", "en": "Enter a late entry"},
    "late.day": {"zh": "日期", "en": "Day"},
    "late.last_day": {"zh": "至", "en": "Through"},
    "late.person": {"zh": "罪犯", "en": "Inmate"},
    "late.product": {"zh": "产品", "en": "Product"},
    "late.value": {"zh": "件数 / 每天分钟", "en": "Pieces / minutes a day"},
    "late.time": {"zh": "时间(如 08:30)", "en": "Time (e.g. 08:30)"},
    "late.reason": {"zh": "理由", "en": "Reason"},
    "late.submit": {"zh": "提交补录", "en": "Submit"},
    # the refusals, registered by hub.review beside the code that raises them
    **review_texts.CORRECTION_TEXTS,
}

i18n.register(TEXTS)


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)
