"""Words of the inmate's labor assessment report (劳动改造考核报告) and of its check, Chinese first;
registered at import. The printed report (`hub.paper.report`), `floorledger verify-report` and the
inmate page use them."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    "report.title": {"zh": "罪犯劳动改造考核报告", "en": "Labor assessment report of an inmate"},
    "report.subtitle": {
        "zh": "{name}（编号 {number}）  {first} 至 {last}",
        "en": "{name} (number {number})  {first} to {last}",
    },
    "report.who": {
        "zh": "姓名：{name}    罪犯编号：{number}    所在监区：{area}",
        "en": "Name: {name}    Number: {number}    Area: {area}",
    },
    "report.issued": {
        "zh": "出具：{by}    时间：{at}（{zone}）",
        "en": "Issued by {by} at {at} ({zone})",
    },
    "report.checkpoint": {
        "zh": "出具时数据指纹：{root}（记录数 {size}）",
        "en": "Data fingerprint when issued: {root} ({size} entries)",
    },
    "report.summary": {"zh": "逐月汇总", "en": "Months at a glance"},
    "report.col.month": {"zh": "月份", "en": "Month"},
    "report.col.state": {"zh": "审批状态", "en": "Approval"},
    "report.col.workdays": {"zh": "应出工日", "en": "Workdays"},
    "report.col.days_met": {"zh": "完成定额日", "en": "Days met"},
    "report.col.pct": {"zh": "完成率%", "en": "Completion %"},
    "report.col.base": {"zh": "基础分", "en": "Base"},
    "report.col.bonus": {"zh": "超产奖励", "en": "Bonus"},
    "report.col.adjust": {"zh": "加扣分", "en": "Adjust"},
    "report.col.deduct": {"zh": "扣分", "en": "Deductions"},
    "report.col.labor": {"zh": "劳动改造分", "en": "Labor points"},
    "report.total": {
        "zh": "考核月数 {months}，劳动改造分合计 {points}（仅计已考核月份）",
        "en": "{months} assessed month(s), labor points in total {points} (assessed months only)",
    },
    "report.month": {"zh": "{month} 月度考核", "en": "Month {month}"},
    "report.month.area": {
        "zh": "考核监区：{area}    规则版本：{version}    审批状态：{state}",
        "en": "Area: {area}    Rule set: {version}    Approval: {state}",
    },
    "report.month.draft": {
        "zh": "本月尚未经劳改科审批锁定，以下数字为草稿，可能变动。",
        "en": "This month is not locked by the labor section: the numbers are a draft and may change.",
    },
    "report.month.none": {"zh": "本月无考核记录。", "en": "No assessment in this month."},
    "report.month.not_assessed": {
        "zh": "本月全部工作日免于劳动考核（不参加考核）。",
        "en": "Exempt on every workday of the month (not assessed).",
    },
    "report.month.points": {
        "zh": "完成率 {pct}%，应出工 {workdays} 日，完成定额 {met} 日；基础分 {base}，超产奖励 {bonus}，"
        "加分合计 {additions}，加扣分 {adjust}，扣分 {deduct}，劳动改造分 {labor}。",
        "en": "Completion {pct}%, {workdays} workday(s), quota met on {met}; base {base}, output bonus "
        "{bonus}, additions {additions}, adjustments {adjust}, deductions {deduct}, labor points {labor}.",
    },
    "report.grades": {"zh": "无定额岗位评定等级：", "en": "Grades on rated posts:"},
    "report.training": {"zh": "培训期（按定额比例）：", "en": "Training days (share of the quota):"},
    "report.exempt": {"zh": "免于考核日：", "en": "Exempt days:"},
    "report.deductions": {"zh": "扣分：", "en": "Deductions:"},
    "report.adjustments": {"zh": "加扣分：", "en": "Adjustments:"},
    "report.disputes": {"zh": "申辩及答复：", "en": "Disputes and answers:"},
    "report.reviews": {"zh": "评议与审批：", "en": "Reviews and approvals:"},
    "report.explanation": {"zh": "本月分数计算过程：", "en": "How the month's score was computed:"},
    "report.none": {"zh": "无", "en": "none"},
    "report.unanswered": {"zh": "尚未答复", "en": "not answered yet"},
    "report.outcome.upheld": {"zh": "申辩成立", "en": "upheld"},
    "report.outcome.rejected": {"zh": "申辩不成立", "en": "rejected"},
    "report.approval": {"zh": "{stage}：{officer} {time}", "en": "{stage}: {officer} {time}"},
    "report.not_yet": {"zh": "{stage}：尚未审批", "en": "{stage}: not yet"},
    "report.signoff": {
        "zh": "{week} 周评议签字：{officer} {time}",
        "en": "Weekly review {week} signed by {officer} at {time}",
    },
    "report.sign.officer": {"zh": "出具民警签名", "en": "Issuing officer"},
    "report.sign.stamp": {"zh": "单位（盖章）", "en": "Unit (stamp)"},
    "report.verify.title": {"zh": "核验方式", "en": "How to check this report"},
    "report.verify.code": {"zh": "核验码：{code}", "en": "Verification code: {code}"},
    "report.verify.digest": {
        "zh": "报告摘要（SHA-256）：{digest}",
        "en": "Report digest (SHA-256): {digest}",
    },
    "report.verify.how": {
        "zh": "本报告内容由监狱劳动数据中心以其公钥 {pub} 签名。核验时无需连接系统：运行 "
        "floorledger verify-report 本文件.pdf --hub-key-pub 公钥（或随附的签名文件 .json），"
        "核对其给出的核验码与上方一致，并逐月核对数字。二维码载有报告摘要与签名。",
        "en": "This report's content is signed by the hub's key {pub}. To check it without the hub run "
        "floorledger verify-report THIS.pdf --hub-key-pub KEY (or the signed companion .json), compare "
        "the verification code it prints with the one above, and the numbers month by month. The QR "
        "code carries the report's digest and signature.",
    },
    "assess.err.report_range": {
        "zh": "月份范围有误：起始月份不能晚于结束月份，最多 36 个月",
        "en": "bad month range: from must not be after to, at most 36 months",
    },
    # verify-report's verdict
    "report.check.ok": {
        "zh": "核验通过：本报告与监狱劳动数据中心签发的内容完全一致。",
        "en": "VERIFIED: the report is exactly what the hub issued.",
    },
    "report.check.qr_ok": {
        "zh": "核验通过：该二维码由监狱劳动数据中心签发（核验码 {code}）；报告内容请用签名文件核对。",
        "en": "VERIFIED: the QR code was issued by the hub (code {code}); check the content with the "
        "signed file.",
    },
    "report.check.failed": {"zh": "核验未通过：", "en": "NOT VERIFIED:"},
    "report.check.changed": {
        "zh": "报告内容与签名时不同（签发后被改动）",
        "en": "the content differs from what was signed (changed after issue)",
    },
    "report.check.other_key": {
        "zh": "签名密钥不是所给的公钥（另一系统签发或伪造）",
        "en": "signed by another key than the hub key given (another hub, or a forgery)",
    },
    "report.check.bad_signature": {"zh": "签名无效", "en": "the signature does not hold"},
    "report.check.not_report": {
        "zh": "不是劳动改造考核报告的签名文件",
        "en": "not a signed labor assessment report",
    },
    "report.check.unreadable": {"zh": "签名文件无法读取或已损坏", "en": "the signed file cannot be read"},
    "report.check.no_attachment": {
        "zh": "该 PDF 中没有内嵌的签名报告（请使用随附的 .json 签名文件）",
        "en": "the PDF carries no embedded signed report (use the companion .json file)",
    },
    "report.check.not_qr": {"zh": "不是本系统报告的二维码内容", "en": "not the QR code of a report"},
    "report.check.summary": {
        "zh": "罪犯 {name}（编号 {number}），{first} 至 {last}，出具于 {at}，核验码 {code}",
        "en": "Inmate {name} (number {number}), {first} to {last}, issued {at}, code {code}",
    },
    "report.check.month": {
        "zh": "  {month}：{state}，完成率 {pct}，劳动改造分 {labor}",
        "en": "  {month}: {state}, completion {pct}, labor points {labor}",
    },
    # the same words as the inmate page, for the command line that does not load the pages
    "dispute.reason.count_wrong": {"zh": "件数有误", "en": "count wrong"},
    "dispute.reason.quota_wrong": {"zh": "定额有误", "en": "quota wrong"},
    "dispute.reason.attendance_wrong": {"zh": "考勤有误", "en": "attendance wrong"},
    "dispute.reason.other": {"zh": "其他", "en": "other"},
}

i18n.register(TEXTS)


def t(key: str, lang: str = "zh", **values: object) -> str:
    return i18n.t(key, lang, **values)
