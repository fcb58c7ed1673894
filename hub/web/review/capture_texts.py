"""Words of the capture pages (岗位评级, 次品登记, 扣分), Simplified Chinese first; registered at import."""

from __future__ import annotations

from floorledger.base import i18n
from hub.review import capture_texts

TEXTS: dict[str, dict[str, str]] = {
    "grades.nav": {"zh": "岗位评级", "en": "Post grades"},
    "grades.title": {"zh": "无定额岗位每日评级", "en": "Daily grades of rated posts"},
    "grades.post": {"zh": "岗位", "en": "Post"},
    "grades.all_posts": {"zh": "本线全部岗位", "en": "Every post of the line"},
    "grades.save": {"zh": "保存评级", "en": "Save grades"},
    "grades.saved": {"zh": "已保存 {count} 人的评级", "en": "Saved {count} grade(s)"},
    "grades.none": {"zh": "当天该岗位没有评级对象", "en": "Nobody is rated on this post that day"},
    "grades.missing": {"zh": "未评", "en": "not graded"},
    "grades.from_kiosk": {"zh": "终端 {kiosk} 评定", "en": "given at kiosk {kiosk}"},
    "grades.missing_count": {
        "zh": "尚有 {count} 人未评级（未评当日按 0 计）",
        "en": "{count} not graded yet (an ungraded day earns 0)",
    },
    "grades.all_given": {"zh": "当天评级已全部完成", "en": "Every grade of the day is given"},
    "grades.month_missing": {"zh": "本月未评级的日期", "en": "Days of this month still without a grade"},
    "grades.month_missing_row": {
        "zh": "{day} {post}：{number} {name}",
        "en": "{day} {post}: {number} {name}",
    },
    "grades.col_day": {"zh": "日期", "en": "Day"},
    "grades.col_number": {"zh": "编号", "en": "Number"},
    "grades.col_name": {"zh": "姓名", "en": "Name"},
    "grades.month_missing_none": {"zh": "本月没有缺评", "en": "No missing grade this month"},
    "rejects.nav": {"zh": "次品登记", "en": "Rejects"},
    "rejects.title": {"zh": "次品、返工登记", "en": "Rejects and rework"},
    "rejects.inmate": {"zh": "罪犯（工序）", "en": "Inmate (step)"},
    "rejects.units": {"zh": "次品件数", "en": "Units rejected"},
    "rejects.add": {"zh": "登记次品", "en": "Record rejects"},
    "rejects.added": {"zh": "已登记", "en": "Recorded"},
    "rejects.none": {"zh": "当天没有次品记录", "en": "No rejects on this day"},
    "rejects.row": {
        "zh": "{number} {name} {step}：{units} 件，{reason}（{officer}）",
        "en": "{number} {name} {step}: {units} unit(s), {reason} ({officer})",
    },
    "deduct.nav": {"zh": "扣分", "en": "Deductions"},
    "deduct.title": {"zh": "扣分（双人确认）", "en": "Deductions (four eyes)"},
    "deduct.month": {"zh": "月份 (YYYY-MM)", "en": "Month (YYYY-MM)"},
    "deduct.inmate": {"zh": "罪犯", "en": "Inmate"},
    "deduct.category": {"zh": "类别", "en": "Category"},
    "deduct.points": {"zh": "扣分分值", "en": "Points"},
    "deduct.range": {"zh": "{category}：{low}～{high} 分", "en": "{category}: {low} to {high} points"},
    "deduct.day": {"zh": "发生日期 (YYYY-MM-DD)", "en": "Incident day (YYYY-MM-DD)"},
    "deduct.evidence": {"zh": "证据（照片或文件，可选）", "en": "Evidence (photo or document, optional)"},
    "deduct.evidence_ready": {"zh": "已选择证据：{name}", "en": "Evidence chosen: {name}"},
    "deduct.propose": {"zh": "提出扣分", "en": "Propose"},
    "deduct.proposed": {"zh": "已提出，待另一名民警确认", "en": "Proposed: a second officer must confirm"},
    "deduct.confirm": {"zh": "确认", "en": "Confirm"},
    "deduct.confirmed": {"zh": "已确认", "en": "Confirmed"},
    "capture.withdraw": {"zh": "撤回", "en": "Withdraw"},
    "capture.withdraw_reason": {"zh": "撤回原因", "en": "Why withdrawn"},
    "capture.withdrawn_ok": {"zh": "已撤回", "en": "Withdrawn"},
    "capture.withdrawn": {"zh": "已由 {officer} 撤回：{reason}", "en": "withdrawn by {officer}: {reason}"},
    "deduct.none": {"zh": "本月没有扣分", "en": "No deductions this month"},
    "deduct.row": {
        "zh": "{day} {number} {name}：{category} {points} 分，{reason}（{proposer} 提出）",
        "en": "{day} {number} {name}: {category} {points} point(s), {reason} (proposed by {proposer})",
    },
    "deduct.state_open": {"zh": "待确认", "en": "awaiting confirmation"},
    "deduct.state_done": {"zh": "已由 {officer} 确认", "en": "confirmed by {officer}"},
    "deduct.show_evidence": {"zh": "查看证据", "en": "Evidence"},
    "capture.reason": {"zh": "原因", "en": "Reason"},
    "capture.line": {"zh": "生产线", "en": "Line"},
    "capture.day": {"zh": "日期 (YYYY-MM-DD)", "en": "Day (YYYY-MM-DD)"},
    "capture.open": {"zh": "打开", "en": "Open"},
    "capture.bad_day": {"zh": "日期格式应为 YYYY-MM-DD", "en": "The day must be YYYY-MM-DD"},
    "capture.bad_month": {"zh": "月份格式应为 2026-10", "en": "A month is written like 2026-10"},
    "capture.no_line": {"zh": "没有该生产线或无权查看", "en": "No such line, or not yours to see"},
    "capture.unavailable": {
        "zh": "中心端未提供账本，无法登记",
        "en": "No ledger at this hub: capture is not available",
    },
}


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)


capture_texts.register()
i18n.register(TEXTS)
