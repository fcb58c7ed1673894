"""Words of the daily review page (日审核), Simplified Chinese first; registered at import."""

from __future__ import annotations

from floorledger.base import i18n
from hub.review import texts as review_texts

TEXTS: dict[str, dict[str, str]] = {
    "review.nav": {"zh": "日审核", "en": "Daily review"},
    "review.title": {"zh": "日审核", "en": "Daily review"},
    "review.line": {"zh": "生产线", "en": "Line"},
    "review.day": {"zh": "日期", "en": "Day"},
    "review.open": {"zh": "打开", "en": "Open"},
    "review.pick": {"zh": "请选择生产线和日期", "en": "Choose a line and a day"},
    "review.unavailable": {
        "zh": "中心端未提供账本，无法审核",
        "en": "No ledger at this hub: review is not available",
    },
    "review.records": {"zh": "终端记录", "en": "Kiosk records"},
    "review.no_records": {"zh": "当天没有记录", "en": "No records on this day"},
    "review.results": {"zh": "日结果", "en": "Daily results"},
    "review.no_results": {"zh": "尚无计算结果", "en": "No results computed yet"},
    "review.explain": {"zh": "说明", "en": "Explain"},
    "review.explain_who": {"zh": "说明谁的一天", "en": "Explain whose day"},
    "review.print": {"zh": "打印日记载 (PDF)", "en": "Print daily sheet (PDF)"},
    "review.rated_row": {
        "zh": "{person}：岗位 {post}，评级 {grade}",
        "en": "{person}: post {post}, grade {grade}",
    },
    "review.rated_missing": {
        "zh": "{person}：岗位 {post}，尚未评级",
        "en": "{person}: post {post}, not graded yet",
    },
    "review.discrepancies": {"zh": "计数与入库差异", "en": "Counts vs warehouse"},
    "review.no_discrepancies": {"zh": "无差异", "en": "No discrepancies"},
    "review.flag_row": {
        "zh": "{product}/{step}：计数 {counted} 件，入库 {warehoused} 件",
        "en": "{product}/{step}: counted {counted}, warehoused {warehoused}",
    },
    "review.note": {"zh": "处理说明", "en": "Note"},
    "review.resolve": {"zh": "标记已处理", "en": "Resolve"},
    "review.resolved": {"zh": "已处理（{officer}）：{note}", "en": "Resolved by {officer}: {note}"},
    "review.countersign": {"zh": "审核签名", "en": "Countersign"},
    "review.countersigned": {"zh": "{officer} 于 {time} 签名", "en": "Signed by {officer} at {time}"},
    "review.not_countersigned": {"zh": "尚未签名", "en": "Not countersigned yet"},
    "review.disputes": {"zh": "申辩", "en": "Disputes"},
    "review.no_disputes": {"zh": "无申辩", "en": "No disputes"},
    "review.dispute_row": {
        "zh": "{person} 申辩：{reason} {text}",
        "en": "{person} disputes: {reason} {text}",
    },
    "review.answer_reason": {"zh": "答复理由", "en": "Reason of the answer"},
    "review.uphold": {"zh": "成立（提出更正）", "en": "Uphold (propose a correction)"},
    "review.reject": {"zh": "不成立", "en": "Reject"},
    "review.answered": {
        "zh": "已答复（{outcome}，{officer}）：{reason}",
        "en": "Answered ({outcome}, {officer}): {reason}",
    },
    "review.outcome.upheld": {"zh": "成立", "en": "upheld"},
    "review.outcome.rejected": {"zh": "不成立", "en": "rejected"},
    "review.corrections": {"zh": "更正（双人审核）", "en": "Corrections (four eyes)"},
    "review.no_corrections": {"zh": "无更正", "en": "No corrections"},
    "review.correction_row": {
        "zh": "{ref} {type} {field}：原值 {original}，更正前 {old} → 更正为 {new}；"
        "提出人 {proposer}；{state}",
        "en": "{ref} {type} {field}: original {original}, before {old} -> {new}; "
        "proposed by {proposer}; {state}",
    },
    "review.correction_reason": {"zh": "理由：{reason}", "en": "Reason: {reason}"},
    "review.state.proposed": {"zh": "待审批", "en": "awaiting approval"},
    "review.state.approved": {"zh": "已由 {approver} 批准", "en": "approved by {approver}"},
    "review.approve": {"zh": "批准", "en": "Approve"},
    "review.propose": {"zh": "提出更正", "en": "Propose a correction"},
    "review.preview": {"zh": "预览影响", "en": "Preview the effect"},
    "review.preview_pick": {"zh": "请先选择记录并填写新数值", "en": "Choose a record and a new value first"},
    "review.preview_none": {
        "zh": "批准后无人的当日完成数变化",
        "en": "Nobody's credit that day would change",
    },
    "review.preview_title": {
        "zh": "批准后有 {n} 人的当日完成数变化：",
        "en": "If approved, {n} inmate(s)' credit that day changes:",
    },
    "review.preview_row": {"zh": "{person}：{before} → {after} 件", "en": "{person}: {before} -> {after}"},
    "queue.nav": {"zh": "待办", "en": "To do"},
    "queue.title": {"zh": "待办事项", "en": "To do"},
    "queue.total": {"zh": "共 {n} 项待办", "en": "{n} open items"},
    "queue.count": {"zh": "{kind} {n}", "en": "{kind}: {n}"},
    "queue.all": {"zh": "全部", "en": "All"},
    "queue.kind": {"zh": "类别", "en": "Kind"},
    "queue.empty": {"zh": "没有待办事项", "en": "Nothing is open"},
    "queue.col.kind": {"zh": "类别", "en": "Kind"},
    "queue.col.who": {"zh": "罪犯", "en": "Inmate"},
    "queue.col.what": {"zh": "详情", "en": "Detail"},
    "queue.push_detail": {
        "zh": "{file} → {target}，已尝试 {n} 次：{error}",
        "en": "{file} → {target}, {n} attempts: {error}",
    },
    "queue.go": {"zh": "去处理", "en": "Open"},
    "review.records_log": {"zh": "当日终端记录原文({n} 条)", "en": "The day's kiosk records ({n})"},
    "review.record": {"zh": "记录", "en": "Record"},
    "review.value": {"zh": "新数值", "en": "New value"},
    "review.reason": {"zh": "理由", "en": "Reason"},
    "review.saved": {"zh": "已记录", "en": "Recorded"},
    # the refusals of the review's acts, registered by hub.review beside the code that raises them
    **review_texts.CORRECTION_TEXTS,
}

i18n.register(TEXTS)


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)
