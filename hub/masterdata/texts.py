"""Texts of master data's own messages: the service's refusals (`md.data.*`), the checks of typed
and uploaded values (`md.err.*`, `md.csv.*`) and the field names they mention (`md.f.*`).

Registered at import by the modules that raise them, so an error shown on a page or printed by the
command line always has its words; the pages' own texts are in `hub.web.masterdata.texts`.
"""

from __future__ import annotations

from floorledger.base import i18n

TEXTS: dict[str, dict[str, str]] = {
    # the service's refusals (MasterDataError); the English is what the command line prints
    "md.data.not_number": {"zh": "{field}:不是数字:{value}", "en": "{field}: not a number: {value!r}"},
    "md.data.not_positive": {"zh": "{field}:必须是正数", "en": "{field}: must be a positive number"},
    "md.data.negative": {"zh": "{field}:不能是负数", "en": "{field}: must be a non-negative number"},
    "md.data.quota_range": {
        "zh": "个人定额必须在 {low}% 到 {high}% 之间",
        "en": "quota_pct: must be between {low} and {high}",
    },
    "md.data.not_date": {
        "zh": "{field}:日期格式应为 YYYY-MM-DD:{value}",
        "en": "{field}: not a date (YYYY-MM-DD): {value!r}",
    },
    "md.data.role": {
        "zh": "角色必须是 {roles} 之一,不能是 {role}",
        "en": "role: must be one of {roles}, not {role!r}",
    },
    "md.data.line_not_line_officer": {
        "zh": "只有分监区民警有生产线,{role} 没有",
        "en": "line: only a line officer has a line, not a {role}",
    },
    "md.data.unknown_line": {"zh": "没有这条生产线:{line}", "en": "line: unknown line {line!r}"},
    "md.data.line_in_area": {
        "zh": "生产线 {line} 属于监区 {line_area},不属于 {area}",
        "en": "area: line {line} is in area {line_area}, not {area}",
    },
    "md.data.line_needed": {"zh": "分监区民警需要一条生产线", "en": "line: a line officer needs a line"},
    "md.data.site_wide_area": {
        "zh": "{role} 面向所有生产线,不属于监区",
        "en": "area: a {role} works site-wide and has no area",
    },
    "md.data.area_needed": {"zh": "监区长需要一个监区", "en": "area: an area head needs an area"},
    "md.data.unknown_area": {"zh": "没有这个监区:{area}", "en": "area: unknown area {area!r}"},
    "md.data.officer_name_needed": {"zh": "民警需要姓名", "en": "name: an officer needs a name"},
    "md.data.name_one_line": {
        "zh": "名称最多 {max} 个字符,且只能一行",
        "en": "name: at most {max} characters on one line",
    },
    "md.data.step_code_needed": {"zh": "工序需要编号", "en": "code: a step needs a code"},
    "md.data.step_code_form": {
        "zh": "工序编号最多 {max} 个字符,不能有空格",
        "en": "code: at most {max} characters, no spaces",
    },
    "md.data.step_name_needed": {"zh": "工序需要名称", "en": "name: a step needs a name"},
    "md.data.no_steps": {"zh": "产品至少需要一道工序", "en": "steps: a product needs at least one step"},
    "md.data.unknown_step": {
        "zh": "产品 {product} 没有工序 {step}",
        "en": "step: unknown step {step!r} of product {product!r}",
    },
    "md.data.unknown_after": {
        "zh": "产品 {product} 没有工序 {after}",
        "en": "after: unknown step {after!r} of product {product!r}",
    },
    "md.data.time_reason": {
        "zh": "调整标准工时需要填写原因",
        "en": "reason: a standard-time change needs a reason",
    },
    "md.data.step_reason": {"zh": "新增工序需要填写原因", "en": "reason: a new step needs a reason"},
    "md.data.step_exists": {
        "zh": "产品 {product} 已有工序 {step}",
        "en": "code: product {product!r} already has a step {step!r}",
    },
    "md.data.unknown_product": {"zh": "没有这个产品:{product}", "en": "product: unknown product {product!r}"},
    "md.data.unknown_inmate": {"zh": "没有这名服刑人员:{inmate}", "en": "inmate: unknown inmate {inmate!r}"},
    "md.data.unknown_officer": {"zh": "没有这名民警:{officer}", "en": "officer: unknown officer {officer!r}"},
    "md.data.unknown_person": {"zh": "没有这个人员:{person}", "en": "person: unknown person {person!r}"},
    "md.data.id_officer": {"zh": "编号 {id} 已被民警使用", "en": "id: {id!r} is already used by an officer"},
    "md.data.officer_id_needed": {"zh": "民警需要编号", "en": "id: an officer needs an id"},
    "md.data.id_used": {"zh": "编号 {id} 已被使用", "en": "id: {id!r} is already used"},
    "md.data.badge_issued": {
        "zh": "工牌 {badge} 已发给 {person}",
        "en": "badge: {badge!r} is already issued to {person}",
    },
    "md.data.no_badge": {"zh": "没有有效工牌:{badge}", "en": "badge: no active badge {badge!r}"},
    "md.data.ends_before": {
        "zh": "截止日期 {end} 早于生效日期 {start}",
        "en": "valid_to: {end} is before valid_from {start}",
    },
    "md.data.post_before_time": {
        "zh": "产品 {product} 的工序 {step} 自 {since} 起才有标准工时,岗位不能从 {start} 开始",
        "en": "valid_from: step {step!r} of product {product!r} has a standard time only from {since}; "
        "a post on it cannot start on {start}",
    },
    "md.data.post_no_time": {
        "zh": "产品 {product} 的工序 {step} 还没有标准工时,岗位不能从 {start} 开始",
        "en": "valid_from: step {step!r} of product {product!r} has a standard time not yet; "
        "a post on it cannot start on {start}",
    },
    "md.data.unknown_assignment": {
        "zh": "没有岗位记录 {assignment}",
        "en": "assignment: no assignment {assignment}",
    },
    "md.data.bad_month": {"zh": "起始月份有误:{reason}", "en": "valid_from: {reason}"},
    "md.data.real_month": {
        "zh": "规则版本需要一个实际月份",
        "en": "valid_from: a site version needs a real month",
    },
    "md.data.rule_parameters": {"zh": "规则参数有误:{reason}", "en": "{reason}"},
    "md.data.unknown_parameters": {"zh": "未知的规则参数:{names}", "en": "parameters: unknown {names}"},
    "md.data.locked": {
        "zh": "{month} 月 {area} 的月考核已审批锁定，须经劳动科重开后才能修改",
        "en": "The monthly assessment of {area} for {month} is approved and locked; the labor section "
        "must reopen it before this can change",
    },
    "md.data.locked_shift": {
        "zh": "{month} 月 {area} 的月考核已审批锁定，须经劳动科重开后才能修改"
        "（班次时长不分日期，修改会改变该月的结果）",
        "en": "The monthly assessment of {area} for {month} is approved and locked; the labor section "
        "must reopen it before this can change (shift minutes are not dated: a change alters that "
        "month's results)",
    },
    "md.data.locked_quota": {
        "zh": "{month} 月 {area} 的月考核已审批锁定，须经劳动科重开后才能修改"
        "（定额比例不分日期，修改会改变该月的结果）",
        "en": "The monthly assessment of {area} for {month} is approved and locked; the labor section "
        "must reopen it before this can change (quota levels are not dated: a change alters that "
        "month's results)",
    },
    "md.data.needs_book_two": {
        "zh": "{what}:{month} 月执行的是第 1 版考核规则：无定额岗位、培训期和免于劳动考核须第 2 版规则",
        "en": "{what}: the rule set in force in {month} is rule book v1; rated posts, training and labor "
        "exemptions need rule book v2",
    },
    "md.data.post_name_needed": {"zh": "岗位需要名称", "en": "name: a post needs a name"},
    "md.data.post_exists": {"zh": "岗位编号 {post} 已存在", "en": "code: post {post!r} already exists"},
    "md.data.unknown_post": {"zh": "没有这个岗位:{post}", "en": "post: unknown post {post!r}"},
    "md.data.post_line": {
        "zh": "岗位 {post} 属于生产线 {line}",
        "en": "line: post {post!r} is on line {line!r}",
    },
    "md.data.rated_no_step": {
        "zh": "无定额岗位不填产品和工序",
        "en": "post: a rated post names no product or step",
    },
    "md.data.exemption_reference": {
        "zh": "请填写医院鉴定编号",
        "en": "reference: the hospital's reference is required",
    },
    "md.data.exemption_overlap": {
        "zh": "与已有的免于劳动考核期间重叠:{start} 至 {end}({ref})",
        "en": "valid_from: overlaps the exemption {start} to {end} ({ref})",
    },
    "md.data.unknown_exemption": {
        "zh": "没有这个免于劳动考核期间:{exemption}",
        "en": "exemption: unknown exemption {exemption}",
    },
    # checks of typed and uploaded values (csv_import.FieldError) and the fields they name
    "md.f.name": {"zh": "名称", "en": "Name"},
    "md.f.product": {"zh": "产品", "en": "Product"},
    "md.f.step": {"zh": "工序", "en": "Step"},
    "md.f.seconds": {"zh": "标准工时(秒)", "en": "Standard time (s)"},
    "md.f.valid_from": {"zh": "生效日期", "en": "Valid from"},
    "md.f.reason": {"zh": "原因", "en": "Reason"},
    "md.f.area": {"zh": "监区", "en": "Area"},
    "md.f.shift": {"zh": "班次时长(分钟)", "en": "Shift (minutes)"},
    "md.f.inmate_id": {"zh": "人员编号", "en": "Inmate id"},
    "md.f.inmate_pick": {"zh": "囚号（或人员编号）", "en": "Prison number (or id)"},
    "md.f.number": {"zh": "囚号", "en": "Prison number"},
    "md.f.quota_pct": {"zh": "个人定额(%)", "en": "Personal quota (%)"},
    "md.err.required": {"zh": "请填写{field}", "en": "{field} is required"},
    "md.err.too_long": {"zh": "{field}过长(最多 {max} 个字符)", "en": "{field} is too long (at most {max})"},
    "md.err.code": {
        "zh": "{field}只能包含字母、数字和 . _ -",
        "en": "{field} may only hold letters, digits and . _ -",
    },
    "md.err.control": {"zh": "{field}含有控制字符", "en": "{field} holds control characters"},
    "md.err.date": {
        "zh": "{field}格式错误,应为 YYYY-MM-DD:{value}",
        "en": "{field} must be a date YYYY-MM-DD: {value}",
    },
    "md.err.number": {"zh": "{field}必须是数字", "en": "{field} must be a number"},
    "md.err.seconds_positive": {"zh": "标准工时必须大于 0", "en": "The standard time must be more than 0"},
    "md.err.range": {
        "zh": "{field}必须在 {low} 到 {high} 之间",
        "en": "{field} must be between {low} and {high}",
    },
    "md.err.exists": {"zh": "编号 {value} 已存在", "en": "{value} already exists"},
    "md.err.unknown": {"zh": "没有这个{field}:{value}", "en": "No such {field}: {value}"},
    "md.err.unknown_step": {
        "zh": "产品 {product} 没有工序 {step}",
        "en": "Product {product} has no step {step}",
    },
    "md.err.scope_area": {"zh": "只能修改本监区({area})的数据", "en": "You may only change area {area}"},
    "md.err.scope": {"zh": "无权修改此数据", "en": "You may not change this"},
    "md.csv.line": {"zh": "第 {line} 行: {message}", "en": "Line {line}: {message}"},
    "md.csv.empty": {"zh": "文件没有数据", "en": "The file holds no data"},
    "md.csv.encoding": {"zh": "文件不是 UTF-8 编码", "en": "The file is not UTF-8"},
    "md.csv.broken": {"zh": "CSV 格式错误", "en": "Malformed CSV"},
    "md.csv.too_big": {"zh": "文件过大(最多 {max} 字节)", "en": "File too large (at most {max} bytes)"},
    "md.csv.too_many": {"zh": "行数过多(最多 {max} 行)", "en": "Too many rows (at most {max})"},
    "md.csv.header": {
        "zh": "表头应为以下列:{columns}",
        "en": "The header must name these columns: {columns}",
    },
    "md.csv.cells": {"zh": "应有 {expected} 列", "en": "Expected {expected} cells"},
    "md.csv.duplicate": {"zh": "与前面的行重复:{value}", "en": "Repeats an earlier line: {value}"},
}

