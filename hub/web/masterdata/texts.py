"""Texts of the master-data pages (基础数据), CSV import and badge sheet; keys start with `md.`."""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    # navigation and titles
    "md.nav": {"zh": "基础数据", "en": "Master data"},
    "md.title.products": {"zh": "基础数据 · 产品与工时", "en": "Master data · Products and times"},
    "md.title.lines": {
        "zh": "基础数据 · 生产线、班次与工作日",
        "en": "Master data · Lines, shifts, workdays",
    },
    "md.title.inmates": {"zh": "基础数据 · 服刑人员", "en": "Master data · Inmates"},
    "md.title.badges": {"zh": "基础数据 · 工牌", "en": "Master data · Badges"},
    "md.title.sheet": {"zh": "工牌打印", "en": "Badge sheet"},
    "md.title.assignments": {"zh": "基础数据 · 岗位调整", "en": "Master data · Assignments"},
    "md.title.officers": {"zh": "基础数据 · 民警", "en": "Master data · Officers"},
    "md.title.import": {"zh": "基础数据 · CSV 导入", "en": "Master data · CSV import"},
    "md.tab.products": {"zh": "产品与工时", "en": "Products & times"},
    "md.tab.lines": {"zh": "生产线与工作日", "en": "Lines & workdays"},
    "md.tab.inmates": {"zh": "服刑人员", "en": "Inmates"},
    "md.tab.badges": {"zh": "工牌", "en": "Badges"},
    "md.tab.assignments": {"zh": "岗位调整", "en": "Assignments"},
    "md.tab.officers": {"zh": "民警", "en": "Officers"},
    "md.tab.import": {"zh": "CSV 导入", "en": "CSV import"},
    "md.read_only": {"zh": "您的角色只能查看本页数据。", "en": "Your role may only read this page."},
    "md.saved": {"zh": "已保存", "en": "Saved"},
    "md.none": {"zh": "无", "en": "None"},
    # field labels
    "md.f.code": {"zh": "编号", "en": "Code"},
    "md.f.steps": {
        "zh": "工序(每行一个:编号,名称,标准工时秒)",
        "en": "Steps (one per line: code,name,standard seconds)",
    },
    "md.f.step_code": {"zh": "工序编号", "en": "Step code"},
    "md.f.position": {"zh": "位置", "en": "Position"},
    "md.f.last": {"zh": "排在最后", "en": "After the last step"},
    "md.f.after_step": {"zh": "排在 {step} 之后", "en": "After {step}"},
    "md.f.new_name": {"zh": "新名称", "en": "New name"},
    "md.f.valid_to": {"zh": "截止日期", "en": "Valid to"},
    "md.f.created": {"zh": "录入时间", "en": "Entered"},
    "md.f.line": {"zh": "生产线", "en": "Line"},
    "md.f.day": {"zh": "日期", "en": "Date"},
    "md.f.site_wide": {"zh": "全部生产线", "en": "All lines"},
    "md.f.badge": {"zh": "工牌号", "en": "Badge"},
    "md.f.person": {"zh": "人员", "en": "Person"},
    "md.f.state": {"zh": "状态", "en": "State"},
    "md.f.actor": {"zh": "操作人", "en": "By"},
    "md.f.version": {"zh": "版本", "en": "Version"},
    "md.f.month": {"zh": "起始月份", "en": "From month"},
    "md.f.parameters": {"zh": "参数(名称=值,每行一个)", "en": "Parameters (name=value, one per line)"},
    "md.f.assignment": {"zh": "岗位记录号", "en": "Assignment no."},
    "md.f.kind": {"zh": "导入内容", "en": "What to import"},
    "md.f.officer": {"zh": "民警", "en": "Officer"},
    "md.f.officer_id": {"zh": "民警编号", "en": "Officer id"},
    "md.f.role": {"zh": "角色", "en": "Role"},
    "md.f.badges": {"zh": "有效工牌", "en": "Active badges"},
    # sections and buttons
    "md.products": {"zh": "产品与工序", "en": "Products and steps"},
    "md.standard_times": {"zh": "标准工时(含历史版本)", "en": "Standard times (with history)"},
    "md.add_product": {"zh": "新增产品", "en": "Add product"},
    "md.set_time": {"zh": "调整标准工时", "en": "Change standard time"},
    "md.add_step": {"zh": "新增工序", "en": "Add step"},
    "md.add_step.hint": {
        "zh": "工艺变更时为已有产品增加工序:标准工时自生效日期起适用,此前各日的结果不变,"
        "岗位也只能从该日期起调到新工序。",
        "en": "A process change adds a step to a product: its standard time applies from the date on, "
        "earlier days' results do not change, and posts on it can start from that date only.",
    },
    "md.rename_step": {"zh": "更正工序名称", "en": "Rename step"},
    "md.rule_sets": {"zh": "规则版本", "en": "Rule-set versions"},
    "md.add_rule_set": {"zh": "新增规则版本", "en": "Add rule-set version"},
    "md.areas": {"zh": "监区", "en": "Areas"},
    "md.add_area": {"zh": "新增监区", "en": "Add area"},
    "md.lines": {"zh": "生产线与班次", "en": "Lines and shifts"},
    "md.add_line": {"zh": "新增生产线", "en": "Add line"},
    "md.update_line": {"zh": "修改班次", "en": "Change shift"},
    "md.workdays": {"zh": "工作日", "en": "Workdays"},
    "md.add_workday": {"zh": "设为工作日", "en": "Add workday"},
    "md.remove_workday": {"zh": "取消工作日", "en": "Remove workday"},
    "md.inmates": {"zh": "服刑人员", "en": "Inmates"},
    "md.add_inmate": {"zh": "新增人员", "en": "Add inmate"},
    "md.set_quota": {"zh": "调整个人定额", "en": "Change personal quota"},
    "md.quota_history": {"zh": "个人定额调整记录", "en": "Quota changes"},
    "md.badges": {"zh": "工牌", "en": "Badges"},
    "md.issue_badge": {"zh": "发放工牌", "en": "Issue badge"},
    "md.revoke_badge": {"zh": "注销工牌", "en": "Revoke badge"},
    "md.print_sheet": {"zh": "打印工牌(A4)", "en": "Print badges (A4)"},
    "md.print": {"zh": "打印", "en": "Print"},
    "md.badge.active": {"zh": "有效", "en": "Active"},
    "md.badge.revoked": {"zh": "已注销", "en": "Revoked"},
    "md.assignments": {"zh": "岗位记录(含历史)", "en": "Posts (with history)"},
    "md.assign": {"zh": "调整岗位", "en": "Assign post"},
    "md.end_assignment": {"zh": "结束岗位", "en": "End post"},
    "md.open_ended": {"zh": "至今", "en": "open"},
    "md.officers": {"zh": "民警", "en": "Officers"},
    "md.officers.hint": {
        "zh": "终端按此名单确认见证、会签和入库录入:分监区民警在本生产线,监区长在本监区各线,"
        "劳动改造科和系统管理员在所有生产线。",
        "en": "The kiosks accept witnesses, countersigns and warehoused counts from this list: line "
        "officers on their line, area heads on their area's lines, the labor section and admins on "
        "every line.",
    },
    "md.add_officer": {"zh": "新增民警", "en": "Add officer"},
    "md.update_officer": {"zh": "更正民警信息", "en": "Correct an officer"},
    "md.officer_badges": {"zh": "民警工牌", "en": "Officers' badges"},
    "md.unchanged": {"zh": "没有需要保存的修改", "en": "Nothing to change"},
    "md.role.line_officer": {"zh": "分监区民警", "en": "Line officer"},
    "md.role.area_head": {"zh": "监区长", "en": "Area head"},
    "md.role.labor_section": {"zh": "劳动改造科", "en": "Labor section"},
    "md.role.admin": {"zh": "系统管理员", "en": "Administrator"},
    "md.import.inmates": {"zh": "服刑人员", "en": "Inmates"},
    "md.import.standard_times": {"zh": "标准工时", "en": "Standard times"},
    "md.import.columns": {"zh": "列:{columns}", "en": "Columns: {columns}"},
    "md.import.upload": {"zh": "上传 CSV 文件", "en": "Upload a CSV file"},
    "md.import.preview": {"zh": "预览:{count} 行", "en": "Preview: {count} rows"},
    "md.import.invalid": {
        "zh": "文件有 {count} 处错误,未导入任何数据。请修改后重新上传。",
        "en": "The file has {count} errors; nothing was imported. Fix it and upload again.",
    },
    "md.import.confirm": {"zh": "确认导入", "en": "Confirm import"},
    "md.import.done": {"zh": "已导入 {count} 行", "en": "{count} rows imported"},
    "md.import.nothing": {"zh": "请先上传一个无错误的文件", "en": "Upload a file without errors first"},
    "md.sheet.hint": {
        "zh": "每张卡片的二维码为人员码,在终端扫描即可识别。",
        "en": "Each card's QR is the person code the kiosks read.",
    },
    # errors
    "md.err.officer_line": {
        "zh": "只有分监区民警有生产线,请清空生产线",
        "en": "Only a line officer has a line; clear the line",
    },
    "md.err.officer_site_wide": {
        "zh": "劳动改造科和系统管理员面向所有生产线,不属于监区,请清空监区",
        "en": "The labor section and admins work on every line and have no area; clear the area",
    },
    "md.err.line_area": {
        "zh": "生产线 {line} 属于监区 {area}",
        "en": "Line {line} is in area {area}",
    },
    "md.err.not_officer_badge": {
        "zh": "{value} 不是民警的有效工牌",
        "en": "{value} is not an officer's active badge",
    },
    "md.err.rejected": {"zh": "未保存:{reason}", "en": "Not saved: {reason}"},
    "md.err.parameter": {"zh": "参数格式应为 名称=值", "en": "Parameters are written name=value"},
    "md.csv.line_no": {"zh": "行号", "en": "Line"},
}

i18n.register(TEXTS)


def t(key: str, lang: str = i18n.DEFAULT_LANGUAGE, /, **values: object) -> str:
    return i18n.t(key, lang, **values)
