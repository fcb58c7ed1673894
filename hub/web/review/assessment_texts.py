"""Texts of the weekly review, monthly assessment, exports and trends pages (keys `assess.`, `trends.`)."""

from __future__ import annotations

from floorledger.base import i18n
from hub.review import texts as review_texts

TEXTS: dict[str, dict[str, str]] = {
    "assess.nav.weekly": {"zh": "周评议", "en": "Weekly review"},
    "assess.nav.monthly": {"zh": "月考核", "en": "Monthly assessment"},
    "assess.nav.tokens": {"zh": "导出令牌", "en": "Export tokens"},
    "assess.weekly.title": {"zh": "周评议", "en": "Weekly review"},
    "assess.monthly.title": {"zh": "月考核", "en": "Monthly assessment"},
    "assess.tokens.title": {"zh": "导出接口令牌", "en": "Export API tokens"},
    "assess.area": {"zh": "监区", "en": "Area"},
    "assess.week": {"zh": "周（如 2026-W40）", "en": "Week (e.g. 2026-W40)"},
    "assess.month": {"zh": "月份（如 2026-10）", "en": "Month (e.g. 2026-10)"},
    "assess.show": {"zh": "查看", "en": "Show"},
    "assess.col.number": {"zh": "编号", "en": "No."},
    "assess.col.name": {"zh": "姓名", "en": "Name"},
    "assess.col.days": {"zh": "天数", "en": "Days"},
    "assess.col.quota_h": {"zh": "定额工时(小时)", "en": "Quota (h)"},
    "assess.col.earned_h": {"zh": "完成工时(小时)", "en": "Earned (h)"},
    "assess.col.pct": {"zh": "完成率%", "en": "Done %"},
    "assess.col.workdays": {"zh": "出勤日", "en": "Workdays"},
    "assess.col.days_met": {"zh": "达标日", "en": "Days met"},
    "assess.col.base": {"zh": "基础分", "en": "Base"},
    "assess.col.bonus": {"zh": "奖励分", "en": "Bonus"},
    "assess.col.adjust": {"zh": "加扣分", "en": "Adjust"},
    "assess.col.labor": {"zh": "劳动得分", "en": "Labor points"},
    "assess.col.assessed": {"zh": "劳动考核", "en": "Assessed"},
    "assess.col.additions": {"zh": "加分(封顶后)", "en": "Additions (capped)"},
    "assess.col.deduct": {"zh": "扣分", "en": "Deducted"},
    "assess.col.deductions": {"zh": "扣分明细", "en": "Deductions"},
    "assess.yes": {"zh": "是", "en": "yes"},
    "assess.no": {"zh": "否", "en": "no"},
    "assess.not_assessed": {"zh": "不考核", "en": "not assessed"},
    "assess.deduction": {
        "zh": "{day} {category} -{points} {reason}",
        "en": "{day} {category} -{points} {reason}",
    },
    "assess.signoff": {"zh": "签认", "en": "Sign off"},
    "assess.signed": {"zh": "已签认：{who}", "en": "Signed off by: {who}"},
    "assess.unsigned": {"zh": "尚未签认", "en": "Not signed off"},
    "assess.publish_days": {"zh": "公示天数", "en": "Days on the board"},
    "assess.publish": {"zh": "公示到看板", "en": "Publish to the board"},
    "assess.published": {"zh": "已公示至 {until}", "en": "Published until {until}"},
    "assess.done": {"zh": "已完成", "en": "Done"},
    "assess.state": {"zh": "审批状态：{state}", "en": "Approval state: {state}"},
    "assess.locked_note": {
        "zh": "本月已审批锁定:劳改科重新开放后才能再审批或加扣分",
        "en": "The month is approved and locked: approvals and adjustments wait until the labor "
        "section reopens it",
    },
    "assess.draft": {"zh": "草稿(本月未锁定)", "en": "Draft (month not locked)"},
    "assess.state.open": {"zh": "未审批", "en": "Not approved"},
    "assess.state.line_officer": {"zh": "分监区民警已审", "en": "Line officer approved"},
    "assess.state.area_head": {"zh": "监区长已审", "en": "Area head approved"},
    "assess.state.locked": {"zh": "劳改科已审，已锁定", "en": "Labor section approved, locked"},
    "assess.approval": {"zh": "{stage}：{who}", "en": "{stage}: {who}"},
    "assess.stage.line_officer": {"zh": "分监区民警", "en": "Line officer"},
    "assess.stage.area_head": {"zh": "监区长", "en": "Area head"},
    "assess.stage.labor_section": {"zh": "劳改科", "en": "Labor section"},
    "assess.approve": {"zh": "审批通过", "en": "Approve"},
    "assess.override": {
        "zh": "越级审批理由（月未结束或有待办时填写）",
        "en": "Override reason (month running or items open)",
    },
    "assess.overridden": {
        "zh": "{stage}（{who}）为越级审批，理由：{reason}",
        "en": "{stage} ({who}) approved with an override: {reason}",
    },
    "assess.reopen": {"zh": "重新打开", "en": "Reopen"},
    "assess.reopen_stage": {"zh": "从此环节起作废", "en": "Void from stage"},
    "assess.reason": {"zh": "理由", "en": "Reason"},
    "assess.inmate": {"zh": "罪犯编号", "en": "Inmate id"},
    "assess.points": {"zh": "分值（如 -2 或 1.5）", "en": "Points (e.g. -2 or 1.5)"},
    "assess.adjust": {"zh": "登记加扣分", "en": "Add adjustment"},
    "assess.adjustments": {"zh": "加扣分记录", "en": "Adjustments"},
    "assess.adjust_row": {
        "zh": "{inmate} {points} 分：{reason}（{who}）",
        "en": "{inmate} {points}: {reason} ({who})",
    },
    "assess.adjust_void": {"zh": "作废", "en": "Void"},
    "assess.voided": {"zh": "（已作废）", "en": " (voided)"},
    "assess.explain": {"zh": "说明", "en": "Explain"},
    "assess.rule_set": {"zh": "规则版本：{version}", "en": "Rule set: {version}"},
    "assess.csv": {"zh": "导出 CSV", "en": "Export CSV"},
    "assess.xlsx": {"zh": "导出 Excel", "en": "Export XLSX"},
    "assess.print": {"zh": "打印月考核 (PDF)", "en": "Print monthly sheet (PDF)"},
    "assess.print_week": {"zh": "打印周评议 (PDF)", "en": "Print weekly sheet (PDF)"},
    "assess.no_results": {"zh": "计算结果不可用", "en": "Results are not available"},
    "assess.empty": {"zh": "暂无数据", "en": "No data"},
    "assess.token_name": {"zh": "令牌名称", "en": "Token name"},
    "assess.token_create": {"zh": "创建令牌", "en": "Create token"},
    "assess.token_shown": {"zh": "新令牌（只显示这一次）：", "en": "New token (shown only once):"},
    "assess.token_revoke": {"zh": "吊销", "en": "Revoke"},
    "assess.token_revoked": {"zh": "已吊销", "en": "Revoked"},
    "trends.nav": {"zh": "趋势", "en": "Trends"},
    "trends.title": {"zh": "趋势", "en": "Trends"},
    "trends.line": {"zh": "生产线", "en": "Line"},
    "trends.completion": {"zh": "每日完成率（%）", "en": "Daily completion (%)"},
    "trends.output": {"zh": "产出与定额（标准工时 h）", "en": "Output against quota (standard hours)"},
    "trends.quota": {"zh": "定额", "en": "Quota"},
    "trends.earned": {"zh": "完成", "en": "Output"},
    "trends.below": {
        "zh": "完成率低于 80% 达 5 天及以上（建议调岗或技能培训）",
        "en": "Below 80 % on 5 or more days (consider a post change or skills training)",
    },
    "trends.col.days_below": {"zh": "低于 80% 天数", "en": "Days below 80 %"},
    "trends.none_below": {"zh": "没有人连续低于 80%", "en": "Nobody below 80 % on 5 or more days"},
    # the inmates' month: publication (公示) and review requests (复核)
    "assess.pub.title": {"zh": "公示与复核", "en": "Publication and reviews"},
    "assess.pub.none": {
        "zh": "尚未公示（监区长审批后自动公示 {days} 天）",
        "en": "Not published (the area head's approval publishes it for {days} days)",
    },
    "assess.pub.window": {
        "zh": "公示期：{first} 至 {until}（{by} 审批后公示）",
        "en": "Published from {first} to {until} (on {by}'s approval)",
    },
    "assess.pub.counts": {
        "zh": "已确认 {confirmed} 人，申请复核 {asked} 人，其中未答复 {open} 人",
        "en": "{confirmed} confirmed, {asked} asked for a review, {open} not answered",
    },
    "assess.pub.empty": {"zh": "没有复核申请", "en": "No review requests"},
    "assess.pub.col.asked": {"zh": "申请日", "en": "Asked on"},
    "assess.pub.col.reason": {"zh": "复核原因", "en": "Reason"},
    "assess.pub.col.points": {"zh": "公示分数", "en": "Points shown"},
    "assess.pub.col.answer": {"zh": "答复", "en": "Answer"},
    "assess.pub.outcome": {"zh": "答复结果", "en": "Outcome"},
    "assess.pub.reason": {"zh": "答复理由", "en": "Reason for the answer"},
    "assess.pub.answer": {"zh": "答复", "en": "Answer"},
    "assess.pub.answered": {
        "zh": "{outcome}：{reason}（{officer}）",
        "en": "{outcome}: {reason} ({officer})",
    },
    "assess.pub.unanswered": {"zh": "未答复", "en": "Not answered"},
    "assess.pub.changed_hint": {
        "zh": "更改分数请先在下方登记加扣分（将撤回公示，监区长重新审批后再次公示），再答复「已更改」",
        "en": "To change the points, enter an adjustment below first (it withdraws the publication; the "
        "area head's new approval publishes again), then answer 'changed'",
    },
    # the refusals of the review's acts, registered by hub.review beside the code that raises them
    **review_texts.TEXTS,
    **review_texts.GUARD_TEXTS,
    **review_texts.PUBLICATION_TEXTS,
}

i18n.register(TEXTS)


def tr(key: str, lang: str = "zh", /, **values: object) -> str:
    return i18n.t(key, lang, **values)