# `floorledger verify`, the master-data section (`hub.masterdata.replay`, `hub.audit.masterdata`): why an
# act could not be replayed, and each row that differs from the replayed acts. The English is what the
# command line has always printed; tables and columns are named through `md.table.*` / `md.col.*`.
VERIFY_TEXTS: dict[str, dict[str, str]] = {
    "md.v.act": {
        "zh": "台账第 {index} 条（{action}，对象 {subject}）：{reason}",
        "en": "ledger entry {index} ({action} {subject}): {reason}",
    },
    "md.v.r.not_applied": {"zh": "内容无法应用（{error}）", "en": "payload cannot be applied ({error})"},
    "md.v.r.not_text": {"zh": "“{name}”不是文本", "en": "{name} is not text"},
    "md.v.r.not_list": {"zh": "“{name}”不是列表", "en": "{name} is not a list"},
    "md.v.r.not_time": {"zh": "“{name}”不是毫秒时间", "en": "{name} is not a time in ms"},
    "md.v.r.no_row": {
        "zh": "它修改的{table}（{key}）没有任何行为创建过",
        "en": "no act made the {table} row {key} it changes",
    },
    "md.v.r.columns": {
        "zh": "修改了{table}中不允许修改的字段：{columns}",
        "en": "changes no column of {table} it may change: {columns}",
    },
    "md.v.r.not_integer": {"zh": "“{name}”不是整数", "en": "{name} is not an integer"},
    "md.v.r.step_shape": {
        "zh": "某道工序不是 [代码, 名称, 秒数]",
        "en": "a step is not [code, name, seconds]",
    },
    "md.v.r.no_step": {
        "zh": "没有行为创建过工序 {product}/{step}",
        "en": "no act made step {product}/{step}",
    },
    "md.v.r.no_product": {"zh": "没有行为创建过产品 {product}", "en": "no act made product {product}"},
    "md.v.r.not_post": {"zh": "“{name}”不是岗位编号", "en": "{name} is not a post id"},
    "md.v.r.not_object": {"zh": "“{name}”不是对象", "en": "{name} is not an object"},
    # a row's key: `id=P1001` (English), `编号 P1001`
    "md.v.key": {"zh": "{name} {value}", "en": "{name}={value}"},
    "md.v.row": {"zh": "{table}（{key}）", "en": "{table} {key}"},
    "md.v.unsigned": {"zh": "（此旧行为未签名）", "en": "(not signed by this older act)"},
    "md.v.taken_before": {"zh": "{low} 至 {high} 之间的时间", "en": "a time from {low} to {high}"},
    "md.v.not_replayed": {
        "zh": "{table}：未重新推导（没有重放该表行为的程序）",
        "en": "{table}: not re-derived (no replay of this table's acts)",
    },
    "md.v.no_table": {
        "zh": "{table}：签名行为生成 {count} 行，但数据库中没有这张表",
        "en": "{table}: the acts make {count} row(s); no such table",
    },
    "md.v.evidence_changed": {
        "zh": "扣分证据 {sha256}：文件内容与其哈希不符（被改动）",
        "en": "deduction evidence {sha256}: its bytes no longer hash to it (changed)",
    },
    "md.v.evidence_missing": {
        "zh": "扣分 {deduction} 的证据 {sha256} 缺失",
        "en": "deduction {deduction}: its evidence {sha256} is missing",
    },
    # kiosk grades and rejects (hub.audit.kiosk_capture): one hub act per stored record, saying what it says
    "md.v.kiosk_no_act": {
        "zh": "终端记录 {source}（{type}）：没有任何中心签名行为采用或拒绝它",
        "en": "kiosk record {source} ({type}): no hub act applied or refused it",
    },
    "md.v.kiosk_acts": {
        "zh": "终端记录 {source}（{type}）：有 {count} 条中心行为（台账第 {entries} 条），应只有一条",
        "en": "kiosk record {source} ({type}): {count} hub acts (ledger entries {entries}), not one",
    },
    "md.v.kiosk_differs": {
        "zh": "终端记录 {source}（{type}）：台账第 {entry} 条的“{field}”为 {act}，但终端签名记录为 {record}",
        "en": "kiosk record {source} ({type}): ledger entry {entry} says {field} {act}, "
        "the kiosk's signed record {record}",
    },
    "md.v.kiosk_missing": {
        "zh": "台账第 {entry} 条引用终端记录 {source}，但该记录不存在",
        "en": "ledger entry {entry} names kiosk record {source}, which is not stored",
    },
    "md.v.extra": {"zh": "{row}：没有任何签名行为创建过这一行", "en": "{row}: no signed act made this row"},
    "md.v.missing": {
        "zh": "{row}：缺失；台账第 {entry} 条创建了它",
        "en": "{row}: missing; ledger entry {entry} made it",
    },
    "md.v.column": {
        "zh": "{row}：字段“{column}”为 {stored}，但签名行为为 {signed}（台账第 {entry} 条）",
        "en": "{row}: column {column} is {stored} but the signed acts say {signed} (ledger entry {entry})",
    },
}

