"""Words printed on the paper documents (日记载, 月考核), Simplified Chinese first; registered at import.

A printed sheet is a legal record signed by hand: it speaks the officer's language (Chinese by
default), says 草稿/未审批 on every page of a month not locked, and uses the same words as the
dashboard for states and stages.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    # shared frame
    "paper.page": {"zh": "第 {page}/{pages} 页", "en": "Page {page}/{pages}"},
    "paper.printed": {"zh": "打印：{who}  {time}", "en": "Printed by {who} at {time}"},
    "paper.draft": {"zh": "草稿/未审批", "en": "DRAFT / NOT APPROVED"},
    "paper.missing": {"zh": "—", "en": "—"},
    "paper.err.no_font": {
        "zh": "找不到中文字体 {path}：请安装 fonts-noto-cjk",
        "en": "no CJK font at {path}: install fonts-noto-cjk",
    },
    "paper.err.no_line": {"zh": "没有生产线 {line}", "en": "no line {line}"},
    "paper.err.no_results": {
        "zh": "{line} 在 {day} 没有计算结果",
        "en": "line {line} has no results on {day}",
    },
    # daily sheet (日记载)
    "paper.daily.title": {"zh": "劳动日记载", "en": "Daily labor record"},
    "paper.daily.subtitle": {
        "zh": "{area} · {line}（{code}）  日期：{day}",
        "en": "{area} · {line} ({code})  Day: {day}",
    },
    "paper.daily.col.no": {"zh": "序号", "en": "#"},
    "paper.daily.col.number": {"zh": "罪犯编号", "en": "Number"},
    "paper.daily.col.name": {"zh": "姓名", "en": "Name"},
    "paper.daily.col.step": {"zh": "工序", "en": "Step"},
    "paper.daily.col.quota": {"zh": "定额(件)", "en": "Quota"},
    "paper.daily.col.done": {"zh": "完成(件)", "en": "Done"},
    "paper.daily.col.diff": {"zh": "超/欠", "en": "+/−"},
    "paper.daily.col.status": {"zh": "状态", "en": "Status"},
    "paper.daily.col.flags": {"zh": "标记", "en": "Flags"},
    "paper.daily.col.sign": {"zh": "本人签名", "en": "Signature"},
    "paper.status.met": {"zh": "完成", "en": "met"},
    "paper.status.near": {"zh": "接近", "en": "near"},
    "paper.status.behind": {"zh": "欠额", "en": "behind"},
    "paper.status.unknown": {"zh": "—", "en": "—"},
    "paper.flag.discrepancy": {"zh": "计数差异", "en": "count ≠ warehouse"},
    "paper.flag.dispute": {"zh": "申辩", "en": "dispute"},
    "paper.flag.corrected": {"zh": "已更正", "en": "corrected"},
    "paper.daily.summary": {
        "zh": "共 {rows} 行（{people} 人）；完成定额 {met} 行，接近 {near} 行，欠额 {behind} 行",
        "en": "{rows} rows ({people} people); met {met}, near {near}, behind {behind}",
    },
    "paper.daily.note": {
        "zh": "超/欠 = 完成 − 定额（均为整件，四舍五入）；状态按精确完成率：≥100% 完成，≥90% 接近。",
        "en": "+/− = done − quota (whole pieces, half up); status from the exact completion: "
        "≥100 % met, ≥90 % near.",
    },
    "paper.fingerprint": {
        "zh": "今日数据指纹：{short}（检查点 {size} 条记录，完整根值 {root}）",
        "en": "Data fingerprint: {short} (checkpoint of {size} entries, root {root})",
    },
    "paper.fingerprint.none": {
        "zh": "今日数据指纹：—（尚无签名检查点）",
        "en": "Data fingerprint: — (no checkpoint yet)",
    },
    "paper.fingerprint.check": {
        "zh": "核对方法：floorledger verify 显示的检查点根值前 16 位应与此相同。",
        "en": "To check: the first 16 hex digits of the root that floorledger verify shows must match.",
    },
    "paper.sign.officer": {"zh": "带班民警签名：", "en": "Officer's signature:"},
    "paper.sign.date": {"zh": "日期：", "en": "Date:"},
    # monthly sheet (月考核)
    "paper.monthly.title": {"zh": "劳动改造月考核表", "en": "Monthly labor assessment"},
    "paper.monthly.subtitle": {
        "zh": "{area}（{code}）  {month}  审批状态：{state}",
        "en": "{area} ({code})  {month}  Approval: {state}",
    },
    "paper.monthly.col.number": {"zh": "罪犯编号", "en": "Number"},
    "paper.monthly.col.name": {"zh": "姓名", "en": "Name"},
    "paper.monthly.col.workdays": {"zh": "考核日数", "en": "Workdays"},
    "paper.monthly.col.days_met": {"zh": "达标日数", "en": "Days met"},
    "paper.monthly.col.pct": {"zh": "完成率(%)", "en": "Completion %"},
    "paper.monthly.col.base": {"zh": "基础分", "en": "Base"},
    "paper.monthly.col.bonus": {"zh": "超产奖励分", "en": "Bonus"},
    "paper.monthly.col.adjust": {"zh": "加扣分", "en": "Adjust."},
    "paper.monthly.col.labor": {"zh": "劳动分", "en": "Labor points"},
    "paper.monthly.rule_set": {"zh": "规则版本：{version}", "en": "Rule set: {version}"},
    "paper.monthly.adjustments": {"zh": "加扣分明细", "en": "Adjustments"},
    "paper.monthly.no_adjustments": {"zh": "本月无加扣分。", "en": "No adjustments this month."},
    "paper.monthly.col.points": {"zh": "分值", "en": "Points"},
    "paper.monthly.col.reason": {"zh": "理由", "en": "Reason"},
    "paper.monthly.col.entered": {"zh": "登记日期", "en": "Entered"},
    "paper.monthly.col.by": {"zh": "登记人", "en": "By"},
    "paper.monthly.approvals": {"zh": "审批", "en": "Approvals"},
    "paper.monthly.col.stage": {"zh": "审批环节", "en": "Stage"},
    "paper.monthly.col.officer": {"zh": "审批人", "en": "Officer"},
    "paper.monthly.col.time": {"zh": "审批时间", "en": "Time"},
    "paper.monthly.col.signature": {"zh": "签字", "en": "Signature"},
    "paper.monthly.not_yet": {"zh": "（未审批）", "en": "(not yet)"},
    "paper.monthly.partial": {
        "zh": "本表仅含您管辖生产线上的 {rows} 名罪犯（全监区 {total} 名）。",
        "en": "This sheet holds the {rows} inmates of your lines ({total} in the area).",
    },
    "paper.monthly.note": {
        "zh": "劳动分 = max(0, 基础分 + 超产奖励分 + 加扣分)；数值为规则引擎精确值按规则四舍五入。",
        "en": "Labor points = max(0, base + bonus + adjustments); the engine's exact values rounded "
        "half up as the rule book says.",
    },
    # weekly sheet (周评议)
    "paper.weekly.title": {"zh": "劳动改造周评议表", "en": "Weekly labor review"},
    "paper.weekly.subtitle": {
        "zh": "{area}（{code}）  {week}（{first} 至 {last}）",
        "en": "{area} ({code})  {week} ({first} to {last})",
    },
    "paper.weekly.col.number": {"zh": "罪犯编号", "en": "Number"},
    "paper.weekly.col.name": {"zh": "姓名", "en": "Name"},
    "paper.weekly.col.days": {"zh": "出勤天数", "en": "Days"},
    "paper.weekly.col.quota_h": {"zh": "定额工时(小时)", "en": "Quota hours"},
    "paper.weekly.col.earned_h": {"zh": "完成工时(小时)", "en": "Earned hours"},
    "paper.weekly.col.pct": {"zh": "完成率(%)", "en": "Completion %"},
    "paper.weekly.note": {
        "zh": "一周可能跨多个工序，件数不能相加，故以标准工时计；完成率 = 完成工时 ÷ 定额工时。",
        "en": "A week may span several steps whose pieces do not add up: standard hours; "
        "completion = earned ÷ quota hours.",
    },
    "paper.weekly.signoffs": {"zh": "评议签认", "en": "Sign-offs"},
    "paper.weekly.unsigned": {
        "zh": "尚无民警在系统中签认。",
        "en": "No officer has signed off in the system yet.",
    },
    "paper.weekly.col.officer": {"zh": "签认民警", "en": "Officer"},
    "paper.weekly.col.role": {"zh": "职务", "en": "Role"},
    "paper.weekly.col.time": {"zh": "签认时间", "en": "Time"},
    "paper.weekly.col.signature": {"zh": "签字", "en": "Signature"},
    "paper.stage.line_officer": {"zh": "分监区民警", "en": "Line officer"},
    "paper.stage.area_head": {"zh": "监区长", "en": "Area head"},
    "paper.stage.labor_section": {"zh": "劳动改造科", "en": "Labor section"},
    "paper.state.open": {"zh": "未审批", "en": "not approved"},
    "paper.state.line_officer": {"zh": "分监区民警已审", "en": "line officer approved"},
    "paper.state.area_head": {"zh": "监区长已审", "en": "area head approved"},
    "paper.state.locked": {"zh": "劳改科已审，已锁定", "en": "locked by the labor section"},
}

i18n.register(TEXTS)


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)