# The master-data tables and their columns as a report names them; English: the names in the database.
TABLE_LABELS = {
    "md_area": "监区",
    "md_line": "生产线",
    "md_product": "产品",
    "md_step": "工序",
    "md_standard_time": "标准工时",
    "md_inmate": "罪犯",
    "md_officer": "民警",
    "md_badge": "工牌",
    "md_assignment": "岗位",
    "md_post": "非定额岗位",
    "md_exemption": "免考核期",
    "md_workday": "工作日",
    "md_rule_set_version": "规则版本",
    "cap_grade": "岗位评级",
    "cap_reject": "次品",
    "cap_deduction": "扣分",
    "an_suggest_settings": "建议阈值版本",
    "an_action": "调岗与培训措施",
}
COLUMN_LABELS = {
    "id": "编号",
    "code": "代码",
    "name": "名称",
    "area": "监区",
    "line": "生产线",
    "shift_minutes": "班次时长(分钟)",
    "product": "产品",
    "step": "工序",
    "steps": "工序",
    "position": "顺序",
    "valid_from": "生效日期",
    "valid_to": "截止日期",
    "from": "起始日期",
    "to": "截止日期",
    "seconds": "标准工时(秒)",
    "reason": "原因",
    "created_ms": "创建时间",
    "number": "囚号",
    "quota_pct": "个人定额(%)",
    "role": "角色",
    "badge": "工牌号",
    "person": "持有人",
    "issued_ms": "发放时间",
    "revoked_ms": "吊销时间",
    "inmate": "罪犯",
    "day": "日期",
    "days": "日期",
    "version": "版本",
    "parameters": "参数",
    "assignment": "岗位",
    "grade": "等级",
    "post": "岗位",
    "graded_by": "评定人",
    "graded_ms": "评定时间",
    "units": "件数",
    "entered_by": "登记人",
    "category": "类别",
    "points": "分值",
    "evidence": "证据",
    "proposed_by": "提出人",
    "proposed_ms": "提出时间",
    "status": "状态",
    "confirmed_by": "确认人",
    "confirmed_ms": "确认时间",
    "deduction": "扣分",
    "shift": "班次",
    "mode": "考核方式",
    "training": "培训标记",
    "reference": "医鉴编号",
    "source": "来源记录",
    "withdrawn_by": "撤回人",
    "withdrawn_ms": "撤回时间",
    "withdraw_reason": "撤回原因",
    "kind": "类型",
    "what": "内容",
    "officer": "执行民警",
    "suggestion": "对应建议",
    "created_by": "登记人",
}

i18n.register(TEXTS)
i18n.register(VERIFY_TEXTS)
i18n.register({f"md.table.{code}": {"zh": zh, "en": code} for code, zh in TABLE_LABELS.items()})
i18n.register({f"md.col.{code}": {"zh": zh, "en": code} for code, zh in COLUMN_LABELS.items()})
